// Faults under a durable app: a full disk, a torn last record, a corrupted record in the middle.
// The storage is a MemoryBackend behind a wrapper (a backend fault hook), so each fault is exact.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActantApp } from "../mod.ts";
import {
  type Backend,
  type BackendEntry,
  EventLog,
  MemoryBackend,
  type RangeOptions,
  type WriteOp,
  type WriteResult,
} from "../src/store/mod.ts";

/** Passes everything to `inner`, fails writes like a full disk once `full` is set, never closes `inner`. */
class FaultyDisk implements Backend {
  full = false;
  readonly inner: Backend;
  constructor(inner: Backend) {
    this.inner = inner;
  }
  get(key: string): Uint8Array | undefined {
    return this.inner.get(key);
  }
  range(options?: RangeOptions): Iterable<BackendEntry> {
    return this.inner.range(options);
  }
  write(ops: readonly WriteOp[]): WriteResult {
    if (!this.full) return this.inner.write(ops);
    const error = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    const failed = Promise.reject(error);
    failed.catch(() => {});
    return { committed: failed, durable: failed };
  }
  close(): Promise<void> {
    return Promise.resolve(); // the test reopens `inner` as the next process would
  }
}

function recordKeys(backend: Backend): string[] {
  return [...backend.range({ start: "r/", end: "r0" })].map((entry) => entry.key);
}

describe("durable app faults", () => {
  it("a full disk rejects new work with StorageError and keeps everything acknowledged before it", async () => {
    const store = new MemoryBackend();
    const disk = new FaultyDisk(store);
    const app = new ActantApp("f", { backend: disk });
    const square = app.task("square", (n: number) => n * n);
    const kept = square.call(7);
    assert.equal(await kept, 49);

    disk.full = true;
    const lost = square.call(8);
    await assert.rejects(lost.get(), { name: "StorageError" });
    assert.throws(() => square.call(9), { name: "StorageError" });
    await app.close();

    const reopened = new ActantApp("f", { backend: new FaultyDisk(store) });
    reopened.task("square", (n: number) => n * n);
    assert.equal(await reopened.getResult<number>(kept.id), 49);
    await reopened.close();
  });

  it("a torn last record is dropped with a warning, and the app starts with what came before", async () => {
    const store = new MemoryBackend();
    const first = new ActantApp("f", { backend: new FaultyDisk(store) });
    const one = first.task("one", () => 1);
    const handle = one.call();
    assert.equal(await handle, 1);
    await first.close();

    const last = recordKeys(store).at(-1)!;
    const torn = store.get(last)!.slice(0, 12); // a record cut short, as a crash mid-write leaves it
    const log = await EventLog.open(new FaultyDisk(store), { durability: "batched" });
    const next = `r/${(log.lastSeq + 1).toString(16).padStart(16, "0")}`;
    await log.close();
    await store.write([{ type: "put", key: next, value: torn }]).committed;

    const warnings: string[] = [];
    const second = new ActantApp("f", { backend: new FaultyDisk(store), warn: (message) => warnings.push(message) });
    const oneAgain = second.task("one", () => 1);
    assert.equal(await second.getResult<number>(handle.id), 1);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      new RegExp(`\\bseq ${parseInt(next.slice(2), 16)}\\b`),
      "the warning names the dropped record",
    );
    assert.equal(store.get(next), undefined, "the torn record is deleted");
    // The app goes on writing after the repair, and what it writes survives a restart.
    const later = oneAgain.call();
    assert.equal(await later, 1);
    await second.close();
    const third = new ActantApp("f", { backend: new FaultyDisk(store), warn: (message) => warnings.push(message) });
    third.task("one", () => 1);
    assert.equal(await third.getResult<number>(later.id), 1);
    assert.equal(warnings.length, 1, "nothing more to repair");
    await third.close();
  });

  it("a corrupted record in the middle stops start with LogCorruptedError naming its sequence number", async () => {
    const store = new MemoryBackend();
    const first = new ActantApp("f", { backend: new FaultyDisk(store) });
    const one = first.task("one", () => 1);
    for (let i = 0; i < 3; i++) await one.call(); // separate records, one per acknowledged stretch
    await first.close();

    const keys = recordKeys(store);
    assert.ok(keys.length >= 2, "the log has several records");
    const victim = keys[0];
    const bytes = store.get(victim)!;
    bytes[bytes.length - 3] ^= 0xff; // flip bits inside the payload
    await store.write([{ type: "put", key: victim, value: bytes }]).committed;

    const second = new ActantApp("f", { backend: new FaultyDisk(store) });
    await assert.rejects(second.start(), (error: Error & { code?: string; seq?: number }) => {
      assert.equal(error.name, "LogCorruptedError");
      assert.equal(error.code, "LOG_CORRUPTED");
      assert.equal(error.seq, parseInt(victim.slice(2), 16));
      return true;
    });
    await second.close();
  });
});
