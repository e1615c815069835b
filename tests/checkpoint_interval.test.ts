/**
 * When a durable app checkpoints its state: every `checkpointInterval` events, but never more often
 * than once per as many events as the state holds records (a checkpoint writes the whole state,
 * so a large backlog must not be written again every few events). Either way recovery is exact.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ActantApp } from "../mod.ts";
import { KeptBackend } from "./support/kept_backend.ts";

/** The seqs of the checkpoints in `backend` (keys `c/<seq in hex>`). */
function checkpointSeqs(backend: KeptBackend): number[] {
  return [...backend.range({ start: "c/", end: "c0" })].map(({ key }) => parseInt(key.slice(2), 16));
}

describe("Checkpoints of a durable app", () => {
  it("are taken every checkpointInterval events while the state is small, and recovery reads them", async () => {
    const backend = new KeptBackend();
    const app = new ActantApp("cp", { backend, checkpointInterval: 10 });
    const inc = app.task("inc", (n: number) => n + 1);
    for (let i = 0; i < 20; i++) assert.equal(await inc.call(i), i + 1); // two events each, one at a time
    await app.close();
    const seqs = checkpointSeqs(backend);
    assert.ok(seqs.length >= 1, `checkpoints at ${seqs}`);
    assert.ok(seqs.every((seq) => seq % 10 === 0), `checkpoints at ${seqs}`);
    const again = new ActantApp("cp", { backend, checkpointInterval: 10 });
    again.task("inc", (n: number) => n + 1);
    const ids: string[] = [];
    const late = again.task("late", (n: number) => n * 2);
    ids.push(again.submit(late.s(21)).id);
    assert.equal(await again.getResult(ids[0]), 42);
    await again.close();
  });

  it("wait for as many events as the state holds records: a backlog of 200 is not checkpointed every 10 events", async () => {
    const backend = new KeptBackend();
    const app = new ActantApp("cp", { backend, checkpointInterval: 10, concurrency: 1 });
    const gate = Promise.withResolvers<void>();
    const hold = app.task("hold", async (n: number) => {
      await gate.promise;
      return n;
    });
    const handles = Array.from({ length: 200 }, (_, i) => app.submit(hold.s(i)));
    await app.flush();
    // 200 submitted events: the one checkpoint is at event 10 (10 records then); after it the state
    // holds more records than events have come since, so none was taken every 10 events.
    assert.deepEqual(checkpointSeqs(backend), [10]);
    gate.resolve();
    for (let i = 0; i < 200; i++) assert.equal(await handles[i], i);
    await app.close();
    const seqs = checkpointSeqs(backend);
    // Compaction keeps the newest checkpoint: it came at least 200 events (the records the state
    // held by then: 200 runs, finished ones kept for getResult) after the first.
    assert.equal(seqs.length, 1, `checkpoints at ${seqs}`);
    assert.ok(seqs[0] >= 210, `the checkpoint after the backlog is at ${seqs[0]}`);
    // Recovery from those checkpoints is exact: every result is still there.
    const again = new ActantApp("cp", { backend, checkpointInterval: 10, keepResults: 1_000 });
    again.task("hold", (n: number) => n);
    await again.start();
    assert.equal(await again.getResult(handles[199].id), 199);
    await again.close();
  });

  it("wait while the log is behind (a burst recorded faster than it is written), then come with the next event", async () => {
    const backend = new KeptBackend();
    const app = new ActantApp("cp", { backend, checkpointInterval: 10 });
    const size = app.task("size", (text: string) => text.length);
    await app.start();
    const big = "x".repeat(300_000);
    // One turn: 30 submissions of 300 KB each and, as the tasks are synchronous, their 30 results.
    const handles = Array.from({ length: 30 }, () => app.submit(size.s(big)));
    for (const handle of handles) assert.equal(await handle, big.length);
    await app.flush();
    // Event 10 came before the log fell behind; at event 40 (30 events since, 30 records) the log
    // was behind by megabytes, and is no more, but no event has come since.
    assert.deepEqual(checkpointSeqs(backend), [10]);
    assert.equal(await size.call("after"), 5);
    await app.flush();
    const seqs = checkpointSeqs(backend);
    assert.equal(seqs.length, 1, `checkpoints at ${seqs}`);
    assert.ok(seqs[0] > 60, `the checkpoint after the burst is at ${seqs[0]}`);
    await app.close();
    const again = new ActantApp("cp", { backend, checkpointInterval: 10 });
    again.task("size", (text: string) => text.length);
    assert.equal(await again.getResult(handles[29].id), big.length);
    await again.close();
  });
  it("taken while the app closes (an actor's last checkpoint) keep the queued tasks the close cancels, with their arguments", async () => {
    const backend = new KeptBackend();
    const app = new ActantApp("cp", { backend, checkpointInterval: 1, concurrency: 1 });
    const gate = Promise.withResolvers<void>();
    const hold = app.task("hold", async () => await gate.promise);
    const add = app.task("add", (a: number, b: number) => a + b);
    const Counter = app.actor(
      "Counter",
      class {
        n = 0;
      },
    );
    await app.start();
    app.submit(hold.s());
    const queued = [app.submit(add.s(2, 3)), app.submit(add.s(4, 5))];
    await app.createActor(Counter);
    await app.flush();
    const before = checkpointSeqs(backend);
    await app.close(); // the actor's checkpoint at close is one more event than the state holds records
    assert.notDeepEqual(checkpointSeqs(backend), before, "a checkpoint was taken while closing");
    const again = new ActantApp("cp", { backend, checkpointInterval: 1 });
    again.task("hold", () => undefined);
    again.task("add", (a: number, b: number) => a + b);
    again.actor(
      "Counter",
      class {
        n = 0;
      },
    );
    assert.equal(await again.getResult(queued[0].id), 5);
    assert.equal(await again.getResult(queued[1].id), 9);
    await again.close();
  });
});
