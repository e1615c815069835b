// The object store of a local app: what put() takes and get()/getStream() give back (every codec
// type, bytes zero-copy, streams), and every bad input with its own error. Counting through
// tasks and actors is in objects_tasks.test.ts.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  ActantApp,
  InvalidObjectRefError,
  ObjectLostError,
  ObjectNotFoundError,
  type ObjectRef,
  ObjectReleasedError,
  ObjectStreamError,
  SerializationError,
} from "../mod.ts";
import { decode, encode, type Encoded, registerClass } from "../src/common/codec.ts";
import { CHUNK_BYTES } from "../src/objects/mod.ts";
import { rejection, thrown } from "./support/errors.ts";

class Point {
  x: number;
  y: number;
  constructor(x = 0, y = 0) {
    this.x = x;
    this.y = y;
  }
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
registerClass(Point, "objects.test.Point");

const app = new ActantApp("objects", { durability: "memory" });
after(() => app.close());

/** A stream that hands out `chunks`, then ends (or fails with `failure` instead of ending). */
function streamOf(chunks: unknown[], failure?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) return controller.enqueue(chunks[i++] as Uint8Array);
      if (failure !== undefined) controller.error(failure);
      else controller.close();
    },
  });
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The wire form of a ref with `json` in place of `{ id, owner }`, as a peer could send it. */
function forged(json: unknown): Encoded {
  return { t: "s", v: { json: json as never, meta: { values: [["custom", "actant.ObjectRef"]], v: 1 } } };
}

describe("ObjectStore put and get", () => {
  it("every type the codec carries round-trips, as a fresh copy on each get", async () => {
    const values: unknown[] = [
      "text",
      "",
      0,
      -0,
      42.5,
      Number.NaN,
      Infinity,
      10n,
      true,
      null,
      undefined,
      [1, "a", null],
      { nested: { list: [1, 2, { deep: true }] } },
      new Date(86_400_000),
      /ab+c/gi,
      new Map<unknown, unknown>([["k", 1], [2, { v: [3] }]]),
      new Set([1, "two", 3n]),
      new URL("https://example.com/a?b=c"),
      new Int8Array([-1, 2]),
      new Uint8ClampedArray([255, 0]),
      new Int16Array([-300]),
      new Uint16Array([60_000]),
      new Int32Array([-70_000]),
      new Uint32Array([4_000_000_000]),
      new Float32Array([1.5]),
      new Float64Array([Math.PI]),
      new Point(3, 4),
    ];
    for (const value of values) {
      using ref = await app.put(value);
      const first = await app.get(ref);
      assert.deepEqual(first, value);
      if (typeof value === "object" && value !== null) {
        assert.notEqual(first, value, "a copy, not the value put");
        assert.notEqual(await app.get(ref), first, "a fresh copy on each get");
      }
    }
    // An error keeps its name and message (the codec's error semantics), not its class.
    using error = await app.put(new RangeError("bad range"));
    const gotError = await app.get(error);
    assert.ok(gotError instanceof Error);
    assert.equal(gotError.name, "RangeError");
    assert.equal(gotError.message, "bad range");
    using point = await app.put(new Point(3, 4));
    const got = await app.get(point);
    assert.ok(got instanceof Point);
    assert.equal(got.norm(), 5);
  });

  it("a structured value is copied at put: later changes to it do not reach the object", async () => {
    const value = { list: [1] };
    using ref = await app.put(value);
    value.list.push(2);
    assert.deepEqual(await app.get(ref), { list: [1] });
  });

  it("bytes are copied in at put and read back zero-copy: every get views the same stored buffer", async () => {
    const source = new Uint8Array([1, 2, 3, 4]);
    using ref = await app.put(source);
    source[0] = 99;
    const a = await app.get(ref);
    const b = await app.get(ref);
    assert.ok(a instanceof Uint8Array);
    assert.deepEqual([...a], [1, 2, 3, 4]);
    assert.equal(a.buffer, b.buffer, "both views share the stored ArrayBuffer");
    assert.notEqual(a.buffer, source.buffer, "the stored bytes are not the caller's");
    assert.deepEqual(app.objectStats().bytes >= 4, true);
  });

  it("a stream is read to its end and stored as bytes; getStream gives them back as views in chunks", async () => {
    const big = new Uint8Array(CHUNK_BYTES * 2 + 10).map((_, i) => i % 251);
    using ref = await app.put(streamOf([big.subarray(0, 5), big.subarray(5)]));
    const whole = await app.get(ref);
    assert.deepEqual(whole, big);
    const chunks = await readStream(app.getStream(ref));
    assert.deepEqual(chunks.map((c) => c.byteLength), [CHUNK_BYTES, CHUNK_BYTES, 10]);
    assert.ok(chunks.every((c) => c.buffer === whole.buffer), "chunks view the stored bytes");
    using empty = await app.put(streamOf([]));
    assert.deepEqual(await app.get(empty), new Uint8Array(0));
    assert.deepEqual(await readStream(app.getStream(empty)), []);
  });

  it("objectStats counts objects and bytes, and reclaims an object when its last ref is released", async () => {
    const before = app.objectStats();
    const ref = await app.put(new Uint8Array(1000));
    const held = app.objectStats();
    assert.equal(held.count, before.count + 1);
    assert.equal(held.bytes, before.bytes + 1000);
    assert.equal(held.pinned.by.refs, before.pinned.by.refs + 1);
    ref.release();
    ref.release(); // a second release does nothing
    assert.deepEqual(app.objectStats(), before);
    assert.equal(ref.released, true);
  });

  it("an object stored inside another is held by it, and reclaimed with it", async () => {
    const before = app.objectStats();
    const inner = await app.put(new Uint8Array(8));
    const outer = await app.put({ inner });
    inner.release();
    assert.equal(app.objectStats().count, before.count + 2);
    assert.equal(app.objectStats().pinned.by.encoded, before.pinned.by.encoded + 1);
    const got = await app.get(outer);
    assert.equal(got.inner.id, inner.id);
    assert.equal((await app.get(got.inner)).byteLength, 8);
    got.inner.release();
    outer.release();
    assert.deepEqual(app.objectStats(), before);
  });

  it("using releases the ref at the end of its scope", async () => {
    const before = app.objectStats().count;
    {
      using ref = await app.put({ scoped: true });
      assert.equal(app.objectStats().count, before + 1);
      assert.equal(ref.released, false);
    }
    assert.equal(app.objectStats().count, before);
  });

  it("a ref copied through the codec keeps its id and counts on its own", async () => {
    const ref = await app.put("shared");
    const copied = decode<ObjectRef<string>>(JSON.parse(JSON.stringify(encode(ref))));
    assert.notEqual(copied, ref);
    assert.equal(copied.id, ref.id);
    assert.equal(copied.owner, ref.owner);
    ref.release();
    assert.equal(await app.get(copied), "shared", "the copy still holds the object");
    copied.release();
    await assert.rejects(app.get(copied), ObjectReleasedError);
  });
});

describe("ObjectStore errors", () => {
  it("get of a released ref rejects with ObjectReleasedError; getStream's stream errors with it", async () => {
    const ref = await app.put(new Uint8Array([1]));
    ref.release();
    const error = await rejection(app.get(ref));
    assert.ok(error instanceof ObjectReleasedError);
    assert.equal(error.code, "OBJECT_RELEASED");
    assert.equal(error.objectId, ref.id);
    assert.equal((await rejection(readStream(app.getStream(ref)))).name, "ObjectReleasedError");
  });

  it("a released ref cannot be passed on: encoding it is a SerializationError caused by ObjectReleasedError", async () => {
    const ref = await app.put(1);
    ref.release();
    const error = thrown(() => encode({ ref }, "args"));
    assert.ok(error instanceof SerializationError);
    assert.ok(error.cause instanceof ObjectReleasedError);
  });

  it("get of a ref to an object this app does not hold rejects with ObjectNotFoundError", async () => {
    const ref = await app.put("gone");
    const wire = { id: ref.id, owner: ref.owner };
    ref.release(); // reclaimed: nothing holds it
    const unknown = decode<ObjectRef>(forged(wire));
    const error = await rejection(app.get(unknown));
    assert.ok(error instanceof ObjectNotFoundError);
    assert.equal(error.code, "OBJECT_NOT_FOUND");
    assert.equal(error.objectId, ref.id);
    const never = decode<ObjectRef>(forged({ id: "obj-never-put", owner: ref.owner }));
    assert.equal((await rejection(app.get(never))).name, "ObjectNotFoundError");
    const elsewhere = decode<ObjectRef>(forged({ id: "obj-1", owner: "store-of-no-app" }));
    assert.equal((await rejection(app.get(elsewhere))).name, "ObjectNotFoundError");
    elsewhere.release(); // counted nowhere: releasing does nothing
  });

  it("a ref of another app is not found here: objects do not move between apps yet", async () => {
    await using other = new ActantApp("objects-other", { durability: "memory" });
    using ref = await other.put("theirs");
    const error = await rejection(app.get(ref));
    assert.ok(error instanceof ObjectNotFoundError);
    assert.equal(await other.get(ref), "theirs");
  });

  it("a forged ref (wrong shape through the codec) fails to decode with InvalidObjectRefError", () => {
    for (const json of [null, "obj-1", { id: 1, owner: "x" }, { id: "obj-1" }, { id: "", owner: "x" }]) {
      const error = thrown(() => decode(forged(json)));
      assert.ok(error instanceof InvalidObjectRefError, JSON.stringify(json));
      assert.equal((error as InvalidObjectRefError).code, "BAD_OBJECT_REF");
    }
  });

  it("get and getStream of something that is not a ref are TypeErrors", async () => {
    const lookalike = { id: "obj-1", owner: "store-1" } as unknown as ObjectRef;
    await assert.rejects(app.get(lookalike), TypeError);
    assert.throws(() => app.getStream(lookalike as ObjectRef<Uint8Array>), TypeError);
    await assert.rejects(app.get(undefined as unknown as ObjectRef), TypeError);
  });

  it("getStream of a structured value errors its stream with a TypeError", async () => {
    using ref = await app.put({ not: "bytes" });
    const error = await rejection(readStream(app.getStream(ref as unknown as ObjectRef<Uint8Array>)));
    assert.ok(error instanceof TypeError);
  });

  it("a value the codec cannot carry rejects with the codec's SerializationError and its path", async () => {
    const before = app.objectStats();
    const error = await rejection(app.put({ rows: [1, { socket: () => {} }] }));
    assert.ok(error instanceof SerializationError);
    assert.equal(error.path, "value.rows[1].socket");
    assert.deepEqual(app.objectStats(), before);
  });

  it("a stream that errors mid-put stores nothing and rejects with ObjectStreamError, the stream's error as cause", async () => {
    const before = app.objectStats();
    const boom = new Error("disk gone");
    const error = await rejection(app.put(streamOf([new Uint8Array(7)], boom)));
    assert.ok(error instanceof ObjectStreamError);
    assert.equal(error.code, "OBJECT_STREAM_FAILED");
    assert.equal(error.cause, boom);
    assert.equal(error.bytesRead, 7);
    assert.deepEqual(app.objectStats(), before);
  });

  it("a stream of something other than Uint8Array chunks rejects with a TypeError and stores nothing", async () => {
    const before = app.objectStats();
    await assert.rejects(app.put(streamOf(["text"])), TypeError);
    assert.deepEqual(app.objectStats(), before);
  });

  it("ObjectLostError is reserved for a lost owner: its shape is there for the cluster slice", () => {
    const error = new ObjectLostError("obj-1", "peer-1");
    assert.equal(error.name, "ObjectLostError");
    assert.equal(error.code, "OBJECT_LOST");
    assert.equal(error.owner, "peer-1");
  });

  it("a client, a worker, or a closed app refuses the object store with a TypeError", async () => {
    const client = new ActantApp("objects-client", {
      address: "/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN",
    });
    const clientError = await rejection(client.put(1));
    assert.ok(clientError instanceof TypeError);
    assert.match(clientError.message, /local mode only/);
    assert.throws(() => client.objectStats(), TypeError);
    await client.close();
    const worker = new ActantApp("objects-worker", { durability: "memory", listen: ["/ip4/127.0.0.1/tcp/0/ws"] });
    await assert.rejects(worker.put(1), /local mode only/);
    await worker.close();
    const closed = new ActantApp("objects-closed", { durability: "memory" });
    const ref = await closed.put(1);
    await closed.close();
    await assert.rejects(closed.put(2), TypeError);
    await assert.rejects(closed.get(ref), TypeError);
  });
});
