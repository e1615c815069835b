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
    // getRandomValues, not randomUUID: browsers offer randomUUID only in secure contexts (https,
    // localhost), and an app served over plain http from a LAN address must still work.
    const bytes = crypto.getRandomValues(new Uint8Array(4));
    this.#prefix = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  /** A new id for something of `kind` (a short tag such as `t` or `wf`). */
  next(kind: string): string {
    // join() makes one flat string (32 bytes for a task's id); a template literal makes a rope of
    // three strings (88 bytes), which every queued task would keep.
    return [kind, this.#prefix, (this.#counter++).toString(36)].join("-");
  }
}
