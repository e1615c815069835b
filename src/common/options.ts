/**
 * The one check every options object gets: an option the code does not know is an error (a
 * misspelt `retires: 3` would otherwise be silently ignored), naming the options it does know.
 *
 * @module
 */

/**
 * Throws a `TypeError` when `value` is not a plain options object, or has a key outside `known`.
 * `undefined` passes (the options are optional). `where` names the options in the message, e.g.
 * `Task "fetch" options` or `submit() options`.
 *
 * @example
 * ```ts
 * checkOptionKeys("submit() options", { id: "a" }, ["id"]); // fine
 * checkOptionKeys("submit() options", { ids: "a" }, ["id"]); // TypeError: … has no option "ids" (known: id)
 * ```
 */
export function checkOptionKeys(where: string, value: unknown, known: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw new TypeError(`${where} must be an object of options (${known.join(", ")}), got ${got}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const near = nearestName(key, known);
      const hint = near === undefined ? "" : `; did you mean "${near}"?`;
      throw new TypeError(`${where} has no option "${key}" (known: ${known.join(", ")})${hint}`);
    }
  }
}

/**
 * The known name closest to `key` by edit distance, if it is close enough to be a likely typo
 * (or contains `key`): the "did you mean" of option and command names.
 */
export function nearestName(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  // A part of the name (`restarts` for `maxRestarts`) is as likely a slip as a typo.
  const containing = known.find((name) => lower.length >= 3 && name.toLowerCase().includes(lower));
  if (containing !== undefined) return containing;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}
