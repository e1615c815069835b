/**
 * The owner's side of attempt dispatch to one peer: one channel, opened on first use, carrying
 * every attempt placed there. When the peer leaves, every attempt still out there is rejected
 * with `PeerLostError`, so the scheduler places it again.
 *
 * @module
 */
import { type Encoded, PeerLostError, SerializationError } from "../common/mod.ts";
import type { Channel, NetNode } from "../net/mod.ts";
import type { RemoteAttempt, RemoteCall, RemoteWorker } from "../task/mod.ts";
import { type Batch, MessageBatcher, unbatch } from "./batch.ts";
import { EXEC_PROTOCOL, type ExecReply, type ExecRequest } from "./exec_protocol.ts";
import { rebuildError } from "./protocol.ts";

/** A peer that runs attempts for this owner. */
export class PeerWorker implements RemoteWorker {
  readonly peerId: string;
  readonly #node: NetNode;
  readonly #onSettled: () => void;
  readonly #pending = new Map<number, PromiseWithResolvers<Encoded>>();
  #nextKey = 1;
  #outbox: Promise<MessageBatcher<ExecRequest>> | undefined;
  #lost: string | undefined;

  /** `onSettled` runs after each attempt's answer: the peer has room again. */
  constructor(node: NetNode, peerId: string, onSettled: () => void) {
    this.#node = node;
    this.peerId = peerId;
    this.#onSettled = onSettled;
  }

  /** Attempts sent and not answered yet. */
  get inFlight(): number {
    return this.#pending.size;
  }

  execute(attempt: RemoteAttempt): RemoteCall {
    const key = this.#nextKey++;
    const pending = Promise.withResolvers<Encoded>();
    if (this.#lost !== undefined) {
      pending.reject(new PeerLostError(this.peerId, this.#lost));
      return { result: pending.promise, cancel: () => {} };
    }
    this.#pending.set(key, pending);
    const send = (request: ExecRequest) => this.#open().then((outbox) => outbox.push(request));
    send({ op: "run", key, runId: attempt.runId, task: attempt.task, args: attempt.args, attempt: attempt.attempt })
      .catch((error) => this.lost(`it could not be reached (${error instanceof Error ? error.message : String(error)})`));
    const result = pending.promise.finally(() => {
      this.#pending.delete(key);
      this.#onSettled();
    });
    return {
      result,
      cancel: (reason) => void send({ op: "cancel", key, reason }).catch(() => {}),
    };
  }

  /** The peer is gone: every attempt out there is placed again. Later attempts fail at once. */
  lost(reason: string): void {
    if (this.#lost !== undefined) return;
    this.#lost = reason;
    for (const pending of this.#pending.values()) pending.reject(new PeerLostError(this.peerId, reason));
    this.#pending.clear();
    this.#outbox?.then((outbox) => outbox.close()).catch(() => {});
  }

  #open(): Promise<MessageBatcher<ExecRequest>> {
    this.#outbox ??= (async () => {
      const channel = await this.#node.openChannel<ExecReply | Batch<ExecReply>, ExecRequest | Batch<ExecRequest>>(this.peerId, EXEC_PROTOCOL);
      void this.#read(channel);
      return new MessageBatcher<ExecRequest>(channel.writable.getWriter(), {
        onError: (error) => this.lost(`sending failed (${String(error)})`),
        // Arguments too big for a frame fail their attempt (not retried: they would not fit again).
        onRefused: (request, error) => this.#pending.get(request.key)?.reject(new SerializationError("the attempt's arguments", error.message)),
      });
    })();
    return this.#outbox;
  }

  async #read(channel: Channel<ExecReply | Batch<ExecReply>, ExecRequest | Batch<ExecRequest>>): Promise<void> {
    try {
      for await (const received of channel.readable) {
        for (const reply of unbatch(received)) {
          const pending = this.#pending.get(reply?.key);
          if (pending === undefined) continue;
          if (reply.ok) pending.resolve(reply.result);
          else pending.reject(rebuildError(reply.error));
        }
      }
      this.lost("it closed the connection");
    } catch (error) {
      this.lost(`the connection failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
}
