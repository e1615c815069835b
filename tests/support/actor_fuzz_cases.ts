// The cases of the actor hosting protocol fuzz (cluster_fuzz_actors.test.ts): wrong messages
// with the error each gets, and random mutations of frames. (Not a test file.)
import { encode } from "../../src/common/mod.ts";
import { readFrames } from "../../src/net/mod.ts";
import { entryFrame, wire } from "./frame_bytes.ts";
import { historyEntry as entry, randomEncodedLike, randomJson, randomOwnerMessage } from "./fuzz_values.ts";
import { actorInit, actorNotFound, call, create, typeError, unknownMethod } from "./fuzz_owner.ts";
import type { Random } from "./random.ts";

export const SEED = 0x5eed_ac7a + 3;

/** Wrong messages under their key; each is refused with its error (`stops`: a cell was made, and its end is logged). */
export const wrongMessages: Array<[string, (key: number) => unknown, { name: string; code?: string }, boolean?]> = [
  ["an unknown op", (key) => ({ op: "explode", key }), typeError],
  ["no op", (key) => ({ key, actorId: "target", method: "add", args: encode([1]) }), typeError],
  ["an op that is not a string", (key) => ({ op: 7, key }), typeError],
  ["the op of a worker's answer", (key) => ({ op: "done", key, ok: true }), typeError],
  ["a call of an actor not hosted here", (key) => call(key, "nobody", "add", encode([1])), typeError],
  ["a call of an actor id that is not a string", (key) => call(key, 5, "add", encode([1])), typeError],
  ["a call of an unknown method", (key) => call(key, "target", "nope", encode([1])), unknownMethod],
  ["a call of the method constructor", (key) => call(key, "target", "constructor", encode([])), unknownMethod],
  ["a call of the method __proto__", (key) => call(key, "target", "__proto__", encode([])), unknownMethod],
  ["a call of a method that is a number", (key) => call(key, "target", 5, encode([1])), unknownMethod],
  ["a call whose args are null", (key) => call(key, "target", "add", null), typeError],
  ["a call whose args are not a codec value", (key) => call(key, "target", "add", 5), typeError],
  ["a call whose flat list is not a list", (key) => call(key, "target", "add", { t: "a", v: 5 }), typeError],
  ["a create of an unknown class", (key) => create(key, "a-nope", { cls: "Nope" }), actorNotFound],
  ["a create of a class that is a number", (key) => create(key, "a-five", { cls: 5 }), actorNotFound],
  ["a create of the class __proto__", (key) => create(key, "a-proto", { cls: "__proto__" }), actorNotFound],
  ["a create whose args are null", (key) => create(key, "a-null", { args: null }), actorInit, true],
  ["a create whose args are not a list", (key) => create(key, "a-five-args", { args: encode(5) }), actorInit, true],
  [
    "a create whose args do not decode",
    (key) => create(key, "a-undecodable", { args: { t: "s", v: 5 } }),
    actorInit,
    true,
  ],
  [
    "a create whose flat list is not a list",
    (key) => create(key, "a-flat", { args: { t: "a", v: 5 } }),
    actorInit,
    true,
  ],
  [
    "a create from a checkpoint whose state does not decode",
    (key) => create(key, "r-state", { recovered: { checkpoint: { n: 2, state: { t: "s", v: null } }, entries: [] } }),
    typeError,
    true,
  ],
  [
    "a create from a history whose entries are not a list",
    (key) => create(key, "r-entries", { recovered: { entries: 5 } }),
    typeError,
    true,
  ],
  ["a create from a history that is null", (key) => create(key, "r-null", { recovered: null }), typeError, true],
  [
    "a create from a history with an entry that is null",
    (key) => create(key, "r-entry", { recovered: { entries: [entry(1, "add", [1]), null] } }),
    typeError,
    true,
  ],
];

/** `bytes` with one random edit: a bit flipped, a byte inserted or deleted, or cut short. */
export function mutated(random: Random, bytes: Uint8Array): Uint8Array {
  const at = random.int(bytes.length);
  const out = [...bytes];
  switch (random.int(4)) {
    case 0:
      out[at] ^= 1 << random.int(8);
      break;
    case 1:
      out.splice(at, 0, random.int(256));
      break;
    case 2:
      out.splice(at, 1);
      break;
    default:
      out.length = at;
  }
  return Uint8Array.from(out);
}

/** A random raw case: bytes, or frames of random JSON, codec-like values or owner messages, maybe mutated. */
export function randomRawCase(random: Random, i: number): Uint8Array {
  const messages = (count: number) =>
    Array.from({ length: count }, (_, k) => randomOwnerMessage(random, { key: 1 + k, ids: ["raw"], creates: false }));
  switch (i % 5) {
    case 0:
      return random.bytes(1 + random.int(64));
    case 1:
      return wire({ kind: "data", messages: Array.from({ length: 1 + random.int(3) }, () => randomJson(random, 3)) });
    case 2:
      return wire(entryFrame(0, JSON.stringify(randomEncodedLike(random))));
    case 3:
      return wire({ kind: "data", messages: messages(1 + random.int(4)) });
    default:
      return mutated(random, wire({ kind: "data", messages: messages(1 + random.int(3)) }));
  }
}

/**
 * Whether an end frame decodes from `bytes`. After our end the worker answers what it was asked
 * but never ends its side, so a case the oracle calls `ended` (both sides end) would wait forever.
 */
export async function hasEndFrame(bytes: Uint8Array): Promise<boolean> {
  const source = (async function* () {
    yield bytes;
  })();
  try {
    for await (const frame of readFrames(source)) if (frame.kind === "end") return true;
  } catch {
    // The rest does not decode: no end frame there.
  }
  return false;
}
