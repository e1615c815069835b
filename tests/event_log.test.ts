/**
 * The event log over the memory and LMDB backends: seqs, group commit, reads, reopen,
 * checkpoints with compaction, torn and corrupted records, schema versions and storage faults.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EVENT_SCHEMA_VERSION, EventLog, type LogEvent, MemoryBackend } from "../src/store/mod.ts";
import { nextTurn, settle, within } from "./support/async.ts";
import {
  appendGroups,
  BATCHED,
  ev,
  FaultyBackend,
  flip,
  ManualBackend,
  recordKeys,
  seqKey,
  seqs,
  STORES,
  withStore,
} from "./support/log_stores.ts";

for (const { name, make } of STORES) {
  describe(`EventLog on ${name}`, () => {
    it("numbers events from 1 and reads them back in order", () =>
      withStore(make, async (store) => {
        const log = await EventLog.open(await store.open(), BATCHED);
        assert.equal(log.lastSeq, 0);
        log.append(ev(1));
        log.append({ type: "other", nested: { list: [1, "two", null] } });
        assert.equal(log.lastSeq, 2);
        await log.append(ev(3));
        assert.deepEqual([...log.read(0)], [
          { seq: 1, event: ev(1) },
          { seq: 2, event: { type: "other", nested: { list: [1, "two", null] } } },
          { seq: 3, event: ev(3) },
        ]);
        await log.close();
      }));

    it("groups one synchronous stretch into one record with one shared promise", () =>
      withStore(make, async (store) => {
        const backend = await store.open();
        const log = await EventLog.open(backend, BATCHED);
        const first = [log.append(ev(1)), log.append(ev(2)), log.append(ev(3))];
        assert.equal(first[0], first[1]);
        assert.equal(first[1], first[2]);
        await first[0];
        const second = log.append(ev(4));
        assert.notEqual(second, first[0]);
        log.append(ev(5));
        await log.flush();
        assert.deepEqual(recordKeys(backend), [seqKey("r/", 1), seqKey("r/", 4)]);
        await log.close();
      }));

    it("groups what one turn appends, its microtasks included, into one record; a later turn starts another", () =>
      withStore(make, async (store) => {
        const backend = await store.open();
        const log = await EventLog.open(backend, BATCHED);
        const first = log.append(ev(1));
        await settle(); // microtasks of the same turn: a task's result recorded after its submission
        assert.equal(log.append(ev(2)), first);
        await nextTurn();
        const later = log.append(ev(3));
        assert.notEqual(later, first);
        await Promise.all([first, later]);
        assert.deepEqual(recordKeys(backend), [seqKey("r/", 1), seqKey("r/", 3)]);
        await log.close();
      }));

    it("reads only the events after a given seq, across records", () =>
      withStore(make, async (store) => {
        const log = await EventLog.open(await store.open(), BATCHED);
        await appendGroups(log, [[1, 2], [3, 4, 5], [6]]);
        assert.deepEqual(seqs(log, 3), [4, 5, 6]);
        assert.deepEqual([...log.read(4)].map((entry) => entry.event), [ev(5), ev(6)]);
        assert.deepEqual(seqs(log, 6), []);
        assert.deepEqual(seqs(log, 60), []);
        assert.throws(() => log.read(-1), { name: "RangeError" });
        await log.close();
      }));

    it("continues the seqs after a reopen", () =>
      withStore(make, async (store) => {
        const log = await EventLog.open(await store.open(), BATCHED);
        await appendGroups(log, [[1, 2], [3]]);
        await log.close();
        const again = await EventLog.open(await store.open(), BATCHED);
        assert.equal(again.lastSeq, 3);
        await again.append(ev(4));
        assert.equal(again.lastSeq, 4);
        assert.deepEqual(seqs(again, 0), [1, 2, 3, 4]);
        await again.close();
      }));

    it("acknowledges sync appends once durable", () =>
      withStore(make, async (store) => {
        const log = await EventLog.open(await store.open(), { durability: "sync" });
        await Promise.all([log.append(ev(1)), log.append(ev(2))]);
        await log.append(ev(3));
        await log.close();
        const again = await EventLog.open(await store.open(), { durability: "sync" });
        assert.deepEqual(seqs(again, 0), [1, 2, 3]);
        await again.close();
      }));

    it("checkpoints compact the records they cover, and reads after the checkpoint still work", () =>
      withStore(make, async (store) => {
        const backend = await store.open();
        const log = await EventLog.open(backend, BATCHED);
        await appendGroups(log, [[1, 2], [3, 4], [5, 6]]);
        await log.checkpoint(3, { upTo: 3 });
        assert.deepEqual(log.latestCheckpoint(), { seq: 3, state: { upTo: 3 } });
        // Records 1-2 are covered and gone; 3-4 is only partly covered and stays.
        assert.deepEqual(recordKeys(backend), [seqKey("r/", 3), seqKey("r/", 5)]);
        assert.deepEqual(seqs(log, 3), [4, 5, 6]);
        assert.throws(() => [...log.read(1)], { name: "RangeError" }, "events 2-3 were compacted");

        await log.checkpoint(6, { upTo: 6 });
        assert.deepEqual(recordKeys(backend), []);
        assert.deepEqual(recordKeys(backend, "c/"), [seqKey("c/", 6)], "the older checkpoint is gone");
        assert.deepEqual(seqs(log, 6), []);
        assert.throws(() => [...log.read(5)], { name: "RangeError" });
        await assert.rejects(log.checkpoint(5, {}), { name: "RangeError" }, "older than the newest checkpoint");
        await assert.rejects(log.checkpoint(7, {}), { name: "RangeError" }, "past the last event");
        await log.close();

        const again = await EventLog.open(await store.open(), BATCHED);
        assert.equal(again.lastSeq, 6);
        assert.deepEqual(again.latestCheckpoint(), { seq: 6, state: { upTo: 6 } });
        await again.append(ev(7));
        assert.deepEqual(seqs(again, 6), [7]);
        await again.close();
      }));

    it("drops a torn last record and warns with its seq", () =>
      withStore(make, async (store) => {
        for (const damage of ["truncated", "bad payload"] as const) {
          const backend = await store.open();
          const log = await EventLog.open(backend, { ...BATCHED, warn: () => {} });
          const base = log.lastSeq;
          await appendGroups(log, [[1, 2], [3], [4, 5]]);
          await log.close();

          const direct = await store.open();
          const last = seqKey("r/", base + 4);
          const bytes = direct.get(last)!;
          const broken = damage === "truncated" ? bytes.subarray(0, bytes.length - 5) : flip(bytes, bytes.length - 2);
          await direct.write([{ type: "put", key: last, value: broken }]).committed;
          const warnings: string[] = [];
          const again = await EventLog.open(direct, {
            durability: "batched",
            warn: (message) => warnings.push(message),
          });
          assert.equal(warnings.length, 1, damage);
          assert.match(warnings[0], new RegExp(`seq ${base + 4}\\b`));
          assert.equal(again.lastSeq, base + 3);
          assert.equal(direct.get(last), undefined, "the torn record is deleted");
          assert.deepEqual(seqs(again, base), [base + 1, base + 2, base + 3]);
          await again.append(ev(4));
          assert.equal(again.lastSeq, base + 4);
          await again.close();
        }
      }));

    it("refuses to open past a corrupted record in the middle", () =>
      withStore(make, async (store) => {
        const log = await EventLog.open(await store.open(), BATCHED);
        await appendGroups(log, [[1, 2], [3, 4], [5]]);
        await log.close();
        const backend = await store.open();
        const middle = seqKey("r/", 3);
        await backend.write([{ type: "put", key: middle, value: flip(backend.get(middle)!, 14) }]).committed;
        await assert.rejects(EventLog.open(backend, BATCHED), (error: Error & { seq?: number; code?: string }) => {
          assert.equal(error.name, "LogCorruptedError");
          assert.equal(error.code, "LOG_CORRUPTED");
          assert.equal(error.seq, 3);
          return true;
        });
        assert.ok(backend.get(middle) !== undefined, "nothing is dropped");
        await backend.close();
      }));

    it("refuses a log written with a newer schema version", () =>
      withStore(make, async (store) => {
        const log = await EventLog.open(await store.open(), BATCHED);
        await appendGroups(log, [[1], [2]]);
        await log.checkpoint(1, { s: 1 });
        await log.close();
        const backend = await store.open();
        for (const key of [seqKey("r/", 2), seqKey("c/", 1), "m/schema"]) {
          const original = backend.get(key)!;
          const newer = original.slice();
          newer[1] = EVENT_SCHEMA_VERSION + 1;
          await backend.write([{ type: "put", key, value: newer }]).committed;
          await assert.rejects(
            EventLog.open(backend, BATCHED),
            (error: Error & { found?: number; supported?: number }) => {
              assert.equal(error.name, "SchemaVersionError", key);
              assert.equal(error.found, EVENT_SCHEMA_VERSION + 1);
              assert.equal(error.supported, EVENT_SCHEMA_VERSION);
              assert.match(
                error.message,
                new RegExp(`version ${EVENT_SCHEMA_VERSION + 1}\\b.*\\b${EVENT_SCHEMA_VERSION}\\b`),
              );
              return true;
            },
          );
          await backend.write([{ type: "put", key, value: original }]).committed;
        }
        await backend.close();
      }));

    for (const mode of ["rejects", "throws"] as const) {
      it(`stops on a backend write that ${mode} (ENOSPC) and keeps what was acknowledged`, () =>
        withStore(make, async (store) => {
          const faulty = new FaultyBackend(await store.open(), mode);
          const log = await EventLog.open(faulty, BATCHED);
          await appendGroups(log, [[1, 2], [3]]);
          faulty.failNextWrites();
          const lost = log.append(ev(4));
          log.append(ev(5));
          await assert.rejects(lost, (error: Error & { cause?: { code?: string } }) => {
            assert.equal(error.name, "StorageError");
            assert.equal(error.cause?.code, "ENOSPC");
            return true;
          });
          assert.equal(log.failure?.name, "StorageError");
          const attempts = faulty.writes;
          await assert.rejects(log.append(ev(6)), (error) => error === log.failure);
          await assert.rejects(log.flush(), (error) => error === log.failure);
          await assert.rejects(log.checkpoint(3, {}), (error) => error === log.failure);
          assert.equal(faulty.writes, attempts, "nothing more reaches the backend");
          await log.close();

          const again = await EventLog.open(await store.open(), BATCHED);
          assert.deepEqual([...again.read(0)].map((entry) => entry.event), [ev(1), ev(2), ev(3)]);
          assert.equal(again.lastSeq, 3);
          await again.close();
        }));
    }
  });
}

/** A log on a backend that holds its writes until the test commits them. */
async function heldLog(
  options: Parameters<typeof EventLog.open>[1],
): Promise<{ manual: ManualBackend; log: EventLog }> {
  const manual = new ManualBackend();
  const log = await EventLog.open(manual, options);
  manual.holdWrites();
  return { manual, log };
}

describe("EventLog acknowledgement", () => {
  it("batched acknowledges at commit, sync waits for durable", async () => {
    for (const durability of ["batched", "sync"] as const) {
      const { manual, log } = await heldLog({ durability });
      let acked = false;
      const ack = log.append(ev(1)).then(() => (acked = true));
      const write = await manual.nextWrite();
      write.commit();
      await settle();
      assert.equal(acked, durability === "batched", durability);
      write.makeDurable();
      await ack;
      assert.equal(acked, true);
      await log.close();
    }
  });

  it("writes one batch at a time and sends what piled up as one atomic write", async () => {
    const { manual, log } = await heldLog(BATCHED);
    const first = log.append(ev(1));
    const write = await manual.nextWrite();
    const second = log.append(ev(2));
    await nextTurn();
    const third = log.append(ev(3));
    await nextTurn();
    assert.equal(manual.held.length, 1, "no second write while the first is in flight");
    write.commit();
    await first;
    const next = await manual.nextWrite();
    assert.deepEqual(next.ops.map((op) => op.key), [seqKey("r/", 2), seqKey("r/", 3)]);
    next.commit();
    await Promise.all([second, third]);
    assert.deepEqual(seqs(log, 0), [1, 2, 3]);
    await log.close();
  });

  it("sends a backlog in writes of a few records each, in order, and is behind until it has caught up", async () => {
    const { manual, log } = await heldLog(BATCHED);
    const big = "x".repeat(100_000);
    let acked = 0;
    for (let n = 0; n < 100; n++) void log.append({ type: "big", n, big }).then(() => acked++); // ~10 MB in one turn
    assert.equal(log.behind, true);
    const writes: number[][] = [];
    await manual.commitUntil(
      () => acked === 100,
      (write) => writes.push(write.ops.map((op) => (op.type === "put" ? op.value.length : 0))),
    );
    assert.ok(writes.length > 2, `${writes.length} writes`);
    for (const sizes of writes) {
      const bytes = sizes.reduce((a, b) => a + b, 0);
      assert.ok(sizes.length === 1 || bytes <= 4.1 * 2 ** 20, `a write of ${sizes.length} records, ${bytes} bytes`);
    }
    assert.equal(log.behind, false);
    assert.deepEqual([...log.read(0)].map((entry) => entry.event.n), [...Array(100).keys()]);
    await log.close();
  });

  it("pushes back on producers past four writes' worth of backlog, until it is down to two", async () => {
    const { manual, log } = await heldLog(BATCHED);
    const big = "x".repeat(100_000);
    void log.append({ type: "big", big });
    assert.equal(log.backpressure(), undefined, "a small backlog asks no one to wait");
    const acks: Promise<void>[] = [];
    for (let n = 0; n < 200; n++) acks.push(log.append({ type: "big", n, big })); // ~20 MB in one turn
    const relief = log.backpressure();
    assert.ok(relief instanceof Promise);
    assert.equal(log.backpressure(), relief, "one promise for every producer that asks");
    let relieved = false;
    void relief.then(() => (relieved = true));
    const writes = await manual.commitUntil(() => relieved, () => assert.equal(relieved, false));
    assert.ok(writes < 10, `still pushing back after ${writes} writes`);
    assert.ok(writes >= 2, `relieved after ${writes} writes`); // from ~20 MB down to 8 MiB at 4 MiB a write
    assert.equal(log.backpressure(), undefined);
    assert.equal(log.behind, true, "still behind: the writer has its next writes ready");
    let acked = false;
    void Promise.all(acks).then(() => (acked = true));
    await manual.commitUntil(() => acked);
    assert.equal([...log.read(0)].length, 201);
    await log.close();
  });

  it("releases producers waiting on backpressure when it fails", async () => {
    const { log } = await heldLog(BATCHED);
    const big = "x".repeat(100_000);
    for (let n = 0; n < 200; n++) void log.append({ type: "big", n, big });
    const relief = log.backpressure()!;
    log.halt(new Error("the disk is gone"));
    await within(relief, 10_000, "relief after the halt");
    assert.equal(log.backpressure(), undefined, "a failed log rejects appends instead");
  });

  it('halt() rejects every write not yet acknowledged: in "sync", one committed and waiting for its fsync too', async () => {
    const { manual, log } = await heldLog({ durability: "sync" });
    const first = log.append(ev(1));
    const committed = await manual.nextWrite();
    committed.commit(); // and not yet durable
    const second = log.append(ev(2));
    const inFlight = await manual.nextWrite();
    const error = new Error("the data dir is gone");
    log.halt(error);
    committed.makeDurable();
    inFlight.commit();
    inFlight.makeDurable();
    await assert.rejects(within(first, 10_000, "the first append settling"), (thrown) => thrown === error);
    await assert.rejects(within(second, 10_000, "the second append settling"), (thrown) => thrown === error);
  });

  it("rejects events that are not JSON-safe and goes on", async () => {
    const log = await EventLog.open(new MemoryBackend(), BATCHED);
    await assert.rejects(log.append({ type: "bad", n: 1n }), { name: "TypeError" });
    await assert.rejects(log.append({ kind: "no type" } as unknown as LogEvent), { name: "TypeError" });
    await log.append(ev(1));
    assert.deepEqual(seqs(log, 0), [1]);
    await log.close();
  });

  it("cuts a very large stretch into several records, in order", async () => {
    const backend = new MemoryBackend();
    const log = await EventLog.open(backend, BATCHED);
    const big = "x".repeat(100_000);
    const acks = Array.from({ length: 25 }, (_, n) => log.append({ type: "big", n, big }));
    await Promise.all(acks);
    assert.ok(recordKeys(backend).length > 1);
    assert.deepEqual([...log.read(0)].map((entry) => entry.event.n), [...Array(25).keys()]);
    await log.close();
  });
});
