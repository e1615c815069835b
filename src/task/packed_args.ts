/**
 * A task's encoded arguments in the least memory, for what every queued task holds (its run, and
 * in a durable app its record in the log's state): a flat list of primitives as the list alone,
 * and a list of one primitive as that value; anything else as it was encoded.
 *
 * @module
 */
import { decode, type Encoded, type JsonPrimitive } from "../common/mod.ts";

/** Encoded arguments, packed by {@linkcode packArgs}. */
export type PackedArgs = Encoded | readonly JsonPrimitive[] | JsonPrimitive;

/** `args` (an encoded argument list) in its packed form. */
export function packArgs(args: Encoded): PackedArgs {
  return args.t !== "a" ? args : args.v.length === 1 ? args.v[0] : args.v;
}

/** The encoded argument list `packed` stands for (wrapped again, as it was before packing). */
export function unpackArgs(packed: PackedArgs): Encoded {
  if (Array.isArray(packed)) return { t: "a", v: packed };
  if (typeof packed === "object" && packed !== null) return packed as Encoded;
  return { t: "a", v: [packed as JsonPrimitive] };
}

/** A fresh decoded copy of the arguments `packed` stands for (made without the encoded wrapper). */
export function decodeArgs(packed: PackedArgs): unknown[] {
  if (Array.isArray(packed)) return packed.slice();
  if (typeof packed === "object" && packed !== null) return decode<unknown[]>(packed as Encoded);
  return [packed];
}
