// The codec's fast path for plain JSON data (`{ t: "j" }`): objects and arrays of JSON-exact
// primitives are copied, not walked by superjson, and come back exactly as superjson would give
// them; anything a copy would get wrong (-0, undefined members, shared objects, Dates, holes,
// depth, a `__proto__` key) still goes through superjson.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decode, encode, type Encoded } from "../src/common/codec.ts";

const viaJson = (encoded: Encoded): Encoded => JSON.parse(JSON.stringify(encoded));

describe("codec plain JSON", () => {
  it("encodes plain objects and nested arrays as plain JSON, and decodes them equal, through JSON too", () => {
    const values: unknown[] = [
      { sentiment: 0.8, topics: ["tech", "ai"] },
      [[1, 2], [3]],
      { nested: { deeper: { list: [{ a: null }, true, "x", 1.5] } } },
      {},
      [[]],
    ];
    for (const value of values) {
      const encoded = encode(value);
      assert.equal(encoded.t, "j", JSON.stringify(value));
      assert.deepEqual(decode(encoded), value);
      assert.deepEqual(decode(viaJson(encoded)), value);
    }
  });

  it("copies at encode and at each decode: no caller shares an object with another", () => {
    const value = { list: [1, 2], inner: { n: 1 } };
    const encoded = encode(value);
    value.list.push(3);
    value.inner.n = 2;
    const first = decode<typeof value>(encoded);
    const second = decode<typeof value>(encoded);
    assert.deepEqual(first, { list: [1, 2], inner: { n: 1 } });
    assert.notEqual(first, second);
    assert.notEqual(first.inner, second.inner);
    first.list.push(9);
    assert.deepEqual(decode(encoded), { list: [1, 2], inner: { n: 1 } });
  });

  it("leaves to superjson what a copy would change, and each still round-trips exactly", () => {
    const shared = { n: 1 };
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 70; i++) at = (at.next = {}) as Record<string, unknown>;
    const cases: Array<[string, unknown]> = [
      ["-0 inside", { x: -0 }],
      ["NaN inside", [Number.NaN]],
      ["an undefined member", { a: undefined, b: 1 }],
      ["a Date inside", { at: new Date(0) }],
      ["an object seen twice", [shared, shared]],
      ["70 levels deep", deep],
      ["a class instance inside", { m: new Map([[1, 2]]) }],
    ];
    for (const [what, value] of cases) {
      const encoded = encode(value);
      assert.equal(encoded.t, "s", what);
      assert.deepEqual(decode(viaJson(encoded)), value, what);
    }
    assert.equal(encode([[1, , 3]]).t, "s", "a hole (superjson's way with it is kept)");
    const [a, b] = decode<Array<{ n: number }>>(encode([shared, shared]));
    assert.equal(a, b, "shared stays shared");
    assert.ok(Object.is(decode<{ x: number }>(encode({ x: -0 })).x, -0));
  });

  it("keeps a __proto__ key from the wire as an own key, never as the prototype", () => {
    const encoded = JSON.parse('{"t":"j","v":{"__proto__":{"polluted":true},"a":1}}') as Encoded;
    const value = decode<Record<string, unknown>>(encoded);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ["__proto__", "a"]);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    // Made here, such a key goes to superjson, which refuses it, as before.
    assert.throws(() => encode(JSON.parse('{"__proto__":{"x":1}}')), { name: "SerializationError" });
  });
});
