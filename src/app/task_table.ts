/**
 * The tasks of a durable app's state, by id: what a `Map` of them would be, at a fraction of its
 * memory for the tasks this app submits itself.
 *
 * A burst of a million tasks submitted at once puts a million entries in the state, and a `Map`
 * of them costs about 30 bytes an entry live, and as much again in the tables it outgrew: tables
 * that large are dead only once a full collection has run, which a burst does not get (the
 * process's resident size kept ~80 MB of them). The ids this app's own generator makes are a
 * counter after a fixed head, so their entries go in slots by counter instead, in chunks that are
 * dropped whole once every task in them is gone: 8 bytes an entry, and nothing left to collect
 * but small chunks. Any other id (a caller's, one recovered from the log) goes in a `Map`.
 *
 * @module
 */
import { idCounter } from "../common/mod.ts";
import { TaskRun } from "../task/mod.ts";
import type { TaskEntry } from "./durable_state.ts";

/** Slots per chunk: small enough to stay out of the collector's large-object space, large enough to be few. */
const CHUNK = 1024;

/** Tasks by id (see the module): `get`, `set`, `has`, `delete`, `size` and iteration, as a `Map`'s. */
export class TaskTable {
  /** Entries under ids not of the head's form, and under those whose chunk was dropped before they came. */
  readonly #others = new Map<string, TaskEntry>();
  /** What this app's own task ids begin with; `undefined` puts every id in `#others`. */
  readonly #head: string | undefined;
  /** Chunks of slots by counter, the first holding counters from `#first * CHUNK` on; a dropped one is `undefined`. */
  #chunks: Array<Array<TaskEntry | undefined> | undefined> = [];
  /** Entries in each chunk. */
  #counts: number[] = [];
  #first = -1;
  #slotted = 0;

  constructor(head?: string) {
    this.#head = head;
  }

  /** Entries held. */
  get size(): number {
    return this.#others.size + this.#slotted;
  }

  /** The entry of task `id`. */
  get(id: string): TaskEntry | undefined {
    const counter = this.#counter(id);
    if (counter >= 0) {
      const entry = this.#chunks[Math.floor(counter / CHUNK) - this.#first]?.[counter % CHUNK];
      if (entry !== undefined) return entry;
    }
    return this.#others.get(id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Holds `entry` as the entry of task `id`, in place of the one it had. */
  set(id: string, entry: TaskEntry): this {
    const counter = this.#counter(id);
    const chunk = counter < 0 ? undefined : this.#chunkFor(Math.floor(counter / CHUNK));
    if (chunk === undefined || this.#others.has(id)) {
      this.#others.set(id, entry);
      return this;
    }
    const slot = counter % CHUNK;
    if (chunk[slot] === undefined) {
      this.#counts[Math.floor(counter / CHUNK) - this.#first]++;
      this.#slotted++;
    }
    chunk[slot] = entry;
    return this;
  }

  /** Drops the entry of task `id`; false if there was none. */
  delete(id: string): boolean {
    const counter = this.#counter(id);
    if (counter >= 0) {
      const index = Math.floor(counter / CHUNK) - this.#first;
      const chunk = this.#chunks[index];
      if (chunk !== undefined && chunk[counter % CHUNK] !== undefined) {
        chunk[counter % CHUNK] = undefined;
        this.#slotted--;
        if (--this.#counts[index] === 0) this.#drop(index);
        return true;
      }
    }
    return this.#others.delete(id);
  }

  /** Every entry with its id: the others first, then this app's own in the order they were made. */
  *[Symbol.iterator](): IterableIterator<[string, TaskEntry]> {
    yield* this.#others;
    for (let index = 0; index < this.#chunks.length; index++) {
      const chunk = this.#chunks[index];
      if (chunk === undefined) continue;
      for (let slot = 0; slot < CHUNK; slot++) {
        const entry = chunk[slot];
        if (entry === undefined) continue;
        const id = entry instanceof TaskRun
          ? entry.id
          : this.#head + ((this.#first + index) * CHUNK + slot).toString(36);
        yield [id, entry];
      }
    }
  }

  #counter(id: string): number {
    return this.#head === undefined ? -1 : idCounter(id, this.#head);
  }

  /**
   * The chunk for counters from `number * CHUNK`, made if it is new; `undefined` for one before
   * the first chunk (dropped, or older than the first own id seen): those ids go to the `Map`.
   */
  #chunkFor(number: number): Array<TaskEntry | undefined> | undefined {
    if (this.#first < 0) this.#first = number;
    const index = number - this.#first;
    if (index < 0) return undefined;
    while (this.#chunks.length <= index) {
      this.#chunks.push(undefined);
      this.#counts.push(0);
    }
    return this.#chunks[index] ??= new Array<TaskEntry | undefined>(CHUNK).fill(undefined);
  }

  /** Drops an emptied chunk, and the dropped ones at the front (counters before them never come back). */
  #drop(index: number): void {
    this.#chunks[index] = undefined;
    let empty = 0;
    while (empty < this.#chunks.length && this.#chunks[empty] === undefined) empty++;
    if (empty === 0) return;
    this.#chunks.splice(0, empty);
    this.#counts.splice(0, empty);
    this.#first += empty;
  }
}
