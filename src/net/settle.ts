/**
 * Batching "in the same tick": a Web Streams writer hands its sink one message per microtask turn
 * or two, so a batch is complete once a few turns pass with no new message. Waiting for a macrotask
 * (`setTimeout(0)`) would also batch, but costs a millisecond or more per round trip.
 *
 * @module
 */

/** Microtask turns without a new message before the batch is sent. Writes arrive 1-2 turns apart. */
export const SETTLE_TURNS = 3;

/** Calls `flush` once `touch()` calls stop for {@linkcode SETTLE_TURNS} microtask turns. */
export class SettleScheduler {
  readonly #flush: () => void;
  #queued = false;
  #touched = false;
  #idleTurns = 0;

  constructor(flush: () => void) {
    this.#flush = flush;
  }

  /** Notes new work; the flush runs after the work stops arriving. */
  touch(): void {
    this.#touched = true;
    if (this.#queued) return;
    this.#queued = true;
    this.#idleTurns = 0;
    queueMicrotask(this.#turn);
  }

  /** Forgets pending work that was just flushed by other means. */
  settled(): void {
    this.#touched = false;
  }

  readonly #turn = (): void => {
    if (this.#touched) {
      this.#touched = false;
      this.#idleTurns = 0;
    } else if (++this.#idleTurns >= SETTLE_TURNS) {
      this.#queued = false;
      this.#flush();
      return;
    }
    queueMicrotask(this.#turn);
  };
}
