// `submit(step, { id })` under an id the app already holds returns that run's handle, as BullMQ
// does for a `jobId` (issue 8, finding 6): in local mode, in memory and durable (also after a
// restart from the log), for a task or workflow queued, running or finished; the step given the
// second time is ignored. Malformed ids and bad reconnect options are refused with what was expected.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ActantApp, chain, type ReconnectOptions } from "../mod.ts";
import { gate } from "./support/async.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "actant-idempotent-"));
  dirs.push(dir);
  return dir;
}

/** An app whose tasks count their runs by tag, and one task that waits for the test to open it. */
function countingApp(options: ConstructorParameters<typeof ActantApp>[1]) {
  const app = new ActantApp("idempotent", options);
  const runs = new Map<string, number>();
  const count = (tag: string) => void runs.set(tag, (runs.get(tag) ?? 0) + 1);
  let opened = gate();
  const tasks = {
    tag: app.task("tag", (tag: string) => (count(tag), tag)),
    held: app.task("held", async (tag: string) => (count(tag), await opened.promise, tag)),
    fail: app.task("fail", (tag: string) => {
      count(tag);
      throw new RangeError(`${tag} fails`);
    }),
    then: app.task("then", (previous: string, tag: string) => (count(tag), `${previous}+${tag}`)),
  };
  return {
    app,
    ...tasks,
    runs: (tag: string) => runs.get(tag) ?? 0,
    open: () => {
      opened.open();
      opened = gate();
    },
  };
}

for (const durability of ["memory", "batched"] as const) {
  describe(`submit under an id the app holds (durability "${durability}")`, () => {
    const options = () => durability === "memory" ? { durability } : { durability, dataDir: tempDir() };

    it("a running task's id gives its handle; the second step is ignored; finished, it is answered again", async () => {
      const { app, held, tag, runs, open } = countingApp(options());
      try {
        const first = app.submit(held.s("one"), { id: "job-1" });
        for (let i = 0; runs("one") === 0; i++) {
          assert.ok(i < 500, "the task started");
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const second = app.submit(tag.s("other"), { id: "job-1" });
        assert.equal(second.id, "job-1");
        assert.equal(await second.status(), "running");
        open();
        assert.equal(await second, "one");
        assert.equal(await first, "one");
        const third = app.submit(tag.s("other"), { id: "job-1" });
        assert.equal(await third, "one");
        assert.equal(await third.status(), "succeeded");
        assert.equal(runs("one"), 1);
        assert.equal(runs("other"), 0);
      } finally {
        await app.close();
      }
    });

    it("a queued task's id gives its handle (concurrency 1, the slot taken)", async () => {
      const { app, held, tag, runs, open } = countingApp({ ...options(), concurrency: 1 });
      try {
        const blocker = app.submit(held.s("blocker"));
        const queued = app.submit(tag.s("queued"), { id: "queued-1" });
        assert.equal(await app.submit(tag.s("other"), { id: "queued-1" }).status(), "queued");
        open();
        await blocker;
        assert.equal(await app.submit(tag.s("other"), { id: "queued-1" }), "queued");
        assert.equal(await queued, "queued");
        assert.equal(runs("queued"), 1);
        assert.equal(runs("other"), 0);
      } finally {
        await app.close();
      }
    });

    it("a failed task's id gives its recorded failure; a workflow's id gives the workflow", async () => {
      const { app, fail, tag, then, runs } = countingApp(options());
      try {
        await assert.rejects(app.submit(fail.s("bad"), { id: "bad-1" }).get(), { name: "TaskError" });
        const again = app.submit(tag.s("other"), { id: "bad-1" });
        await assert.rejects(
          again.get(),
          (error: Error & { cause?: Error }) => error.name === "TaskError" && error.cause?.name === "RangeError",
        );
        assert.equal(await again.status(), "failed");
        assert.equal(runs("bad"), 1);
        assert.equal(await app.submit(chain(tag.s("a"), then.s("b")), { id: "flow-1" }), "a+b");
        assert.equal(await app.submit(tag.s("other"), { id: "flow-1" }), "a+b");
        assert.equal(await app.submit(chain(tag.s("x"), then.s("y")), { id: "flow-1" }), "a+b");
        assert.equal(runs("a") + runs("b"), 2);
        assert.equal(runs("other") + runs("x"), 0);
      } finally {
        await app.close();
      }
    });
  });
}

describe("submit under an id the log holds, after a restart", () => {
  it("a finished run is answered from the log, an unfinished one is the recovered run: none runs twice", async () => {
    const dataDir = tempDir();
    const first = countingApp({ dataDir });
    assert.equal(await first.app.submit(first.tag.s("done"), { id: "done-1" }), "done");
    await assert.rejects(first.app.submit(first.fail.s("bad"), { id: "bad-1" }).get(), { name: "TaskError" });
    const unfinished = first.app.submit(first.held.s("paused"), { id: "paused-1" });
    unfinished.get().catch(() => {});
    await first.app.flush();
    await first.app.close(); // a pause for a durable app: the run stays in the log, unfinished

    const second = countingApp({ dataDir });
    try {
      // Submitted before the app has read its log: decided once it has.
      const done = second.app.submit(second.tag.s("other"), { id: "done-1" });
      const paused = second.app.submit(second.tag.s("other"), { id: "paused-1" });
      assert.equal(await done, "done");
      assert.equal(await done.status(), "succeeded");
      assert.equal(await paused.status(), "running");
      second.open();
      assert.equal(await paused, "paused");
      assert.equal(await second.app.submit(second.tag.s("other"), { id: "paused-1" }), "paused");
      await assert.rejects(second.app.submit(second.tag.s("other"), { id: "bad-1" }).get(), { name: "TaskError" });
      assert.equal(second.runs("done") + second.runs("bad"), 0, "finished before the restart: not run again");
      assert.equal(second.runs("paused"), 1, "the recovered run, once");
      assert.equal(second.runs("other"), 0, "the steps given the second time never ran");
    } finally {
      await second.app.close();
    }
  });
});

describe("bad ids and bad reconnect options", () => {
  it("an id that is not a non-empty string of at most 256 characters is a TypeError saying what was expected", () => {
    const app = new ActantApp("bad_ids", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    for (const id of [5, "", "x".repeat(257), null, {}, ["a"], true]) {
      assert.throws(() => app.submit(add.s(1, 2), { id: id as string }), (error: Error) => {
        assert.equal(error.name, "TypeError");
        assert.match(error.message, /^submit\(\) option id must be a non-empty string of at most 256 characters, got /);
        return true;
      }, `id ${JSON.stringify(id)}`);
    }
    const client = new ActantApp("bad_ids", {
      address: "/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN",
    });
    assert.throws(() => client.submit(add.s(1, 2), { id: "" }), { name: "TypeError" });
    assert.equal(app.submit(add.s(1, 2), { id: "x".repeat(256) }).id.length, 256);
  });

  it("reconnect options are checked: unknown, wrong types, negative or unbounded, outside client mode", () => {
    const address = "/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
    const bad: Array<[unknown, string, RegExp]> = [
      [{ retry: 3 }, "TypeError", /reconnect has no option "retry" \(known: retries, backoff\)/],
      [{ backoff: { initial: 10, delay: 5 } }, "TypeError", /reconnect\.backoff has no option "delay"/],
      [{ retries: -1 }, "RangeError", /reconnect\.retries must be an integer >= 0/],
      [{ retries: 1.5 }, "RangeError", /reconnect\.retries must be an integer >= 0/],
      [{ retries: Infinity }, "RangeError", /reconnect\.retries must be an integer >= 0/],
      [{ retries: "3" }, "TypeError", /reconnect\.retries must be a number, got string/],
      [{ backoff: { initial: -5 } }, "RangeError", /backoff\.initial must be a finite number >= 0/],
      [{ backoff: { max: -1 } }, "RangeError", /backoff\.max must be a finite number >= 0/],
      [{ backoff: { jitter: "yes" } }, "TypeError", /reconnect\.backoff\.jitter must be a boolean/],
      [5, "TypeError", /reconnect must be an object of options/],
      [null, "TypeError", /reconnect must be an object of options/],
    ];
    for (const [reconnect, name, message] of bad) {
      assert.throws(() => new ActantApp("c", { address, reconnect: reconnect as ReconnectOptions }), (error: Error) => {
        assert.equal(error.name, name, `${JSON.stringify(reconnect)}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
    }
    assert.throws(
      // @ts-expect-error: reconnect is a client's option; a local app's options do not take it.
      () => new ActantApp("c", { durability: "memory", reconnect: { retries: 3 } }),
      /reconnect applies to a client/,
    );
    // Good ones are taken, 0 retries included (give up at once).
    const good = [{}, { retries: 0 }, { retries: 5, backoff: { initial: 0, factor: 1, max: 0, jitter: false } }];
    for (const reconnect of good) {
      new ActantApp("c", { address, reconnect });
    }
  });
});
