/**
 * A channel's receive buffer: the messages that arrived and that its consumer has not read, each
 * with the bytes it took in its frame (what the byte credit counts), and the peaks of both.
 *
 * @module
 */
import { Fifo } from "./fifo.ts";

/** Messages received and not yet read. */
export class Inbox<T> {
  readonly #messages = new Fifo<{ message: T; size: number }>();
  #bytes = 0;
  #peak = 0;
  #peakBytes = 0;

  /** Messages buffered. */
  get length(): number {
    return this.#messages.length;
  }

  /** Bytes of the messages buffered. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The highest `length` so far. */
  get peak(): number {
    return this.#peak;
  }

  /** The highest `bytes` so far. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Buffers a frame's `messages`, which took `sizes` bytes each. */
  add(messages: readonly T[], sizes: readonly number[]): void {
    for (let i = 0; i < messages.length; i++) {
      this.#messages.push({ message: messages[i], size: sizes[i] });
      this.#bytes += sizes[i];
    }
    this.#peak = Math.max(this.#peak, this.#messages.length);
    this.#peakBytes = Math.max(this.#peakBytes, this.#bytes);
  }

  /** The oldest message and its size, taken out; `undefined` when none is buffered. */
  take(): { message: T; size: number } | undefined {
    const taken = this.#messages.shift();
    if (taken !== undefined) this.#bytes -= taken.size;
    return taken;
  }

  /** Drops everything buffered; says how much that was. */
  drop(): { count: number; bytes: number } {
    const dropped = { count: this.#messages.length, bytes: this.#bytes };
    this.#messages.clear();
    this.#bytes = 0;
    return dropped;
  }
}
