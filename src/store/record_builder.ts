/**
 * The record the events of one turn become, built as they are appended: their JSON as UTF-8, one
 * after the other in one buffer, with room for the frame's header before them.
 *
 * Kept as bytes rather than strings: a backlog waiting for the disk (a million tasks submitted at
 * once) holds about the JSON's length per event, instead of a string and a list slot each, and a
 * record needs no join and no second encoding when it is written.
 *
 * @module
 */
import { HEADER_SIZE, sealFrame } from "./log_format.ts";

const encoder = new TextEncoder();
const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]
/** A record's buffer to begin with, unless it is known to fill up (see the constructor). */
export const INITIAL_RECORD_BYTES = 512;

/** A record of events being built: `[` event `,` event … `]` after a frame header. */
export class RecordBuilder {
  /** The seq of its first event. */
  readonly first: number;
  /** Events added. */
  count = 0;
  readonly #limit: number;
  #buffer: Uint8Array;
  /** Bytes used, the header's room included. */
  #length = HEADER_SIZE;

  /**
   * A record whose first event will have seq `first`; its buffer starts at `initial` bytes and
   * grows by doubling up to about `limit` (a record that follows a full one in the same turn
   * starts at the limit: doubling its way up would leave a trail of buffers for the collector).
   */
  constructor(first: number, limit: number, initial: number = INITIAL_RECORD_BYTES) {
    this.first = first;
    this.#limit = limit;
    this.#buffer = new Uint8Array(initial);
  }

  /** Bytes of JSON (and separators) added so far. */
  get bytes(): number {
    return this.#length - HEADER_SIZE;
  }

  /** Adds one event, given as its JSON text. */
  add(json: string): void {
    // Room for the separator, the text at 3 bytes a UTF-16 unit (UTF-8's worst case) and the `]`.
    const needed = this.#length + 2 + json.length * 3;
    if (needed > this.#buffer.length) this.#grow(needed);
    this.#buffer[this.#length++] = this.count === 0 ? OPEN : COMMA;
    this.#length += encoder.encodeInto(json, this.#buffer.subarray(this.#length)).written;
    this.count++;
  }

  /** The frame: its header written, then the events as one JSON array. Call once, after the last `add`. */
  frame(): Uint8Array {
    this.#buffer[this.#length] = this.count === 0 ? OPEN : CLOSE;
    if (this.count === 0) this.#buffer[++this.#length] = CLOSE;
    return sealFrame(this.#buffer.subarray(0, this.#length + 1), this.count);
  }

  #grow(needed: number): void {
    // Doubling, but not far past the limit: a record is closed once it is over it.
    const size = Math.max(needed, Math.min(this.#buffer.length * 2, this.#limit));
    const buffer = new Uint8Array(size);
    buffer.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = buffer;
  }
}
