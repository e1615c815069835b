/**
 * The running side of attempt dispatch: attempts other owners place here run on this peer's
 * attempt runner, in the slots its scheduler uses too (never placed further, never retried here:
 * the owner holds the run).
 *
 * @module
 */
import { type Encoded, errorData, SerializationError, TaskError } from "../../common/mod.ts";
import { type MessageEnd, type NetNode, serveMessages } from "../../net/mod.ts";
import { EXEC_PROTOCOL, type ExecReply, type ExecRequest } from "./exec_protocol.ts";

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
  await node.handleChannel<ExecRequest, ExecReply>(EXEC_PROTOCOL, async (channel, info) => {
    const served = serveAttempts(channel, runner, info.peerId);
    live.add(served.handBack);
    try {
      await served.done;
    } finally {
      live.delete(served.handBack);
    }
  });
  return (reason) => {
    for (const handBack of live) handBack(reason);
  };
}

/** One owner's end being served. */
export interface ServedOwner {
  /** Settles once the owner ended its side and every answer went out. */
  readonly done: Promise<void>;
  /** Hands every attempt running here back to the owner (which places it again), and refuses new ones. */
  handBack(reason: string): void;
}

/** Serves one owner's end (a channel, or an in-process pipe in tests) until the owner ends its side. */
export function serveAttempts(
  end: MessageEnd<ExecRequest, ExecReply>,
  runner: AttemptRunner,
  owner: string,
): ServedOwner {
  const running = new Map<number, LocalAttempt>();
  let handingBack = false;
  const fail = (key: number, error: unknown): ExecReply => ({ op: "done", key, ok: false, error: errorData(error) });
  const serving = serveMessages<ExecRequest, ExecReply>(end, {
    handle(request, answers) {
      if (request?.op === "cancel") {
        const reason = typeof request.reason === "string" ? request.reason : "cancelled by its owner";
        return running.get(request.key)?.cancel(reason);
      }
      if (request?.op !== "run" || !Number.isSafeInteger(request.key) || typeof request.task !== "string") {
        throw new TypeError('expected { op: "run", key, task, args } or { op: "cancel", key }');
      }
      const { key } = request;
      // A key in use belongs to a live attempt: refusing here keeps that attempt's answer its own.
      if (running.has(key)) throw new TypeError(`key ${key} is already in use by a running attempt`);
      if (handingBack) return answers.send(lost(key, "this peer is shutting down"));
      // The run id and attempt number are the owner's word, only passed on (to logs): bounded, never trusted.
      const runId = typeof request.runId === "string" ? request.runId.slice(0, 256) : "?";
      const number = Number.isSafeInteger(request.attempt) ? request.attempt : 0;
      const attempt = runner.run(request.task, request.args, { owner, runId, attempt: number });
      running.set(key, attempt);
      answers.answer(attempt.outcome, (outcome) => {
        // An attempt handed back was answered already (`lost`): its late outcome goes nowhere.
        if (running.get(key) !== attempt) return undefined;
        running.delete(key);
        if (outcome.ok) return { op: "done", key, ok: true, result: outcome.value };
        return fail(key, outcome.error instanceof TaskError ? outcome.error.cause : outcome.error);
      });
    },
    refuse: (request, error) => fail(safeKey(request), error),
    // A result too big for a frame fails its own attempt, not the owner's whole channel.
    unsendable: (reply, error) =>
      fail(reply.key, new SerializationError(`the result of attempt ${reply.key}`, error.message)),
    // The owner went away: its attempts have no one to answer to.
    ended() {
      for (const attempt of running.values()) attempt.cancel("the owner closed the connection");
      running.clear();
    },
  });
  return {
    done: serving.done,
    handBack(reason) {
      handingBack = true;
      for (const [key, attempt] of running) {
        running.delete(key);
        serving.send(lost(key, reason));
        attempt.cancel(reason);
      }
    },
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
