/**
 * A channel's receive buffer: the messages that arrived and that its consumer has not read, with
 * the bytes they took in their frames (what the byte credit counts), and the peaks of both.
 *
 * Messages are handed to the consumer's stream a whole buffer at a time, not one per read (each
 * read that had to ask for one cost a pull, a promise and its reaction), and stay counted as
 * buffered until the consumer has read them all: the stream asks for more only then, which is
 * when their credit goes back. So the window still bounds everything received and not read.
 *
 * @module
 */
import { Fifo } from "./fifo.ts";

/** Messages received and not yet read. */
export class Inbox<T> {
  /** Frames not handed over yet, each with the bytes its messages took. */
  readonly #frames = new Fifo<{ messages: readonly T[]; bytes: number }>();
  #queued = 0;
  #queuedBytes = 0;
  /** Handed over to the consumer's stream, not all read yet. */
  #unread = 0;
  #unreadBytes = 0;
  #peak = 0;
  #peakBytes = 0;

  /** Messages buffered: waiting here, or handed over and not read yet. */
  get length(): number {
    return this.#queued + this.#unread;
  }

  /** Bytes of the messages buffered. */
  get bytes(): number {
    return this.#queuedBytes + this.#unreadBytes;
  }

  /** Messages waiting to be handed over. */
  get waiting(): number {
    return this.#queued;
  }

  /** The highest `length` so far. */
  get peak(): number {
    return this.#peak;
  }

  /** The highest `bytes` so far. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Buffers a frame's `messages`, which took `bytes` in all. */
  add(messages: readonly T[], bytes: number): void {
    this.#frames.push({ messages, bytes });
    this.#queued += messages.length;
    this.#queuedBytes += bytes;
    this.#peak = Math.max(this.#peak, this.length);
    this.#peakBytes = Math.max(this.#peakBytes, this.bytes);
  }

  /** Hands every waiting message to `deliver`, in order; they count as unread until `read()`. */
  handOver(deliver: (message: T) => void): void {
    for (let frame = this.#frames.shift(); frame !== undefined; frame = this.#frames.shift()) {
      for (const message of frame.messages) deliver(message);
      this.#unread += frame.messages.length;
      this.#unreadBytes += frame.bytes;
    }
    this.#queued = 0;
    this.#queuedBytes = 0;
  }

  /** The consumer has read everything handed over: says how much that frees. */
  read(): { count: number; bytes: number } {
    const read = { count: this.#unread, bytes: this.#unreadBytes };
    this.#unread = 0;
    this.#unreadBytes = 0;
    return read;
  }

  /** Drops everything buffered, handed over or not; says how much that was. */
  drop(): { count: number; bytes: number } {
    const dropped = { count: this.length, bytes: this.bytes };
    this.#frames.clear();
    this.#queued = 0;
    this.#queuedBytes = 0;
    this.#unread = 0;
    this.#unreadBytes = 0;
    return dropped;
  }
}
