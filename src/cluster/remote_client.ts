/**
 * The client side of task dispatch: a pure client submits to the worker at an address and waits
 * for its answers on one channel.
 *
 * @module
 */
import { type Clock, type Encoded, SerializationError } from "../common/mod.ts";
import type { Channel, NetNode } from "../net/mod.ts";
import { type AnyStep, EncodedResultHandle, type RunHandle, type RunStatus } from "../task/mod.ts";
import { type Batch, MessageBatcher, unbatch } from "./batch.ts";
import { type ActorRequest, type ClientMessage, rebuildError, TASKS_PROTOCOL, type WorkerMessage } from "./protocol.ts";

interface Pending {
  status: RunStatus;
  done: PromiseWithResolvers<Encoded>;
}

/** A connection to one worker for submitting work. */
export class RemoteClient {
  readonly #channel: Channel<WorkerMessage | Batch<WorkerMessage>, ClientMessage | Batch<ClientMessage>>;
  readonly #writer: WritableStreamDefaultWriter<ClientMessage | Batch<ClientMessage>>;
  readonly #outbox: MessageBatcher<ClientMessage>;
  readonly #clock: Clock;
  readonly #pending = new Map<string, Pending>();
  #nextRequest = 1;

  private constructor(channel: Channel<WorkerMessage | Batch<WorkerMessage>, ClientMessage | Batch<ClientMessage>>, clock: Clock) {
    this.#channel = channel;
    this.#writer = channel.writable.getWriter();
    this.#outbox = new MessageBatcher(this.#writer, {
      onError: (error) => this.#failAll(error),
      // A submission too big for a frame fails on its own; the channel and the rest go on.
      onRefused: (message, error) => {
        const pending = this.#pending.get(message.id);
        if (pending !== undefined) this.#settle(message.id, () => pending.done.reject(new SerializationError(`the submission "${message.id}"`, error.message)));
      },
    });
    this.#clock = clock;
    this.#read().catch((error) => this.#failAll(error));
  }

  /** Connects to the worker at `address` (a multiaddr with `/p2p/<id>`). */
  static async connect(node: NetNode, address: string, clock: Clock): Promise<RemoteClient> {
    return new RemoteClient(await node.openChannel(address, TASKS_PROTOCOL), clock);
  }

  /**
   * Sends `step` to run under `id`; the handle settles with the worker's answer, and reports
   * `"running"` from submission until then.
   */
  submit<T>(id: string, step: AnyStep): RunHandle<T> {
    // The worker answers by id: a second live run under one id would take the first one's answer.
    if (this.#pending.has(id)) throw new TypeError(`submit() option id must be new: "${id}" is still running`);
    const pending: Pending = { status: "running", done: Promise.withResolvers<Encoded>() };
    pending.done.promise.catch(() => {});
    this.#pending.set(id, pending);
    this.#outbox.push({ op: "submit", id, step });
    return new RemoteHandle<T>(id, pending, this.#clock, () => {
      if (!this.#pending.has(id)) return Promise.resolve(false);
      this.#outbox.push({ op: "cancel", id });
      return Promise.resolve(true);
    });
  }

  /** Sends an actor request; resolves with the worker's encoded answer. */
  request(message: DistributiveOmit<ActorRequest, "id">): Promise<Encoded> {
    const id = `r${this.#nextRequest++}`;
    const pending: Pending = { status: "running", done: Promise.withResolvers<Encoded>() };
    this.#pending.set(id, pending);
    this.#outbox.push({ ...message, id } as ActorRequest);
    return pending.done.promise;
  }

  /** Closes the channel. */
  async close(): Promise<void> {
    this.#outbox.flush();
    await this.#writer.close().catch(() => {});
  }

  async #read(): Promise<void> {
    for await (const received of this.#channel.readable) {
      for (const message of unbatch(received)) {
        const pending = this.#pending.get(message.id);
        if (pending === undefined) continue;
        if (message.ok) this.#settle(message.id, () => ((pending.status = "succeeded"), pending.done.resolve(message.result)));
        else {
          const error = rebuildError(message.error);
          pending.status = error.code === "CANCELLED" ? "cancelled" : "failed";
          this.#settle(message.id, () => pending.done.reject(error));
        }
      }
    }
    this.#failAll(new Error("the worker closed the connection"));
  }

  #settle(id: string, settle: () => void): void {
    this.#pending.delete(id);
    settle();
  }

  #failAll(error: unknown): void {
    for (const [id, pending] of this.#pending) {
      pending.status = "failed";
      this.#settle(id, () => pending.done.reject(error));
    }
  }
}

/** The handle of work submitted to a worker: its outcome is the worker's answer. */
class RemoteHandle<T> extends EncodedResultHandle<T> {
  readonly id: string;
  protected readonly clock: Clock;
  readonly #pending: Pending;
  readonly #cancel: () => Promise<boolean>;

  constructor(id: string, pending: Pending, clock: Clock, cancel: () => Promise<boolean>) {
    super();
    this.id = id;
    this.#pending = pending;
    this.clock = clock;
    this.#cancel = cancel;
  }

  protected outcome(): Promise<Encoded> {
    return this.#pending.done.promise;
  }

  status(): Promise<RunStatus> {
    return Promise.resolve(this.#pending.status);
  }

  cancel(): Promise<boolean> {
    return this.#cancel();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
