/**
 * Events recorded by reference (issue 10: a burst's submissions wait for the disk as references
 * to their runs, not as text): the log writes the same bytes as for the same events appended as
 * values, makes their JSON only when it writes their record, and acknowledges them at the same
 * commit; a durable app logs its submissions so, a cancelled one's arguments included, and
 * recovers from that log.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActantApp } from "../mod.ts";
import { encode } from "../src/common/mod.ts";
import { type Backend, type DeferredEvent, EventLog, type LogEvent, MemoryBackend } from "../src/store/mod.ts";
import { encodeFrame } from "../src/store/log_format.ts";
import { settle } from "./support/async.ts";
import { KeptBackend, loggedEvents } from "./support/kept_backend.ts";
import { BATCHED, ManualBackend, seqKey, STORES, withStore } from "./support/log_stores.ts";

/** An event given by reference, counting how often the log reads it and whether it was told it is written. */
class Submission implements DeferredEvent {
  reads = 0;
  written = false;
  readonly #event: LogEvent;
  /** What it tells the log it takes: `factor` times its UTF-8 length (below 1: an underestimate). */
  readonly deferredBytes: number;
  constructor(event: LogEvent, factor = 1) {
    this.#event = event;
    this.deferredBytes = Math.ceil(new TextEncoder().encode(JSON.stringify(event)).length * factor);
  }
  deferredEvent(): LogEvent {
    this.reads++;
    return this.#event;
  }
  deferredWritten(): void {
    this.written = true;
  }
}

/** The records in `backend`, key and bytes. */
function records(backend: Backend): Array<[string, Uint8Array]> {
  return [...backend.range({ start: "r/", end: "r0" })].map(({ key, value }) => [key, value.slice()]);
}

/** Asserts that the records in `backend` hold `list` in order, each one's bytes those of its events' JSON. */
function assertRecordsOf(backend: Backend, list: LogEvent[]): void {
  let next = 1;
  for (const [key, bytes] of records(backend)) {
    assert.equal(key, seqKey("r/", next));
    const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2);
    const expected = encodeFrame(count, JSON.stringify(list.slice(next - 1, next - 1 + count)));
    assert.deepEqual(bytes, expected, `the record at ${next}`);
    next += count;
  }
  assert.equal(next, list.length + 1);
}

/** `n` events, some with text that is not ASCII (its UTF-8 is longer than its length) or long. */
function events(n: number): LogEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    type: "task.submitted",
    id: `t-${i}`,
    task: i % 7 === 0 ? "résumé→✓" : "inc",
    args: { t: "a", v: i % 31 === 0 ? ["x".repeat(5_000), i] : [i, "ü".repeat(i % 13), null, true] },
  }));
}

/** Appends `list` to `log` in one turn, by reference where `deferred(i)` says, else as values. */
function appendAll(log: EventLog, list: LogEvent[], deferred: (i: number) => boolean, factor = 1): Promise<void> {
  const acks = list.map((event, i) =>
    deferred(i) ? log.appendDeferred(new Submission(event, factor)) : log.append(event)
  );
  return Promise.all(acks).then(() => undefined);
}

for (const { name, make } of STORES) {
  describe(`EventLog.appendDeferred on ${name}`, () => {
    const patterns: Array<[string, (i: number) => boolean, number]> = [
      ["every event by reference", () => true, 1],
      ["by reference and as values, interleaved", (i) => i % 3 !== 1, 1],
      ["runs of each, the first as a value", (i) => Math.floor(i / 50) % 2 === 1, 1],
      ["by reference, each telling a third of its size", () => true, 1 / 3],
    ];
    for (const [what, deferred, factor] of patterns) {
      it(`writes the same records as append does: ${what}`, () =>
        withStore(make, async (store) => {
          const list = events(30_000);
          const plain = new MemoryBackend();
          const expected = await EventLog.open(plain, BATCHED);
          await appendAll(expected, list.slice(0, 1), () => false); // a record of one event
          await appendAll(expected, list.slice(1), () => false); // a stretch cut into several
          const backend = await store.open();
          const log = await EventLog.open(backend, BATCHED);
          await appendAll(log, list.slice(0, 1), deferred, factor);
          await appendAll(log, list.slice(1), (i) => deferred(i + 1), factor);
          assert.ok(records(backend).length > 2, "a stretch cut into several records");
          assertRecordsOf(backend, list);
          // Told their exact size, events by reference are cut into records where values would be.
          if (factor === 1) assert.deepEqual(records(backend), records(plain));
          assert.deepEqual([...log.read(0)].map((entry) => entry.event), list);
          await log.close();
          await expected.close();
        }));
    }
  });
}

describe("EventLog.appendDeferred", () => {
  it("reads the event only when its write is issued, then lets it go, and acknowledges at that commit", async () => {
    const manual = new ManualBackend();
    const log = await EventLog.open(manual, BATCHED);
    manual.holdWrites();
    let firstAcked = false;
    const first = log.append({ type: "first" }).then(() => (firstAcked = true));
    const write = await manual.nextWrite();
    const source = new Submission({ type: "task.submitted", id: "t-1", task: "inc", args: encode([1]) });
    let acked = false;
    const ack = log.appendDeferred(source).then(() => (acked = true));
    const after = log.append({ type: "after" });
    assert.equal(after, log.appendDeferred(new Submission({ type: "same" })), "one record, one promise");
    await settle();
    assert.deepEqual([source.reads, source.written], [0, false], "held while the write before is in flight");
    write.commit();
    await first;
    const next = await manual.nextWrite();
    assert.deepEqual([source.reads, source.written], [1, true]);
    assert.equal(next.ops.length, 1);
    await settle();
    assert.deepEqual([firstAcked, acked], [true, false], "not acknowledged before its record commits");
    next.commit();
    await ack;
    assert.deepEqual([...log.read(0)].map((entry) => entry.event.type), ["first", "task.submitted", "after", "same"]);
    await log.close();
  });

  it("rejects on a closed or failed log, as append does", async () => {
    const log = await EventLog.open(new MemoryBackend(), BATCHED);
    await log.close();
    await assert.rejects(log.appendDeferred(new Submission({ type: "late" })), { name: "StorageError" });
    const halted = await EventLog.open(new MemoryBackend(), BATCHED);
    const error = new Error("the disk is gone");
    halted.halt(error);
    await assert.rejects(halted.appendDeferred(new Submission({ type: "late" })), (thrown) => thrown === error);
  });
});

describe("A durable app's submissions, recorded by reference", () => {
  it("are logged as events with their arguments (a run cancelled before its record was written too) and recovered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "actant-deferred-"));
    const backend = new KeptBackend();
    try {
      const app = new ActantApp("deferred", { dataDir: dir, backend });
      const echo = app.task("echo", (n: number, text: string) => `${text}${n}`);
      await app.start();
      const handles = Array.from({ length: 2_000 }, (_, i) => app.submit(echo.s(i, "é")));
      const cancelled = app.submit(echo.s(-1, "gone"));
      assert.equal(await cancelled.cancel(), true);
      const results = await Promise.all(handles);
      assert.deepEqual(results.slice(0, 3), ["é0", "é1", "é2"]);
      await assert.rejects(cancelled.get(), { name: "CancelledError" });
      await app.close();

      const logged = await loggedEvents(backend);
      const submitted = logged.filter((event) => event.type === "task.submitted");
      assert.equal(submitted.length, 2_001);
      assert.deepEqual(submitted[0], {
        type: "task.submitted",
        id: handles[0].id,
        task: "echo",
        args: encode([0, "é"]),
      });
      const last = submitted.find((event) => event.id === cancelled.id);
      assert.deepEqual(last?.args, encode([-1, "gone"]), "the cancelled run kept its arguments for its record");

      const again = new ActantApp("deferred", { dataDir: dir, backend });
      again.task("echo", (n: number, text: string) => `${text}${n}`);
      assert.equal(await again.getResult(handles[1_999].id), "é1999");
      await assert.rejects(again.getResult(cancelled.id).get(), { name: "CancelledError" });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
