/**
 * Batching "in the same turn": what the code running now writes, and the microtasks it queued
 * write (a reader handing each message on through a few promise turns, a task finishing in a
 * microtask and its answer), goes out in one batch once the turn of the event loop is over.
 * Settling after a fixed number of idle microtask turns is not enough: a serve loop reading one
 * message at a time from a Web Stream spends more turns than that between two writes, and every
 * answer then went out in a frame of its own. The end of a turn costs a few µs (`setImmediate`),
 * not the millisecond `setTimeout(0)` does.
 *
 * @module
 */
import { afterTurn } from "../runtime/next_turn.ts";

/** Calls `flush` once the current turn is over, when `touch()` was called in it. */
export class SettleScheduler {
  readonly #flush: () => void;
  #queued = false;

  constructor(flush: () => void) {
    this.#flush = flush;
  }

  /** Notes new work; the flush runs after the current turn. */
  touch(): void {
    if (this.#queued) return;
    this.#queued = true;
    afterTurn(this.#run);
  }

  readonly #run = (): void => {
    this.#queued = false;
    this.#flush();
  };
}
