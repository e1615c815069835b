// The codec is the serialization boundary: encode/decode/copy must give fresh copies with the
// codec's semantics, and refuse what cannot cross with a SerializationError whose `path` points
// at the offending value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActantError, SerializationError } from "../mod.ts";
import { copy, decode, encode, encodeList, prepend, registerClass } from "../src/common/codec.ts";

/** The SerializationError `fn` throws; fails the test otherwise. */
function serializationError(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SerializationError, `expected a SerializationError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a SerializationError");
}

describe("codec primitives", () => {
  it("encode keeps JSON-exact primitives as they are and decode returns the same value", () => {
    const values: unknown[] = ["text", "", 0, 42.5, true, false, null, undefined];
    for (const value of values) {
      const encoded = encode(value);
      assert.equal(encoded.t, "p", String(value));
      assert.ok(Object.is(decode(encoded), value), String(value));
      assert.ok(Object.is(copy(value), value), String(value));
    }
  });

  it("primitives JSON cannot carry exactly (-0, NaN, Infinity, bigint) still round-trip, through superjson", () => {
    const values: unknown[] = [-0, Number.NaN, Infinity, -Infinity, 10n];
    for (const value of values) {
      const encoded = encode(value);
      assert.equal(encoded.t, "s", String(value));
      assert.ok(Object.is(decode(JSON.parse(JSON.stringify(encoded))), value), String(value));
    }
  });
});

describe("codec flat arrays", () => {
  it("an array of JSON primitives encodes as a flat array and decodes equal", () => {
    const value = [1, "two", true, null];
    const encoded = encode(value);
    assert.equal(encoded.t, "a");
    assert.deepEqual(decode(encoded), value);
  });

  it("an array holding undefined, bigint or NaN round-trips exactly through JSON", () => {
    const value = [1, undefined, 3n, Number.NaN];
    const encoded = encode(value);
    assert.equal(encoded.t, "s");
    assert.deepEqual(decode(JSON.parse(JSON.stringify(encoded))), value);
  });

  it("a flat array is copied at encode: mutating the original does not change the encoded value", () => {
    const value = [1, 2, 3];
    const encoded = encode(value);
    value.push(4);
    value[0] = 100;
    assert.deepEqual(decode(encoded), [1, 2, 3]);
  });

  it("each decode of a flat array returns a fresh array", () => {
    const encoded = encode([1, 2, 3]);
    const first = decode<number[]>(encoded);
    const second = decode<number[]>(encoded);
    assert.notEqual(first, second);
    first.push(4);
    assert.deepEqual(second, [1, 2, 3]);
    assert.deepEqual(decode(encoded), [1, 2, 3]);
  });

  it("the empty array round-trips as a fresh empty array", () => {
    const value: unknown[] = [];
    const result = copy(value);
    assert.deepEqual(result, []);
    assert.notEqual(result, value);
  });

  it("a sparse array keeps its holes", () => {
    // deno-lint-ignore no-sparse-arrays
    const result = copy([1, , 3]);
    assert.equal(result.length, 3);
    assert.equal(1 in result, false);
    assert.equal(result[2], 3);
  });
});

describe("codec nested structures", () => {
  it("copy returns a deep copy of plain objects and arrays", () => {
    const value = { name: "order", items: [{ sku: "a", qty: 1 }, { sku: "b", qty: 2 }], meta: { tags: ["x"] } };
    const result = copy(value);
    assert.deepEqual(result, value);
    assert.notEqual(result, value);
    assert.notEqual(result.items, value.items);
    assert.notEqual(result.items[0], value.items[0]);
    assert.notEqual(result.meta.tags, value.meta.tags);
  });

  it("an object is captured at encode: later mutation of the original does not show in decode", () => {
    const value = { n: 1, list: [1], inner: { flag: true } };
    const encoded = encode(value);
    value.n = 2;
    value.list.push(2);
    value.inner.flag = false;
    assert.deepEqual(decode(encoded), { n: 1, list: [1], inner: { flag: true } });
  });

  it("each decode of an object returns a fresh, independent copy", () => {
    const encoded = encode({ list: [1], inner: { n: 1 } });
    const first = decode<{ list: number[]; inner: { n: number } }>(encoded);
    const second = decode<{ list: number[]; inner: { n: number } }>(encoded);
    assert.notEqual(first, second);
    first.list.push(2);
    first.inner.n = 2;
    assert.deepEqual(second, { list: [1], inner: { n: 1 } });
  });

  it("Date, RegExp, URL, Map, Set, typed arrays and bigint keep their types", () => {
    const value = {
      when: new Date("2020-01-02T03:04:05.006Z"),
      pattern: /ab+c/gi,
      url: new URL("https://example.com/a?b=c"),
      map: new Map<unknown, unknown>([["k", new Set([1, 2])], [1, { deep: new Date(0) }]]),
      set: new Set([1, "two"]),
      bytes: new Uint8Array([1, 2, 255]),
      floats: new Float64Array([1.5, -2.25]),
      big: 2n ** 70n,
      missing: undefined,
    };
    const result = copy(value);
    assert.ok(result.when instanceof Date);
    assert.equal(result.when.getTime(), value.when.getTime());
    assert.ok(result.pattern instanceof RegExp);
    assert.equal(result.pattern.source, "ab+c");
    assert.equal(result.pattern.flags, "gi");
    assert.ok(result.url instanceof URL);
    assert.equal(result.url.href, "https://example.com/a?b=c");
    assert.ok(result.map instanceof Map);
    assert.deepEqual(result.map, value.map);
    assert.notEqual(result.map, value.map);
    assert.ok(result.set instanceof Set);
    assert.deepEqual(result.set, value.set);
    assert.ok(result.bytes instanceof Uint8Array);
    assert.deepEqual([...result.bytes], [1, 2, 255]);
    assert.ok(result.floats instanceof Float64Array);
    assert.deepEqual([...result.floats], [1.5, -2.25]);
    assert.equal(result.big, 2n ** 70n);
    assert.ok("missing" in result);
    assert.equal(result.missing, undefined);
  });

  it("an Error keeps its name and message", () => {
    const result = copy({ error: new RangeError("out of range") });
    assert.ok(result.error instanceof Error);
    assert.equal(result.error.name, "RangeError");
    assert.equal(result.error.message, "out of range");
  });

  it("an Error's cause is copied, not shared", () => {
    const cause = { detail: [1, 2] };
    const result = copy(new Error("outer", { cause }));
    assert.deepEqual(result.cause, { detail: [1, 2] });
    assert.notEqual(result.cause, cause);
  });

  it("an AbortError DOMException (a signal's default reason) keeps its name and message", () => {
    const controller = new AbortController();
    controller.abort();
    const result = copy({ reason: controller.signal.reason as Error });
    assert.ok(result.reason instanceof Error);
    assert.equal(result.reason.name, "AbortError");
    assert.equal(result.reason.message, (controller.signal.reason as Error).message);
  });

  it("an object with a null prototype round-trips", () => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, when: new Date(5) });
    const result = copy(value);
    assert.equal(result.a, 1);
    assert.ok(result.when instanceof Date);
    assert.equal((result.when as Date).getTime(), 5);
  });

  it("an encoded structured value survives JSON, as stored or sent data would", () => {
    const value = { when: new Date(1_000), set: new Set(["a"]), big: 5n, list: [1, { x: "y" }] };
    const wire = JSON.parse(JSON.stringify(encode(value)));
    assert.deepEqual(decode(wire), value);
  });
});

describe("codec shared references and cycles", () => {
  it("a self-referencing object decodes with the cycle preserved", () => {
    const value: { name: string; self?: unknown } = { name: "loop" };
    value.self = value;
    const result = copy(value);
    assert.notEqual(result, value);
    assert.equal(result.self, result);
    assert.equal(result.name, "loop");
  });

  it("an array that contains itself decodes with the cycle preserved", () => {
    const value: unknown[] = [1];
    value.push(value);
    const result = copy(value);
    assert.notEqual(result, value);
    assert.equal(result[1], result);
  });

  it("a cycle through a Map decodes with the cycle preserved", () => {
    const node: { children: Map<string, unknown> } = { children: new Map() };
    node.children.set("me", node);
    const result = copy(node);
    assert.equal(result.children.get("me"), result);
  });

  it("two references to one object decode as one shared object", () => {
    const shared = { n: 1 };
    const result = copy({ a: shared, b: shared, list: [shared] });
    assert.equal(result.a, result.b);
    assert.equal(result.list[0], result.a);
    assert.notEqual(result.a, shared);
  });
});

describe("codec errors name the path of the bad value", () => {
  it("SerializationError is an ActantError with name, code and path", () => {
    const error = serializationError(() => encode({ fn: () => 1 }));
    assert.ok(error instanceof ActantError);
    assert.equal(error.name, "SerializationError");
    assert.equal(error.code, "NOT_SERIALIZABLE");
    assert.equal(error.path, "value.fn");
  });

  it("the root path is the one given to encode or copy", () => {
    assert.equal(serializationError(() => encode(() => 1, "args")).path, "args");
    assert.equal(serializationError(() => copy({ deep: { fn: () => 1 } }, "state")).path, "state.deep.fn");
    assert.equal(serializationError(() => encode(Symbol("s"))).path, "value");
  });

  it("paths go through nested objects and array indices", () => {
    const value = { list: [1, 2, { handlers: [null, function onTick() {}] }] };
    assert.equal(serializationError(() => encode(value, "args")).path, "args.list[2].handlers[1]");
  });

  it("a function, class instance or symbol inside an array is found", () => {
    class Socket {}
    assert.equal(serializationError(() => encode([1, () => 1])).path, "value[1]");
    assert.equal(serializationError(() => encode([1, 2, new Socket()])).path, "value[2]");
    assert.equal(serializationError(() => encode(["a", Symbol("s")])).path, "value[1]");
  });

  it("a bad Map value is named by its entry index", () => {
    const value = new Map<string, unknown>([["ok", 1], ["bad", () => 1]]);
    assert.equal(serializationError(() => encode(value)).path, "value.get(1)");
  });

  it("a bad Map key is named by its entry index", () => {
    const value = new Map<unknown, unknown>([["ok", 1], [Symbol("key"), 2]]);
    assert.equal(serializationError(() => encode(value)).path, "value.<key 1>");
  });

  it("a bad Set item is named by its position", () => {
    const value = new Set<unknown>(["a", "b", () => 1]);
    assert.equal(serializationError(() => encode({ tags: value })).path, "value.tags.<item 2>");
  });

  it("an enumerable symbol key is refused with the key in the path", () => {
    const value = { nested: { [Symbol("secret")]: 1, ok: 2 } };
    assert.equal(serializationError(() => encode(value)).path, "value.nested[Symbol(secret)]");
  });

  it("a function in an Error's cause is refused with the cause in the path", () => {
    const error = new Error("outer", { cause: () => 1 });
    assert.equal(serializationError(() => encode({ error })).path, "value.error.cause");
  });

  it("instances of unregistered classes and host objects are refused", () => {
    class Point {
      x = 1;
    }
    const refused: Array<[unknown, string]> = [
      [new Point(), "Point"],
      [new WeakMap(), "WeakMap"],
      [Promise.resolve(1), "Promise"],
      [new ArrayBuffer(4), "ArrayBuffer"],
      [new DataView(new ArrayBuffer(4)), "DataView"],
    ];
    for (const [value, label] of refused) {
      assert.equal(serializationError(() => encode({ field: value })).path, "value.field", label);
    }
  });

  it("typed arrays the codec cannot rebuild are refused at encode, not at decode", () => {
    // superjson writes these but throws a plain Error when reading them back.
    for (const value of [new BigInt64Array([1n]), new BigUint64Array([2n])]) {
      assert.equal(serializationError(() => encode({ data: value })).path, "value.data", value.constructor.name);
    }
  });

  it("a subclass of a supported typed array is refused at encode", () => {
    class Bytes extends Uint8Array {}
    assert.equal(serializationError(() => encode([new Bytes(2)])).path, "value[0]");
  });

  it("a bad value beside a cycle is still found, and the walk ends", () => {
    const value: { self?: unknown; bad?: unknown } = {};
    value.self = value;
    value.bad = () => 1;
    assert.equal(serializationError(() => encode(value)).path, "value.bad");
  });
});

describe("codec registerClass", () => {
  it("a registered class keeps its prototype and own fields through copy", () => {
    class Money {
      amount: number;
      currency: string;
      constructor(amount: number, currency: string) {
        this.amount = amount;
        this.currency = currency;
      }
      format(): string {
        return `${this.amount} ${this.currency}`;
      }
    }
    assert.equal(serializationError(() => encode(new Money(1, "EUR"))).path, "value");
    registerClass(Money, "codec.test.Money");
    const original = new Money(5, "EUR");
    const result = copy({ price: original });
    assert.ok(result.price instanceof Money);
    assert.notEqual(result.price, original);
    assert.equal(result.price.format(), "5 EUR");
  });

  it("an unserializable field of a registered class is still refused with its path", () => {
    class Holder {
      callback: () => void = () => {};
    }
    registerClass(Holder, "codec.test.Holder");
    assert.equal(serializationError(() => encode(new Holder())).path, "value.callback");
  });
});

describe("codec prepend and encodeList", () => {
  it("prepend builds [first, ...rest] from encoded values", () => {
    assert.deepEqual(decode(prepend(encode(1), encode([2, 3]))), [1, 2, 3]);
    assert.deepEqual(decode(prepend(encode({ a: 1 }), encode([new Date(0)]))), [{ a: 1 }, new Date(0)]);
  });

  it("encodeList builds the array of several encoded values", () => {
    assert.deepEqual(decode(encodeList([encode(1), encode("b")])), [1, "b"]);
    assert.deepEqual(decode(encodeList([encode(1), encode(new Set([2]))])), [1, new Set([2])]);
    assert.deepEqual(decode(encodeList([])), []);
  });
});
