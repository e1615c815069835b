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

  /**
   * What every id of `kind` this generator makes begins with (`t-3f9a1c2b-`); the rest is its
   * counter in base 36 (read it back with {@linkcode idCounter}).
   */
  headOf(kind: string): string {
    return `${kind}-${this.#prefix}-`;
  }

  /** A new id for something of `kind` (a short tag such as `t` or `wf`). */
  next(kind: string): string {
    // join() makes one flat string (32 bytes for a task's id); a template literal makes a rope of
    // three strings (88 bytes), which every queued task would keep.
    return [kind, this.#prefix, (this.#counter++).toString(36)].join("-");
  }
}

/**
 * The counter of `id` if it is one a generator made with `head` (see `IdGenerator.headOf`), else
 * -1: `head` then the counter in base 36, exactly as `next` writes it (no leading zeros). Reads
 * the characters in place, since it runs for every event of a task its app submitted.
 */
export function idCounter(id: string, head: string): number {
  const start = head.length;
  // Ten digits stay exact (36^10 < 2^53); no generator counts past them.
  if (id.length <= start || id.length > start + 10 || !id.startsWith(head)) return -1;
  if (id.charCodeAt(start) === 48 && id.length > start + 1) return -1; // a leading zero
  let counter = 0;
  for (let i = start; i < id.length; i++) {
    const code = id.charCodeAt(i);
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 122 ? code - 87 : -1;
    if (digit < 0) return -1;
    counter = counter * 36 + digit;
  }
  return counter;
}
