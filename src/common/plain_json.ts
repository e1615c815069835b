/**
 * The codec's fast path for plain JSON data (objects and arrays of strings, numbers, booleans and
 * null: what most task arguments and results are). superjson walks such a value through its own
 * machinery (paths, annotations) at about ten times what a copy costs, and needs none of it: JSON
 * carries the value exactly. A value is plain only if a copy of it is indistinguishable from what
 * superjson would give back, so anything else (a Date, a Map, -0, an undefined member, an object
 * seen twice, a `__proto__` key) goes to superjson as before.
 *
 * @module
 */
import type { JsonValue } from "./codec.ts";

/** What {@linkcode plainJsonCopy} returns for a value that is not plain JSON. */
export const NOT_PLAIN: unique symbol = Symbol("not plain JSON");

/** Deepest plain value copied here; deeper ones go to superjson (which handles any depth). */
const MAX_DEPTH = 64;

/**
 * A copy of `value` if it is plain JSON data, else {@linkcode NOT_PLAIN}: plain objects (no
 * symbol keys, no `__proto__` key) and dense arrays, of strings, finite numbers other than -0,
 * booleans and null, each object met once (superjson keeps shared references shared).
 */
export function plainJsonCopy(value: unknown): JsonValue | typeof NOT_PLAIN {
  return copyPlain(value, 0, new Set());
}

function copyPlain(value: unknown, depth: number, seen: Set<object>): JsonValue | typeof NOT_PLAIN {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case "object":
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH || seen.has(value)) return NOT_PLAIN;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    const copy = new Array<JsonValue>(array.length);
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) return NOT_PLAIN;
      const item = copyPlain(array[i], depth + 1, seen);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
    }
    return copy;
  }
  if (proto !== Object.prototype || Object.getOwnPropertySymbols(value).length > 0) return NOT_PLAIN;
  const copy: Record<string, JsonValue> = {};
  for (const key in value) {
    if (key === "__proto__" || !Object.hasOwn(value, key)) return NOT_PLAIN;
    const item = copyPlain((value as Record<string, unknown>)[key], depth + 1, seen);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
}

/**
 * A fresh copy of plain JSON data (an encoded value's, which may have come from the network: a
 * `__proto__` key is copied as an own property, never as the prototype).
 */
export function copyJson(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, JsonValue>)[key]);
    if (key === "__proto__") Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true });
    else copy[key] = item;
  }
  return copy;
}
