/**
 * The running side of attempt dispatch: attempts other owners place here run on this peer's
 * scheduler (pinned: never placed further), within its concurrency.
 *
 * @module
 */
import { type Encoded, TaskError } from "../common/mod.ts";
import type { Channel, NetNode } from "../net/mod.ts";
import { type Batch, MessageBatcher, unbatch } from "./batch.ts";
import { EXEC_PROTOCOL, type ExecReply, type ExecRequest } from "./exec_protocol.ts";
import { errorInfo } from "./protocol.ts";

/** One attempt running here. */
export interface LocalAttempt {
  readonly outcome: Promise<Encoded>;
  cancel(reason: string): void;
}

/** Where an attempt placed here comes from: its owner's peer id, and the run and attempt there (as the owner says). */
export interface AttemptOrigin {
  readonly owner: string;
  readonly runId: string;
  readonly attempt: number;
}

/** What the service needs from its peer: running one attempt of a registered task. */
export interface AttemptRunner {
  /** @throws {UnknownTaskError} when this peer does not register `task`. */
  run(task: string, args: Encoded, origin: AttemptOrigin): LocalAttempt;
}

/** Serves attempt dispatch; the returned function hands every running attempt back to its owner. */
export async function serveExec(node: NetNode, runner: AttemptRunner): Promise<(reason: string) => void> {
  const live = new Set<(reason: string) => void>();
  await node.handleChannel<ExecRequest | Batch<ExecRequest>, ExecReply | Batch<ExecReply>>(
    EXEC_PROTOCOL,
    async (channel, info) => {
      const handBack = serveOwner(channel, runner, info.peerId);
      live.add(handBack);
      try {
        await handBack.done;
      } finally {
        live.delete(handBack);
      }
    },
  );
  return (reason) => {
    for (const handBack of live) handBack(reason);
  };
}

/** Serves one owner's channel until it closes; calling the result hands its attempts back. */
function serveOwner(
  channel: Channel<ExecRequest | Batch<ExecRequest>, ExecReply | Batch<ExecReply>>,
  runner: AttemptRunner,
  owner: string,
): ((reason: string) => void) & { done: Promise<void> } {
  const outbox: MessageBatcher<ExecReply> = new MessageBatcher<ExecReply>(channel.writable.getWriter(), {
    // A result too big for a frame fails its own attempt, not the owner's whole channel.
    onRefused: (reply, error) => outbox.push(tooLarge(reply.key, `the result of attempt ${reply.key}`, error)),
  });
  const running = new Map<number, LocalAttempt>();
  let handingBack = false;
  const send = (reply: ExecReply) => outbox.push(reply);
  const fail = (key: number, error: unknown) => send({ op: "done", key, ok: false, error: errorInfo(error) });
  const handBack = (reason: string) => {
    handingBack = true;
    for (const [key, attempt] of running) {
      running.delete(key);
      send(lost(key, reason));
      attempt.cancel(reason);
    }
    outbox.flush();
  };
  const done = (async () => {
    for await (const received of channel.readable) {
      let requests: readonly ExecRequest[];
      try {
        requests = unbatch(received);
      } catch (error) {
        void fail(0, error);
        continue;
      }
      for (const request of requests) {
        try {
          serve(request);
        } catch (error) {
          // One bad request gets its own error answer; the channel and the rest go on.
          void fail(safeKey(request), error);
        }
      }
      await outbox.ready();
    }
    // The owner went away: its attempts have no one to answer to.
    for (const attempt of running.values()) attempt.cancel("the owner closed the connection");
    running.clear();
    await outbox.close().catch(() => {});
  })();

  function serve(request: ExecRequest): void {
    if (request?.op === "cancel") {
      running.get(request.key)?.cancel(typeof request.reason === "string" ? request.reason : "cancelled by its owner");
      return;
    }
    if (request?.op !== "run" || !Number.isSafeInteger(request.key) || typeof request.task !== "string") {
      throw new TypeError('expected { op: "run", key, task, args } or { op: "cancel", key }');
    }
    // A key in use belongs to a live attempt: refusing here keeps that attempt's answer its own.
    if (running.has(request.key)) throw new TypeError(`key ${request.key} is already in use by a running attempt`);
    if (handingBack) return send(lost(request.key, "this peer is shutting down"));
    // The run id and attempt number are the owner's word, only passed on (to logs): bounded, never trusted.
    const runId = typeof request.runId === "string" ? request.runId.slice(0, 256) : "?";
    const number = Number.isSafeInteger(request.attempt) ? request.attempt : 0;
    startAttempt(request.key, request.task, request.args, { owner, runId, attempt: number });
  }

  function startAttempt(key: number, task: string, args: Encoded, origin: AttemptOrigin): void {
    let attempt: LocalAttempt;
    try {
      attempt = runner.run(task, args, origin);
    } catch (error) {
      void fail(key, error);
      return;
    }
    running.set(key, attempt);
    attempt.outcome.then(
      (result) => {
        if (running.delete(key)) void send({ op: "done", key, ok: true, result });
      },
      (error) => {
        if (running.delete(key)) void fail(key, error instanceof TaskError ? error.cause : error);
      },
    );
  }
  return Object.assign(handBack, { done });
}

/** The answer that replaces one too big to send. */
function tooLarge(key: number, what: string, error: Error): ExecReply {
  return {
    op: "done",
    key,
    ok: false,
    error: { name: "SerializationError", code: "NOT_SERIALIZABLE", message: `Cannot send ${what}: ${error.message}` },
  };
}

/** The key of an untrusted request, if it has a usable one (else 0). */
function safeKey(request: unknown): number {
  const key = (request as { key?: unknown } | null)?.key;
  return typeof key === "number" && Number.isSafeInteger(key) ? key : 0;
}

/** The answer that hands an attempt back to its owner, which places it again. */
function lost(key: number, reason: string): ExecReply {
  return { op: "done", key, ok: false, error: { name: "PeerLostError", code: "PEER_LOST", message: reason } };
}
