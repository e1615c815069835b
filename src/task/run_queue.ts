/**
 * The runs waiting to start, in the order they were queued, and the loop that starts them: it
 * runs in a microtask after something changed (a run queued, a slot freed, a peer with room), and
 * stops at the first run that cannot start now (no free slot, no peer to place it on), while the
 * queue is paused (recovery), or while the journal pushes back (a burst recorded faster than the
 * disk commits it: an attempt started then would only add its outcome to the backlog, and keep it
 * in memory, when it cannot be acknowledged before the backlog is written anyway).
 *
 * @module
 */
import type { TaskJournal } from "./events.ts";
import type { TaskRun } from "./task_run.ts";

/** Runs per chunk of the queue: small enough to stay out of the collector's large-object space. */
const CHUNK = 1024;

/** A queue of runs, drained through `start`. */
export class RunQueue {
  /** Starts `run` now, or says it cannot (then the drain stops until the next wake). */
  readonly #start: (run: TaskRun) => boolean;
  readonly #journal: TaskJournal;
  /**
   * The runs, in chunks of CHUNK in the order queued; the first is read from `#head` on. Chunks,
   * not one array: a million runs queued at once made one array that grew by copies of itself
   * and was sliced as it drained, all in megabyte-sized pieces only a full collection frees.
   */
  #chunks: TaskRun[][] = [];
  #head = 0;
  #scheduled = false;
  #draining = false;
  #paused = false;
  /** Set while the journal pushes back; cleared when it has caught up enough. */
  #journalBehind = false;

  constructor(start: (run: TaskRun) => boolean, journal: TaskJournal) {
    this.#start = start;
    this.#journal = journal;
  }

  /** Queues `run`; it starts once the runs before it have. */
  push(run: TaskRun): void {
    const chunks = this.#chunks;
    const last = chunks[chunks.length - 1];
    if (last === undefined || last.length === CHUNK) chunks.push([run]);
    else last.push(run);
    this.wake();
  }

  /** Holds queued runs back (while recovery runs) until `resume`. */
  pause(): void {
    this.#paused = true;
  }

  /** Lets queued runs start. */
  resume(): void {
    this.#paused = false;
    this.wake();
  }

  /** Tries the queued runs again soon: something changed that may let one start. */
  wake(): void {
    if (this.#draining || this.#scheduled || this.#chunks.length === 0) return;
    this.#scheduled = true;
    queueMicrotask(this.#drain);
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    if (this.#draining || this.#paused || this.#journalBehind) return;
    this.#draining = true;
    try {
      while (this.#chunks.length > 0 && !this.#waitForJournal()) {
        const first = this.#chunks[0];
        const run = first[this.#head];
        // A run cancelled (or placed again from a timer) while it waited is not started here.
        if (run.status === "queued" && !this.#start(run)) break;
        if (++this.#head === first.length) {
          // A chunk still being filled is dropped too once read: the next push starts another.
          this.#chunks.shift();
          this.#head = 0;
        }
      }
    } finally {
      this.#draining = false;
    }
  };

  /** Whether the journal pushes back; if it does, the drain goes on once it has caught up. */
  #waitForJournal(): boolean {
    const relief = this.#journal.backpressure?.();
    if (relief === undefined) return false;
    this.#journalBehind = true;
    relief.then(() => {
      this.#journalBehind = false;
      this.wake();
    });
    return true;
  }
}
