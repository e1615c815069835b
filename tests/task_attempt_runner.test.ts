// The attempt runner: attempts other owners place on this process run outside the scheduler,
// in the same slots as the scheduler's own runs (one concurrency budget, one set of counts),
// with the owner's run id and attempt number, and no retries or timeouts of their own. Time is
// a ManualClock; nothing sleeps, and concurrency is observed through counters and stats.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encode, IdGenerator, ManualClock } from "../src/common/mod.ts";
import { AttemptRunner, Scheduler, type TaskContext, TaskRegistry } from "../src/task/mod.ts";
import { gate, settle } from "./support/async.ts";

/** A scheduler and a runner on its slots, with a task `hold(label)` that runs until the test opens its gate. */
function setup(concurrency: number) {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ concurrency, clock, ids: new IdGenerator() });
  const registry = new TaskRegistry();
  const runner = new AttemptRunner(registry, scheduler.slots);
  const gates = new Map<string, { open: () => void }>();
  const started: string[] = [];
  const live = { now: 0, peak: 0 };
  const hold = registry.register("hold", async function (this: TaskContext, label: string) {
    started.push(label);
    live.peak = Math.max(live.peak, ++live.now);
    const opened = gate();
    gates.set(label, opened);
    try {
      await opened.promise;
      return label;
    } finally {
      live.now--;
    }
  }, { retries: 3, timeout: 50 });
  const open = async (label: string) => {
    gates.get(label)!.open();
    await settle();
  };
  return { clock, scheduler, registry, runner, hold, started, live, open };
}

describe("attempt runner", () => {
  it("placed attempts and the scheduler's own runs together never exceed the concurrency", async () => {
    const { scheduler, runner, hold, started, live, open } = setup(3);
    const local = Array.from({ length: 4 }, (_, i) => scheduler.submit(hold, encode([`local-${i}`])));
    const placed = Array.from(
      { length: 4 },
      (_, i) => runner.run("hold", encode([`placed-${i}`]), { runId: `owner-run-${i}`, attempt: 1 }),
    );
    await settle();
    assert.equal(live.now, 3);
    assert.deepEqual({ running: scheduler.stats().running, queued: scheduler.stats().queued }, {
      running: 3,
      queued: 5,
    });
    // Each finished attempt hands its slot on, one at a time, whoever placed the next one.
    const finished = new Set<string>();
    for (let done = 0; done < 8; done++) {
      const label = started.find((name) => !finished.has(name))!;
      finished.add(label);
      await open(label);
      assert.ok(live.now <= 3, `at most 3 attempts at once, ${live.now} after ${label}`);
      assert.equal(scheduler.stats().running, Math.min(3, 8 - done - 1));
    }
    assert.equal(live.peak, 3);
    assert.deepEqual(await Promise.all(local.map((run) => run.value())), [0, 1, 2, 3].map((i) => `local-${i}`));
    for (const [i, attempt] of placed.entries()) assert.deepEqual(await attempt.outcome, encode(`placed-${i}`));
    const stats = scheduler.stats();
    assert.deepEqual(stats, { queued: 0, running: 0, submitted: 8, succeeded: 8, failed: 0, cancelled: 0 });
  });

  it("a slot given back goes to a placed attempt waiting for one before the scheduler's queue", async () => {
    const { scheduler, runner, hold, started, open } = setup(1);
    scheduler.submit(hold, encode(["first"]));
    await settle();
    scheduler.submit(hold, encode(["queued-here"]));
    runner.run("hold", encode(["placed"]), { runId: "r", attempt: 1 });
    await open("first");
    assert.deepEqual(started, ["first", "placed"]);
    await open("placed");
    assert.deepEqual(started, ["first", "placed", "queued-here"]);
    await open("queued-here");
  });

  it("runs with the owner's run id and attempt number as its context", async () => {
    const { registry, runner } = setup(2);
    registry.register("whoami", function (this: TaskContext) {
      return { taskId: this.taskId, task: this.task, attempt: this.attempt, aborted: this.signal.aborted };
    });
    const attempt = runner.run("whoami", encode([]), { runId: "t-owner-7", attempt: 3 });
    assert.deepEqual(
      await attempt.outcome,
      encode({ taskId: "t-owner-7", task: "whoami", attempt: 3, aborted: false }),
    );
  });

  it("makes no retries and keeps no timeout: those are the owner's", async () => {
    const { clock, registry, runner, scheduler, live, open } = setup(2);
    let calls = 0;
    registry.register("flaky", () => {
      calls++;
      throw new Error("flaky");
    }, { retries: 5, backoff: { initial: 1 } });
    await assert.rejects(runner.run("flaky", encode([]), { runId: "r1", attempt: 2 }).outcome, (error: Error) => {
      assert.equal(error.name, "TaskError");
      assert.equal((error.cause as Error).message, "flaky");
      return true;
    });
    await clock.advance(1_000);
    assert.equal(calls, 1);
    // `hold` declares a 50 ms timeout: past it, the attempt still runs, its signal not aborted.
    const held = runner.run("hold", encode(["long"]), { runId: "r2", attempt: 1 });
    await settle();
    await clock.advance(10_000);
    assert.equal(live.now, 1);
    await open("long");
    assert.deepEqual(await held.outcome, encode("long"));
    assert.deepEqual(
      { failed: scheduler.stats().failed, succeeded: scheduler.stats().succeeded },
      { failed: 1, succeeded: 1 },
    );
  });

  it("cancelling a waiting attempt drops it from the line; a running one sees its signal abort and frees its slot", async () => {
    const { registry, runner, scheduler, started } = setup(1);
    const reasons: unknown[] = [];
    registry.register("waits", function (this: TaskContext, label: string) {
      started.push(label);
      return new Promise((_resolve, reject) => {
        this.signal.addEventListener("abort", () => {
          reasons.push(this.signal.reason?.name);
          reject(this.signal.reason);
        });
      });
    });
    const running = runner.run("waits", encode(["a"]), { runId: "ra", attempt: 1 });
    const waiting = runner.run("waits", encode(["b"]), { runId: "rb", attempt: 1 });
    const next = runner.run("waits", encode(["c"]), { runId: "rc", attempt: 1 });
    await settle();
    assert.deepEqual([started, scheduler.stats().queued], [["a"], 2]);
    waiting.cancel("the owner cancelled it");
    await assert.rejects(waiting.outcome, { name: "CancelledError" });
    assert.equal(scheduler.stats().queued, 1);
    running.cancel("the owner cancelled it");
    await assert.rejects(running.outcome, { name: "CancelledError" });
    await settle();
    assert.deepEqual([started, reasons], [["a", "c"], ["CancelledError"]]);
    next.cancel("done");
    await assert.rejects(next.outcome, { name: "CancelledError" });
    assert.deepEqual(scheduler.stats(), { queued: 0, running: 0, submitted: 3, succeeded: 0, failed: 0, cancelled: 3 });
  });

  it("a raised concurrency lets placed attempts waiting in line start", async () => {
    const { scheduler, runner, live, started, open } = setup(1);
    for (const label of ["a", "b", "c"]) runner.run("hold", encode([label]), { runId: label, attempt: 1 });
    await settle();
    assert.equal(live.now, 1);
    scheduler.setConcurrency(3);
    await settle();
    assert.deepEqual([live.now, scheduler.stats().running, scheduler.stats().queued], [3, 3, 0]);
    for (const label of started) await open(label);
  });

  it("refuses a task this process does not register, and arguments that are not an encoded list", () => {
    const { runner, scheduler } = setup(1);
    assert.throws(() => runner.run("nope", encode([]), { runId: "r", attempt: 1 }), {
      name: "UnknownTaskError",
      code: "UNKNOWN_TASK",
    });
    assert.throws(() => runner.run("hold", encode("x"), { runId: "r", attempt: 1 }), { name: "TypeError" });
    assert.equal(scheduler.stats().submitted, 0);
  });
});
