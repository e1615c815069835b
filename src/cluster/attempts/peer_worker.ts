/**
 * The owner's side of attempt dispatch to one peer: one channel, opened on first use, carrying
 * every attempt placed there. When the channel fails or the peer leaves, every attempt still out
 * there is rejected with `PeerLostError`, so the scheduler places it again, and the placer is told
 * (`onLost`), so it stops placing here until the peer is proven reachable again.
 *
 * An answer is taken only for an attempt in flight on this channel, whose request was sent, and
 * only once: anything else a peer sends (a key never sent, a key answered already, a key from
 * before a loss) is dropped.
 *
 * @module
 */
import { type Encoded, PeerLostError, rebuildError, SerializationError } from "../../common/mod.ts";
import { type Channel, MessageSender, type NetNode } from "../../net/mod.ts";
import type { RemoteAttempt, RemoteCall, RemoteWorker } from "../../task/mod.ts";
import { EXEC_PROTOCOL, type ExecReply, type ExecRequest } from "./exec_protocol.ts";

/**
 * Attempt keys are unique in this process, not per peer: an answer meant for an attempt of an
 * earlier channel (before a loss) can never match one of a later channel.
 */
let nextKey = 1;

/** What a {@linkcode PeerWorker} tells its placer. */
export interface PeerWorkerEvents {
  /** After each attempt's answer: the peer has room again. */
  onSettled: () => void;
  /** The peer answered an attempt (with a result or the task's own error). */
  onAnswered?: () => void;
  /** The channel failed or the peer handed attempts back: it is no use until proven back. */
  onLost?: (reason: string) => void;
  /**
   * The peer sent what answers no attempt in flight here (not an answer, or an answer to one never
   * sent to it or answered already, as a tab that resumes after its work was placed again does):
   * dropped, and told here for a debug log.
   */
  onIgnored?: (why: string) => void;
}

interface InFlight {
  readonly resolvers: PromiseWithResolvers<Encoded>;
  /** Whether its request went to the channel: an answer to a request not sent is forged. */
  sent: boolean;
}

/** A peer that runs attempts for this owner. */
export class PeerWorker implements RemoteWorker {
  readonly peerId: string;
  readonly #node: NetNode;
  readonly #events: PeerWorkerEvents;
  readonly #pending = new Map<number, InFlight>();
  #outbox: Promise<MessageSender<ExecRequest>> | undefined;
  #lost: string | undefined;

  constructor(node: NetNode, peerId: string, events: PeerWorkerEvents) {
    this.#node = node;
    this.peerId = peerId;
    this.#events = events;
  }

  /** Attempts sent and not answered yet. */
  get inFlight(): number {
    return this.#pending.size;
  }

  execute(attempt: RemoteAttempt): RemoteCall {
    const key = nextKey++;
    const entry: InFlight = { resolvers: Promise.withResolvers<Encoded>(), sent: false };
    if (this.#lost !== undefined) {
      entry.resolvers.reject(new PeerLostError(this.peerId, this.#lost));
      return { result: entry.resolvers.promise, cancel: () => {} };
    }
    this.#pending.set(key, entry);
    const request: ExecRequest = {
      op: "run",
      key,
      runId: attempt.runId,
      task: attempt.task,
      args: attempt.args,
      attempt: attempt.attempt,
    };
    this.#open().then((outbox) => {
      if (this.#pending.get(key) !== entry) return;
      entry.sent = true;
      outbox.send(request);
    }).catch((error) =>
      this.lost(`it could not be reached (${error instanceof Error ? error.message : String(error)})`)
    );
    const result = entry.resolvers.promise.finally(() => this.#events.onSettled());
    return {
      result,
      cancel: (reason) => {
        if (this.#pending.get(key) !== entry || !entry.sent) return;
        void this.#open().then((outbox) => outbox.send({ op: "cancel", key, reason })).catch(() => {});
      },
    };
  }

  /** The peer is gone: every attempt out there is placed again. Later attempts fail at once. */
  lost(reason: string): void {
    if (this.#lost !== undefined) return;
    this.#lost = reason;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) entry.resolvers.reject(new PeerLostError(this.peerId, reason));
    this.#outbox?.then((outbox) => outbox.close()).catch(() => {});
    this.#events.onLost?.(reason);
  }

  #open(): Promise<MessageSender<ExecRequest>> {
    this.#outbox ??= (async () => {
      const channel = await this.#node.openChannel<ExecReply, ExecRequest>(this.peerId, EXEC_PROTOCOL);
      if (this.#lost !== undefined) {
        channel.abort(new Error(this.#lost));
        throw new PeerLostError(this.peerId, this.#lost);
      }
      void this.#read(channel);
      return new MessageSender<ExecRequest>(channel.writable, {
        onError: (error) => this.lost(`sending failed (${String(error)})`),
        // Arguments too big for a frame fail their attempt (not retried: they would not fit again).
        refused: (request, error) => {
          const entry = request.op === "run" ? this.#pending.get(request.key) : undefined;
          if (entry === undefined) return undefined;
          this.#pending.delete(request.key);
          entry.resolvers.reject(new SerializationError("the attempt's arguments", error.message));
          return undefined;
        },
      });
    })();
    return this.#outbox;
  }

  async #read(channel: Channel<ExecReply, ExecRequest>): Promise<void> {
    try {
      for await (const reply of channel.readable) {
        if (this.#lost !== undefined) break;
        this.#answer(reply);
      }
      this.lost("it closed the connection");
    } catch (error) {
      this.lost(`the connection failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /**
   * Settles the attempt `reply` answers, if it is one in flight here whose request was sent. A
   * malformed answer to such an attempt fails it (retried as the task says), never passes as a result.
   */
  #answer(reply: ExecReply): void {
    if (typeof reply !== "object" || reply === null || reply.op !== "done" || typeof reply.key !== "number") {
      return this.#events.onIgnored?.('a message that is no answer (expected { op: "done", key: <number>, ok })');
    }
    const entry = this.#pending.get(reply.key);
    if (entry === undefined || !entry.sent) {
      return this.#events.onIgnored?.(`an answer to attempt ${reply.key}, which is not in flight there`);
    }
    this.#pending.delete(reply.key);
    if (reply.ok === true && "result" in reply && reply.result !== undefined) {
      this.#events.onAnswered?.();
      return entry.resolvers.resolve(reply.result);
    }
    if (
      reply.ok !== false || typeof reply.error !== "object" || reply.error === null ||
      typeof reply.error.message !== "string"
    ) {
      return entry.resolvers.reject(
        new TypeError(
          `Peer ${this.peerId} sent a malformed answer to attempt ${reply.key}: ` +
            "expected { ok: true, result } or { ok: false, error }",
        ),
      );
    }
    const error = rebuildError(reply.error);
    if (error instanceof PeerLostError) {
      // The peer hands the attempt back (it shuts down): place it again, and nothing more here.
      entry.resolvers.reject(error);
      return this.lost(`it handed an attempt back (${reply.error.message})`);
    }
    this.#events.onAnswered?.();
    entry.resolvers.reject(error);
  }
}
