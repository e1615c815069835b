// Refs through tasks, workflows and actors (Ray's passing rules): a top-level argument is
// resolved to its value, a nested one stays a ref with the same id, a task may return one; and
// the counting that keeps an object while a pending task's arguments hold it.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  ActantApp,
  chain,
  group,
  isObjectRef,
  map,
  ObjectNotFoundError,
  type ObjectRef,
  type TaskContext,
  TaskError,
} from "../mod.ts";
import { withTempDir } from "./support/temp_dir.ts";

const app = new ActantApp("objects-tasks", { durability: "memory" });
after(() => app.close());

/** A promise the test settles by hand, to hold a task while the test looks at the counts. */
function gate(): PromiseWithResolvers<void> {
  return Promise.withResolvers<void>();
}

let open = gate();
const length = app.task("length", async (bytes: Uint8Array) => {
  await open.promise;
  return bytes.byteLength;
});
const sum = app.task("sum", (rows: number[]) => rows.reduce((a, b) => a + b, 0));
const describeArg = app.task("describeArg", (box: { ref: ObjectRef<number[]> }) => ({
  isRef: isObjectRef(box.ref),
  id: box.ref.id,
}));
const passOn = app.task("passOn", (box: { ref: ObjectRef<number[]> }) => box.ref);
const fail = app.task("fail", async (_rows: number[]) => {
  await open.promise;
  throw new Error("no");
});
const makeRef = app.task("makeRef", async function (this: TaskContext, n: number) {
  return await this.put(Array.from({ length: n }, (_, i) => i));
});
const readNested = app.task("readNested", async function (this: TaskContext, box: { ref: ObjectRef<number[]> }) {
  return (await this.get(box.ref)).length;
});
const streamSize = app.task("streamSize", async function (this: TaskContext, box: { ref: ObjectRef<Uint8Array> }) {
  let size = 0;
  for await (const chunk of this.getStream(box.ref)) size += chunk.byteLength;
  return size;
});

const Shelf = app.actor(
  "Shelf",
  class {
    kept: ObjectRef<number[]> | undefined;
    keep(ref: ObjectRef<number[]>) {
      this.kept = ref;
      return isObjectRef(ref);
    }
    give() {
      return this.kept;
    }
    async total() {
      return (await app.get(this.kept!)).reduce((a, b) => a + b, 0);
    }
  },
);

describe("refs as task arguments and results", () => {
  it("a ref as a top-level argument is resolved to its value before the task runs", async () => {
    using rows = await app.put([1, 2, 3]);
    assert.equal(await sum.call(rows), 6);
    assert.equal(await app.submit(sum.s(rows)), 6);
    using bytes = await app.put(new Uint8Array(5));
    open.resolve();
    assert.equal(await length.call(bytes), 5);
  });

  it("a ref nested in a value stays a ref with the same id", async () => {
    using rows = await app.put([1, 2]);
    assert.deepEqual(await describeArg.call({ ref: rows }), { isRef: true, id: rows.id });
  });

  it("a task may return a ref: the caller gets a ref of the same object, and its value", async () => {
    using rows = await app.put([4, 5]);
    using back = await passOn.call({ ref: rows });
    assert.ok(isObjectRef(back));
    assert.equal(back.id, rows.id);
    assert.deepEqual(await app.get(back), [4, 5]);
  });

  it("a task puts through its context and returns the ref; another task reads a nested one", async () => {
    using made = await makeRef.call(4);
    assert.deepEqual(await app.get(made), [0, 1, 2, 3]);
    assert.equal(await readNested.call({ ref: made }), 4);
    using bytes = await app.put(new Uint8Array(100_000));
    assert.equal(await streamSize.call({ ref: bytes }), 100_000);
  });

  it("a ref returned by a workflow step becomes the next step's argument, resolved to its value", async () => {
    assert.equal(await app.submit(chain(makeRef.s(5), sum.s())), 10);
  });

  it("a workflow's own passes over values (prepend, group, map) leave no live ref behind", async () => {
    const before = app.objectStats().pinned.by.refs;
    assert.equal(await app.submit(chain(makeRef.s(3), sum.s())), 3);
    assert.equal(app.objectStats().pinned.by.refs, before);
    const refs = await app.submit(group(makeRef.s(1), makeRef.s(2))) as ObjectRef<number[]>[];
    assert.equal(app.objectStats().pinned.by.refs, before + 2, "only the caller's two refs are live");
    assert.deepEqual(await Promise.all(refs.map((ref) => app.get(ref))), [[0], [0, 1]]);
    for (const ref of refs) ref.release();
    const lists = app.task("lists", async function (this: TaskContext) {
      return [await this.put([1]), await this.put([2, 3])];
    });
    assert.deepEqual(await app.submit(chain(lists.s(), map(sum.s()))), [1, 5]);
    assert.equal(app.objectStats().pinned.by.refs, before);
  });

  it("a task whose ref argument was never held here fails with ObjectNotFoundError as its cause", async () => {
    const ref = await app.put([1]);
    await using other = new ActantApp("objects-tasks-other", { durability: "memory" });
    const otherSum = other.task("sum", (rows: number[]) => rows.length);
    const error = await otherSum.call(ref).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TaskError);
    assert.ok(error.cause instanceof ObjectNotFoundError);
    ref.release();
  });
});

describe("counting through tasks", () => {
  it("a pending task's arguments keep the object after the caller released its ref, until the task finishes", async () => {
    open = gate();
    const before = app.objectStats();
    const bytes = await app.put(new Uint8Array(64));
    const handle = length.call(bytes);
    bytes.release();
    const held = app.objectStats();
    assert.equal(held.count, before.count + 1);
    assert.equal(held.pinned.by.refs, before.pinned.by.refs);
    assert.equal(held.pinned.by.args, before.pinned.by.args + 1);
    open.resolve();
    assert.equal(await handle, 64);
    assert.deepEqual(app.objectStats(), before);
  });

  it("a queued task (waiting for a slot) holds its arguments too", async () => {
    await using small = new ActantApp("objects-tasks-small", { durability: "memory", concurrency: 1 });
    let release = gate();
    const wait = small.task("wait", async (rows: number[]) => {
      await release.promise;
      return rows.length;
    });
    const first = await small.put([1]);
    const second = await small.put([1, 2]);
    const a = wait.call(first);
    const b = wait.call(second);
    first.release();
    second.release();
    assert.equal(await b.status(), "queued");
    assert.deepEqual(small.objectStats().pinned.by, { refs: 0, args: 2, encoded: 0, streams: 0 });
    release.resolve();
    assert.deepEqual([await a, await b], [1, 2]);
    release = gate();
    assert.equal(small.objectStats().count, 0);
  });

  it("a failed or cancelled task lets go of its arguments", async () => {
    open = gate();
    const before = app.objectStats();
    const rows = await app.put([1, 2]);
    const failing = fail.call(rows);
    const cancelled = length.call(rows as unknown as ObjectRef<Uint8Array>);
    rows.release();
    assert.equal(app.objectStats().pinned.by.args, before.pinned.by.args + 2);
    assert.equal(await cancelled.cancel(), true);
    await assert.rejects(cancelled.get(), { name: "CancelledError" });
    assert.equal(app.objectStats().pinned.by.args, before.pinned.by.args + 1);
    open.resolve();
    await assert.rejects(failing.get(), TaskError);
    assert.deepEqual(app.objectStats(), before);
  });

  it("a durable app's task with a ref argument runs and lets the object go when it finishes", async () => {
    await withTempDir("objects-durable", async (dataDir) => {
      await using durable = new ActantApp("objects-durable", { dataDir });
      const count = durable.task("count", (rows: number[]) => rows.length);
      const rows = await durable.put([1, 2, 3]);
      const handle = count.call(rows);
      rows.release();
      assert.equal(await handle, 3);
      assert.equal(durable.objectStats().count, 0);
    });
  });

  it("refs a task is handed (nested in its arguments, from this.put, this.get) are released when it ends", async () => {
    const before = app.objectStats();
    const scratch = app.task("scratch", async function (this: TaskContext, box: { ref: ObjectRef<number[]> }) {
      using _temp = await this.put("scratch"); // released at the end of its scope anyway
      const kept = await this.put({ inner: box.ref }); // not released by the task: the attempt's
      const again = await this.get(kept); // a decoded ref inside: the attempt's too
      return (await this.get(again.inner)).length;
    });
    const rows = await app.put([1, 2, 3]);
    assert.equal(await scratch.call({ ref: rows }), 3);
    rows.release();
    assert.deepEqual(app.objectStats().pinned.by, before.pinned.by);
    assert.equal(app.objectStats().count, before.count);
  });

  it("a ref a task returns outlives the task: the result's copy holds it, and the caller's ref counts", async () => {
    const before = app.objectStats();
    const made = await makeRef.call(2);
    const stats = app.objectStats();
    assert.equal(stats.count, before.count + 1);
    assert.equal(stats.pinned.by.refs, before.pinned.by.refs + 1, "only the caller's ref is live");
    assert.equal(stats.pinned.by.encoded, before.pinned.by.encoded + 1, "the kept result carries it");
    assert.deepEqual(await app.get(made), [0, 1]);
    made.release();
  });

  it("an open stream keeps its object until it is read to its end or cancelled", async () => {
    const before = app.objectStats();
    const bytes = await app.put(new Uint8Array(10));
    const read = app.getStream(bytes);
    const cancelled = app.getStream(bytes);
    bytes.release();
    assert.equal(app.objectStats().pinned.by.streams, before.pinned.by.streams + 2);
    let size = 0;
    for await (const chunk of read) size += chunk.byteLength;
    assert.equal(size, 10);
    assert.equal(app.objectStats().pinned.by.streams, before.pinned.by.streams + 1);
    await cancelled.cancel();
    assert.deepEqual(app.objectStats(), before);
  });
});

describe("refs through actors", () => {
  it("a ref in an actor call's arguments and result round-trips as a ref with the same id, kept in its state", async () => {
    const shelf = await app.createActor(Shelf);
    using rows = await app.put([1, 2, 3]);
    assert.equal(await shelf.keep(rows), true, "the actor got a ref, not the value");
    using given = await shelf.give();
    assert.ok(isObjectRef(given));
    assert.equal(given!.id, rows.id);
    assert.deepEqual(await app.get(given!), [1, 2, 3]);
    assert.equal(await shelf.total(), 6);
  });

  it("a queued call's arguments, then the actor's ref, keep the object after the caller released its own", async () => {
    const shelf = await app.createActor(Shelf);
    const rows = await app.put([7]);
    const kept = shelf.keep(rows); // queued: its encoded arguments hold the object meanwhile
    rows.release();
    assert.equal(await kept, true);
    assert.equal(await shelf.total(), 7);
  });
});
