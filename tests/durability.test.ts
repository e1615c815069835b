// Durable apps in one process: results, unfinished tasks, workflows and actors survive a close
// and a restart on the same data directory; bad data directories fail at start with clear errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { ActantApp, chain, type TaskContext } from "../mod.ts";
import { gate } from "./support/async.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "actant-durable-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

for (const durability of ["batched", "sync"] as const) {
  describe(`durable app (${durability})`, () => {
    it("a finished task's result is found by id after a restart, and the task is not run again", async () => {
      const dataDir = tempDir();
      let runs = 0;
      const first = new ActantApp("d", { dataDir, durability });
      const double = first.task("double", (n: number) => (runs++, n * 2));
      const handle = double.call(21);
      assert.equal(await handle, 42);
      await first.close();

      const second = new ActantApp("d", { dataDir, durability });
      second.task("double", (n: number) => (runs++, n * 2));
      const again = second.getResult<number>(handle.id);
      assert.equal(await again.get(), 42);
      assert.equal(await again.status(), "succeeded");
      assert.equal(runs, 1);
      await second.close();
    });

    it("a failed task's error is found by id after a restart", async () => {
      const dataDir = tempDir();
      const first = new ActantApp("d", { dataDir, durability });
      const boom = first.task("boom", () => {
        throw new RangeError("out of range");
      });
      const handle = boom.call();
      await assert.rejects(handle.get(), { name: "TaskError" });
      await first.close();

      const second = new ActantApp("d", { dataDir, durability });
      const again = second.getResult(handle.id);
      await assert.rejects(again.get(), (error: Error & { cause?: Error; attempts?: number }) => {
        assert.equal(error.name, "TaskError");
        assert.equal(error.cause?.name, "RangeError");
        assert.equal(error.cause?.message, "out of range");
        return true;
      });
      assert.equal(await again.status(), "failed");
      await second.close();
    });

    it("an unfinished task runs again after a restart and its result reaches getResult", async () => {
      const dataDir = tempDir();
      const first = new ActantApp("d", { dataDir, durability });
      const hold = gate();
      const slow = first.task("slow", async function (this: TaskContext, n: number) {
        await Promise.race([hold.promise, new Promise((resolve) => this.signal.addEventListener("abort", resolve))]);
        return n + 1;
      });
      const handle = slow.call(1);
      await first.flush();
      await first.close(); // a shutdown: the task stays in the log, unfinished
      await assert.rejects(handle.get(), { name: "CancelledError" });

      const second = new ActantApp("d", { dataDir, durability });
      let reran = 0;
      second.task("slow", (n: number) => (reran++, n + 1));
      const again = second.getResult<number>(handle.id);
      assert.equal(await again.get(), 2);
      assert.equal(reran, 1);
      await second.close();
    });

    it("a workflow resumes at its first unfinished node after a restart, with the same result", async () => {
      const dataDir = tempDir();
      const counts = { first: 0, second: 0, third: 0 };
      const hold = gate();
      const app1 = new ActantApp("d", { dataDir, durability });
      const a = app1.task("a", (n: number) => (counts.first++, n + 1));
      const b = app1.task("b", async (n: number) => {
        counts.second++;
        await hold.promise;
        return n * 10;
      });
      const c = app1.task("c", (n: number) => (counts.third++, `total ${n}`));
      const handle = app1.submit(chain(a.s(1), b.s(), c.s()));
      while (counts.second === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      await app1.close();

      const app2 = new ActantApp("d", { dataDir, durability });
      app2.task("a", (n: number) => (counts.first++, n + 1));
      app2.task("b", (n: number) => (counts.second++, n * 10));
      app2.task("c", (n: number) => (counts.third++, `total ${n}`));
      const again = app2.getWorkflow<string>(handle.id);
      assert.equal(await again.get(), "total 20");
      assert.deepEqual(counts, { first: 1, second: 2, third: 1 });
      await app2.close();

      const app3 = new ActantApp("d", { dataDir, durability });
      assert.equal(await app3.getWorkflow<string>(handle.id), "total 20");
      await app3.close();
    });

    it("an actor comes back after a restart with its state, from a checkpoint plus the calls after it", async () => {
      const dataDir = tempDir();
      class Ledger {
        entries: string[] = [];
        total = 0;
        owner: string;
        constructor(owner: string) {
          this.owner = owner;
        }
        add(item: string, amount: number) {
          this.entries.push(item);
          this.total += amount;
          return this.total;
        }
        summary() {
          return { owner: this.owner, entries: this.entries, total: this.total };
        }
      }
      const app1 = new ActantApp("d", { dataDir, durability });
      const LedgerDef = app1.actor("Ledger", Ledger, { checkpointEvery: 3 });
      const ledger = await app1.createActor(LedgerDef, { args: ["ana"], name: "main" });
      for (let i = 1; i <= 7; i++) await ledger.add(`item${i}`, i);
      await app1.close();

      const app2 = new ActantApp("d", { dataDir, durability });
      const LedgerDef2 = app2.actor("Ledger", Ledger, { checkpointEvery: 3 });
      const back = await app2.getActor(LedgerDef2, "main");
      assert.deepEqual(await back.summary(), {
        owner: "ana",
        entries: ["item1", "item2", "item3", "item4", "item5", "item6", "item7"],
        total: 28,
      });
      assert.equal(back.actorId, ledger.actorId);
      const byId = await app2.getActor(LedgerDef2, ledger.actorId);
      assert.equal((await byId.summary()).total, 28);
      assert.equal(await back.add("item8", 8), 36);
      await back.stop(); // stopped for good: not brought back again
      await app2.close();

      const app3 = new ActantApp("d", { dataDir, durability });
      const LedgerDef3 = app3.actor("Ledger", Ledger);
      await assert.rejects(app3.getActor(LedgerDef3, "main"), { name: "ActorNotFoundError" });
      await app3.close();
    });
  });
}

describe("durable app: bad data directories and unknown ids", () => {
  it("a data directory locked by a live process fails at start with DataDirError DATA_DIR_LOCKED", async () => {
    const dataDir = tempDir();
    const first = new ActantApp("d", { dataDir });
    await first.start();
    const second = new ActantApp("d", { dataDir });
    await assert.rejects(second.start(), { name: "DataDirError", code: "DATA_DIR_LOCKED" });
    const task = second.task("t", () => 1);
    assert.throws(() => task.call(), { name: "StorageError" });
    await first.close();
  });

  it("a data directory that cannot be created fails at start with DataDirError", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "not a directory");
    const app = new ActantApp("d", { dataDir: join(dir, "file", "data") });
    await assert.rejects(app.start(), { name: "DataDirError", code: "DATA_DIR_UNUSABLE" });
    await app.close();
  });

  it("getResult for an id the log never saw is ResultNotFoundError", async () => {
    const app = new ActantApp("d", { dataDir: tempDir() });
    await assert.rejects(app.getResult("t-nope-0").get(), { name: "ResultNotFoundError" });
    await assert.rejects(app.getWorkflow("wf-nope-0").get(), { name: "ResultNotFoundError" });
    await app.close();
  });

  it("with durability memory nothing is kept: getResult says so", async () => {
    const app = new ActantApp("d", { durability: "memory" });
    const one = app.task("one", () => 1);
    const handle = one.call();
    await handle;
    await assert.rejects(app.getResult(handle.id).get(), { name: "ResultNotFoundError", message: /memory/ });
    await app.close();
  });

  it("bad options are RangeErrors naming the option", () => {
    assert.throws(() => new ActantApp("d", { durability: "eventually" as never }), RangeError);
    assert.throws(() => new ActantApp("d", { checkpointInterval: 0 }), RangeError);
    assert.throws(() => new ActantApp("d", { keepResults: -1 }), RangeError);
  });
});
