/**
 * An actor's mailbox: a Web Stream with a bounded queue. Senders that find it full wait in line
 * (backpressure) up to a deadline, then get an error; messages leave in the order they came.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../common/mod.ts";

interface Waiter<M> {
  message: M;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: TimerHandle | undefined;
  gone: boolean;
}

/** Options of a {@linkcode Mailbox}. */
export interface MailboxOptions {
  /** Most messages queued at once. */
  capacity: number;
  clock: Clock;
}

/** A bounded FIFO of messages, read by exactly one consumer. */
export class Mailbox<M> {
  readonly capacity: number;
  /** The stream the consumer reads; its queue is the mailbox. */
  readonly readable: ReadableStream<M>;
  readonly #clock: Clock;
  readonly #reader: ReadableStreamDefaultReader<M>;
  #controller!: ReadableStreamDefaultController<M>;
  #waiters: Waiter<M>[] = [];
  #waitHead = 0;
  #closing = false;
  #closed = false;

  constructor(options: MailboxOptions) {
    const { capacity } = options;
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`mailbox capacity must be an integer > 0, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#clock = options.clock;
    this.readable = new ReadableStream<M>(
      { start: (controller) => void (this.#controller = controller) },
      new CountQueuingStrategy({ highWaterMark: capacity }),
    );
    this.#reader = this.readable.getReader();
  }

  /** Messages waiting in the queue (not counting senders held back by backpressure). */
  get size(): number {
    return this.capacity - (this.#controller.desiredSize ?? 0);
  }

  /** Senders waiting for room. */
  get waiting(): number {
    return this.#waiters.length - this.#waitHead;
  }

  /**
   * Puts `message` in the queue. Returns nothing when there was room; otherwise a promise that
   * resolves once the message is in, or rejects with `onTimeout()` after `waitMs`.
   */
  post(message: M, waitMs: number, onTimeout: () => Error): void | Promise<void> {
    if (this.#closing) throw new TypeError("mailbox is closed");
    if (this.#waitHead === this.#waiters.length && this.#controller.desiredSize! > 0) {
      this.#controller.enqueue(message);
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<M> = { message, resolve, reject, timer: undefined, gone: false };
      waiter.timer = this.#clock.setTimeout(() => {
        waiter.gone = true;
        reject(onTimeout());
      }, waitMs);
      this.#waiters.push(waiter);
    });
  }

  /** The next message, or `done` once the mailbox is closed and empty. */
  async take(): Promise<ReadableStreamReadResult<M>> {
    const next = await this.#reader.read();
    if (this.#waitHead < this.#waiters.length) this.#admit();
    // Checked after admitting: senders that timed out leave nothing to admit, and must not keep a
    // closing mailbox open.
    if (this.#closing && this.size === 0 && this.#waitHead === this.#waiters.length) this.#finish();
    return next;
  }

  /** Stops accepting messages; `take` returns what is queued (and held back), then `done`. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.size === 0 && this.waiting === 0) this.#finish();
  }

  /**
   * Closes at once and hands back the messages of senders still waiting for room. Messages already
   * in the queue are not included: `take` still returns them, then `done`.
   */
  drainAll(): M[] {
    this.#closing = true;
    const left: M[] = [];
    for (let i = this.#waitHead; i < this.#waiters.length; i++) {
      const waiter = this.#waiters[i];
      if (waiter.gone) continue;
      waiter.timer?.cancel();
      waiter.resolve();
      left.push(waiter.message);
    }
    this.#waiters = [];
    this.#waitHead = 0;
    this.#finish();
    return left;
  }

  #admit(): void {
    while (this.#waitHead < this.#waiters.length && this.#controller.desiredSize! > 0) {
      const waiter = this.#waiters[this.#waitHead++];
      if (waiter.gone) continue;
      waiter.timer?.cancel();
      this.#controller.enqueue(waiter.message);
      waiter.resolve();
    }
    if (this.#waitHead === this.#waiters.length) {
      this.#waiters = [];
      this.#waitHead = 0;
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
  }
}
