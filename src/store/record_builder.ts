/**
 * The record the events of one turn become, built as they are appended: their JSON as UTF-8, one
 * after the other in one buffer, with room for the frame's header before them.
 *
 * Kept as bytes rather than strings: a backlog waiting for the disk (a million tasks submitted at
 * once) holds about the JSON's length per event, instead of a string and a list slot each, and a
 * record needs no join and no second encoding when it is written.
 *
 * A deferred event (see {@linkcode DeferredEvent}) is held as its reference instead, and its
 * JSON made only when the frame is: the record remembers where among the others it goes. The
 * frame's bytes are the same either way.
 *
 * @module
 */
import { freeBytes } from "./free_bytes.ts";
import type { DeferredEvent } from "./journal.ts";
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
  readonly #initial: number;
  /** The events added as JSON, each after its separator; made on the first (a record may have none). */
  #buffer: Uint8Array | undefined;
  /** Bytes used, the header's room included. */
  #length = HEADER_SIZE;
  /** The deferred events, in order. */
  #deferred: DeferredEvent[] | undefined;
  /**
   * Where they go, as pairs: the deferred events up to index `marks[i + 1]` (from the previous
   * pair's) come after the buffer's bytes up to `marks[i]`. One pair per run of deferred events.
   */
  #marks: number[] | undefined;
  /** What the deferred events are counted for, their separators included. */
  #deferredBytes = 0;

  /**
   * A record whose first event will have seq `first`; its buffer starts at `initial` bytes and
   * grows by doubling up to about `limit` (a record that follows a full one in the same turn
   * starts at the limit: doubling its way up would leave a trail of buffers for the collector).
   */
  constructor(first: number, limit: number, initial: number = INITIAL_RECORD_BYTES) {
    this.first = first;
    this.#limit = limit;
    this.#initial = initial;
  }

  /** Bytes of JSON (and separators) added so far, deferred events counted as they tell. */
  get bytes(): number {
    return this.#length - HEADER_SIZE + this.#deferredBytes;
  }

  /** Adds one event, given as its JSON text. */
  add(json: string): void {
    // Room for the separator, the text at 3 bytes a UTF-16 unit (UTF-8's worst case) and the `]`.
    const needed = this.#length + 2 + json.length * 3;
    if (this.#buffer === undefined) {
      // A record that began with deferred events keeps them as references: its own bytes are few.
      const initial = this.#deferred === undefined ? this.#initial : INITIAL_RECORD_BYTES;
      this.#buffer = new Uint8Array(Math.max(initial, needed));
    } else if (needed > this.#buffer.length) this.#grow(needed);
    const buffer = this.#buffer;
    buffer[this.#length++] = this.count === 0 ? OPEN : COMMA;
    this.#length += encoder.encodeInto(json, buffer.subarray(this.#length)).written;
    this.count++;
  }

  /** Adds one event by reference: its JSON is made by `frame`. */
  defer(source: DeferredEvent): void {
    const deferred = this.#deferred ??= [];
    const marks = this.#marks ??= [];
    deferred.push(source);
    const last = marks.length - 2;
    if (last >= 0 && marks[last] === this.#length) marks[last + 1] = deferred.length;
    else marks.push(this.#length, deferred.length);
    this.#deferredBytes += source.deferredBytes + 1;
    this.count++;
  }

  /** The frame: its header written, then the events as one JSON array. Call once, after the last `add`. */
  frame(): Uint8Array {
    if (this.#deferred !== undefined) return this.#frameDeferred(this.#deferred, this.#marks!);
    const buffer = this.#buffer ??= new Uint8Array(HEADER_SIZE + 2);
    buffer[this.#length] = this.count === 0 ? OPEN : CLOSE;
    if (this.count === 0) buffer[++this.#length] = CLOSE;
    return sealFrame(buffer.subarray(0, this.#length + 1), this.count);
  }

  /**
   * The frame of a record with deferred events: a new buffer, the added events' bytes copied into
   * it between the deferred ones' JSON, made now. The sources are told and let go.
   */
  #frameDeferred(deferred: DeferredEvent[], marks: number[]): Uint8Array {
    const buffer = this.#buffer;
    const expected = HEADER_SIZE + this.bytes;
    let frame = new Uint8Array(expected + (expected >> 3) + 64);
    let at = HEADER_SIZE;
    /** The buffer's bytes copied so far (up to this offset). */
    let copied = HEADER_SIZE;
    const room = (bytes: number): void => {
      if (at + bytes < frame.length) return;
      // The sources told too little: grow by half, as a guess that is low once is likely low again.
      const grown = new Uint8Array(Math.max(at + bytes + 1, frame.length + (frame.length >> 1)));
      grown.set(frame.subarray(0, at));
      freeBytes(frame);
      frame = grown;
    };
    const copy = (end: number): void => {
      if (end === copied) return;
      room(end - copied);
      frame.set(buffer!.subarray(copied, end), at);
      at += end - copied;
      copied = end;
    };
    let next = 0;
    for (let i = 0; i < marks.length; i += 2) {
      copy(marks[i]);
      for (const end = marks[i + 1]; next < end; next++) {
        const json = JSON.stringify(deferred[next].deferredEvent());
        room(1 + json.length * 3);
        frame[at] = at === HEADER_SIZE ? OPEN : COMMA;
        at++;
        at += encoder.encodeInto(json, frame.subarray(at)).written;
      }
    }
    copy(this.#length);
    room(1);
    frame[at] = CLOSE;
    for (const source of deferred) source.deferredWritten();
    this.#deferred = this.#marks = undefined;
    if (buffer !== undefined) freeBytes(buffer);
    this.#buffer = undefined;
    return sealFrame(frame.subarray(0, at + 1), this.count);
  }

  #grow(needed: number): void {
    // Doubling, but not far past the limit: a record is closed once it is over it.
    const size = Math.max(needed, Math.min(this.#buffer!.length * 2, this.#limit));
    const buffer = new Uint8Array(size);
    buffer.set(this.#buffer!.subarray(0, this.#length));
    this.#buffer = buffer;
  }
}
