import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActantApp, chain, InvalidWorkflowError, loop, ManualClock, type TaskContext } from "../mod.ts";

describe("ActantApp.close", () => {
  it("cancels unfinished tasks and workflows, aborts running ones and leaves no timer behind", async () => {
    const clock = new ManualClock();
    const app = new ActantApp("close", { durability: "memory", clock, concurrency: 1 });
    let sawAbort = false;
    const block = app.task("block", function (this: TaskContext) {
      return new Promise((_, reject) => {
        this.signal.addEventListener("abort", () => {
          sawAbort = true;
          reject(this.signal.reason);
        });
      });
    }, { timeout: 60_000 });
    const inc = app.task("inc", (n: number) => n + 1);

    const running = block.call();
    const queued = inc.call(1);
    const workflow = app.submit(chain(inc.s(1), inc.s()));
    await clock.advance(0);
    assert.equal(await running.status(), "running");
    assert.equal(app.stats().queued, 2, "the queued task and the workflow's first step wait behind the running one");
    assert.equal(await queued.status(), "queued");

    await app.close();
    await assert.rejects(running.get(), { name: "CancelledError" });
    await assert.rejects(queued.get(), { name: "CancelledError" });
    await assert.rejects(workflow.get(), { name: "CancelledError" });
    assert.equal(await workflow.status(), "cancelled");
    assert.equal(sawAbort, true);
    assert.equal(app.stats().queued, 0);
    assert.equal(app.stats().running, 0);
    assert.equal(clock.pending, 0, "the timeout timer is cancelled with its attempt");

    // A run waiting out a retry backoff is cancelled too, and its retry timer with it.
    const app2 = new ActantApp("close2", { durability: "memory", clock });
    let tries = 0;
    const flaky2 = app2.task("flaky", () => {
      tries++;
      throw new Error("try again later");
    }, { retries: 5, backoff: { initial: 10_000 } });
    const retrying = flaky2.call();
    await clock.advance(0);
    assert.equal(tries, 1, "the first attempt ran");
    assert.equal(await retrying.status(), "queued", "queued again, for its retry");
    await app2.close();
    await assert.rejects(retrying.get(), { name: "CancelledError" });
    assert.equal(clock.pending, 0);
  });

  it("counts submitted, succeeded, failed and cancelled work in stats()", async () => {
    const app = new ActantApp("stats", { durability: "memory" });
    const ok = app.task("ok", () => 1);
    const bad = app.task("bad", () => {
      throw new Error("no");
    });
    await ok.call();
    await assert.rejects(bad.call().get(), { name: "TaskError" });
    const stats = app.stats();
    assert.deepEqual(
      { submitted: stats.submitted, succeeded: stats.succeeded, failed: stats.failed, cancelled: stats.cancelled },
      { submitted: 2, succeeded: 1, failed: 1, cancelled: 0 },
    );
    await app.close();
  });
});

describe("loop placement", () => {
  it("a loop needs a starting value: at the top level it is refused at submit", async () => {
    const app = new ActantApp("loop", { durability: "memory" });
    const inc = app.task("inc", (n: number) => n + 1);
    const start = app.task("start", () => 1);
    assert.throws(() => app.submit(loop(inc.s(), { maxIterations: 3 }) as never), InvalidWorkflowError);
    assert.equal(await app.submit(chain(start.s(), loop(inc.s(), { maxIterations: 3 }))), 4);
    await app.close();
  });
});
