/**
 * Many protocol messages as one: what a peer writes within one tick goes out as a single
 * `{ op: "batch" }` message, so the per-message costs of the channel (a stream write, a frame
 * entry, a unit of credit) are paid once per batch. Receivers unpack with {@linkcode unbatch}.
 *
 * @module
 */

/** Most messages in one batch: keeps a batch far below the frame size limit. */
export const MAX_BATCH = 256;

/** A batch on the wire. */
export interface Batch<T> {
  op: "batch";
  messages: T[];
}

/** Collects messages written in one tick and writes them as one batch. */
export class MessageBatcher<T> {
  readonly #writer: WritableStreamDefaultWriter<T | Batch<T>>;
  readonly #onError: (error: unknown) => void;
  #pending: T[] = [];
  #scheduled = false;

  /** `onError` hears of a failed write (the channel broke). */
  constructor(writer: WritableStreamDefaultWriter<T | Batch<T>>, onError: (error: unknown) => void = () => {}) {
    this.#writer = writer;
    this.#onError = onError;
  }

  /** Queues `message`; it is written at the end of this tick. */
  push(message: T): void {
    this.#pending.push(message);
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
