/**
 * The slots of this process's embedded worker: how many attempts may run here at once, how many
 * do, which wait for a slot, and how those that ran ended. The local scheduler and the attempt
 * runner (attempts other owners place here) take from this one budget, so together they never
 * run more than `limit` attempts at once, and one set of counts reports them both.
 *
 * @module
 */
import { checkConcurrency } from "./scheduler_options.ts";

/** How the attempts and runs of the embedded worker ended, for status reports. */
export interface WorkerCounts {
  submitted: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** One budget of attempt slots, shared by everything that runs attempts on this process. */
export class WorkerSlots {
  #limit: number;
  #used = 0;
  /** Starts waiting for a slot, first come first served (a `Set` keeps their order and drops one at once). */
  readonly #line = new Set<() => void>();
  #onRoom: (() => void) | undefined;
  /** The counts the scheduler and the attempt runner keep of what ran on these slots. */
  readonly counts: WorkerCounts = { submitted: 0, succeeded: 0, failed: 0, cancelled: 0 };

  constructor(limit = 1024) {
    this.#limit = checkConcurrency(limit);
  }

  /** Most attempts running at once. */
  get limit(): number {
    return this.#limit;
  }

  /** Attempts running now (each holds a slot). */
  get used(): number {
    return this.#used;
  }

  /** Attempts waiting in line for a slot. */
  get waiting(): number {
    return this.#line.size;
  }

  /** Whether a slot is free. Never while anyone waits in line: a released slot goes to the line first. */
  get free(): boolean {
    return this.#used < this.#limit;
  }

  /** Changes the limit; a higher one lets attempts waiting in line start. */
  setLimit(limit: number): void {
    this.#limit = checkConcurrency(limit);
    while (this.#used < this.#limit && this.#line.size > 0) {
      this.#used++;
      this.#grant();
    }
    if (this.free) this.#onRoom?.();
  }

  /** Calls `listener` whenever a slot frees up that no one waits for (the scheduler tries its queue). */
  onRoom(listener: (() => void) | undefined): void {
    this.#onRoom = listener;
  }

  /** Takes a free slot; the caller checked {@linkcode free}. */
  take(): void {
    this.#used++;
  }

  /**
   * Calls `start` holding a slot: now, if one is free, else when one is released, after the
   * attempts that were in line before it. `start` always runs in a microtask of its own, never
   * inside the caller or the code that released the slot.
   */
  queue(start: () => void): void {
    if (this.#used < this.#limit) {
      this.#used++;
      queueMicrotask(start);
    } else this.#line.add(start);
  }

  /** Takes `start` out of the line; false if it is not there (it was given a slot already). */
  dequeue(start: () => void): boolean {
    return this.#line.delete(start);
  }

  /**
   * Gives a slot back. Attempts in line come first: an owner placed them here on this process's
   * room (and waits for them), while the scheduler's own runs can still go to other peers.
   */
  release(): void {
    if (this.#line.size > 0) return this.#grant();
    this.#used--;
    this.#onRoom?.();
  }

  /** Hands the slot just freed to the first in line. */
  #grant(): void {
    const [start] = this.#line;
    this.#line.delete(start);
    queueMicrotask(start);
  }
}
