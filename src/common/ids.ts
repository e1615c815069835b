/**
 * Ids are unique across processes (a random per-generator prefix) and cheap to make (a counter),
 * because one is made per task and per workflow on the hot path.
 *
 * @module
 */

/** Makes ids like `t-3f9a1c2b-1k`: kind, random generator prefix, base-36 counter. */
export class IdGenerator {
  readonly #prefix: string;
  #counter = 0;

  constructor() {
    this.#prefix = crypto.randomUUID().slice(0, 8);
  }

  /** A new id for something of `kind` (a short tag such as `t` or `wf`). */
  next(kind: string): string {
    return `${kind}-${this.#prefix}-${(this.#counter++).toString(36)}`;
  }
}
