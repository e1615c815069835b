/**
 * Many protocol messages as one: what a peer writes within one tick goes out as a single
 * `{ op: "batch" }` message, so the per-message costs of the channel (a stream write, a frame
 * entry, a unit of credit) are paid once per batch. Receivers unpack with {@linkcode unbatch}.
 *
 * @module
 */

import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, messageSize } from "../net/mod.ts";

/** Most messages in one batch. */
export const MAX_BATCH = 256;
/** Most bytes of messages in one batch: what fits a frame, with room for the batch's own wrapping. */
export const MAX_BATCH_BYTES = DEFAULT_MAX_FRAME_BYTES - FRAME_HEADER_BYTES - 64;

/** Options of {@linkcode MessageBatcher}. */
export interface BatcherOptions<T> {
  /** Hears of a failed write (the channel broke). */
  onError?: (error: unknown) => void;
  /**
   * Gets a message too big for any frame (or that cannot be encoded) instead of the channel, which
   * would fail as a whole: answer it with an error in its place.
   */
  onRefused?: (message: T, error: Error) => void;
}

/** A batch on the wire. */
export interface Batch<T> {
  op: "batch";
  messages: T[];
}

/** Collects messages written in one tick and writes them as one batch. */
export class MessageBatcher<T> {
  readonly #writer: WritableStreamDefaultWriter<T | Batch<T>>;
  readonly #onError: (error: unknown) => void;
  readonly #onRefused: (message: T, error: Error) => void;
  #pending: T[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(writer: WritableStreamDefaultWriter<T | Batch<T>>, options: BatcherOptions<T> = {}) {
    this.#writer = writer;
    this.#onError = options.onError ?? (() => {});
    this.#onRefused = options.onRefused ?? ((_message, error) => this.#onError(error));
  }

  /** Queues `message`; it is written at the end of this tick. */
  push(message: T): void {
    let size: number;
    try {
      size = messageSize(message);
    } catch (error) {
      return this.#onRefused(message, error as Error);
    }
    if (size > MAX_BATCH_BYTES) {
      return this.#onRefused(
        message,
        new RangeError(`a message of ${size} bytes does not fit in a frame (at most ${MAX_BATCH_BYTES})`),
      );
    }
    if (this.#bytes + size > MAX_BATCH_BYTES) this.flush();
    this.#pending.push(message);
    this.#bytes += size;
    if (this.#pending.length >= MAX_BATCH) return this.flush();
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Resolves when the channel has room again: readers await it so replies cannot pile up unsent. */
  ready(): Promise<void> {
    return this.#writer.ready;
  }

  /** Writes what is queued, then closes the channel's writable side. */
  async close(): Promise<void> {
    this.flush();
    await this.#writer.close();
  }

  /** Writes what is queued now. */
  flush(): void {
    this.#scheduled = false;
    const messages = this.#pending;
    if (messages.length === 0) return;
    this.#pending = [];
    this.#bytes = 0;
    const message = messages.length === 1 ? messages[0] : { op: "batch" as const, messages };
    this.#writer.write(message).catch(this.#onError);
  }
}

/** The messages `message` carries: its batch's, or itself. */
export function unbatch<T>(message: T | Batch<T>): readonly T[] {
  const batch = message as Batch<T> | undefined;
  if (batch?.op === "batch") {
    if (!Array.isArray(batch.messages)) throw new TypeError("a batch must carry a list of messages");
    return batch.messages;
  }
  return [message as T];
}
