// Tasks on the local scheduler: retries with backoff, timeouts and the concurrency limit, on a
// ManualClock, so nothing sleeps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActantApp, NonRetryableError, type TaskContext, TaskError, TaskTimeoutError } from "../mod.ts";
import { settle, track } from "./support/async.ts";
import { rejection, thrown } from "./support/errors.ts";
import { untilAborted, withApp } from "./support/task_app.ts";

describe("task retries", () => {
  it("retries: N re-runs a failing task until it succeeds on the 3rd attempt", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const flaky = app.task("flaky", async (x: number) => {
        calls++;
        if (calls < 3) throw new Error(`failure ${calls}`);
        return x * 2;
      }, { retries: 3, backoff: { initial: 10, jitter: false } });
      const handle = flaky.call(21);
      await clock.advance(1_000);
      assert.equal(await handle, 42);
      assert.equal(calls, 3);
      assert.equal(await handle.status(), "succeeded");
    });
  });

  it("exhausting retries rejects with TaskError: attempts = retries + 1, cause = the last error", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const failing = app.task("failing", () => {
        calls++;
        throw new RangeError(`failure ${calls}`);
      }, { retries: 2, backoff: { initial: 10, jitter: false } });
      const handle = failing.call();
      const outcome = rejection(handle);
      await clock.advance(1_000);
      const error = await outcome;
      assert.ok(error instanceof TaskError);
      assert.equal(error.code, "TASK_FAILED");
      assert.equal(error.attempts, 3);
      assert.equal(error.taskId, handle.id);
      assert.ok(error.cause instanceof RangeError);
      assert.equal(error.cause.message, "failure 3");
      assert.equal(calls, 3);
      assert.equal(await handle.status(), "failed");
    });
  });

  it("NonRetryableError stops retries at once", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const fatal = app.task("fatal", () => {
        calls++;
        throw new NonRetryableError("no such page");
      }, { retries: 5, backoff: { initial: 10, jitter: false } });
      const handle = fatal.call();
      const outcome = rejection(handle);
      await clock.advance(10_000);
      const error = await outcome;
      assert.ok(error instanceof TaskError);
      assert.equal(error.attempts, 1);
      assert.ok(error.cause instanceof NonRetryableError);
      assert.equal(error.cause.name, "NonRetryableError");
      assert.equal(error.cause.code, "NON_RETRYABLE");
      assert.equal(calls, 1);
    });
  });

  it("a task without retries runs once", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const once = app.task("once", () => {
        calls++;
        throw new Error("fails");
      });
      const outcome = rejection(once.call());
      await clock.advance(60_000);
      const error = await outcome;
      assert.ok(error instanceof TaskError);
      assert.equal(error.attempts, 1);
      assert.equal(calls, 1);
    });
  });

  it("backoff without jitter waits initial * factor^(n-1) before retry n", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const failing = app.task("failing", () => {
        calls++;
        throw new Error("always");
      }, { retries: 3, backoff: { initial: 100, factor: 3, jitter: false } });
      const outcome = rejection(failing.call());
      await clock.advance(0);
      assert.equal(calls, 1);
      for (const [delay, expected] of [[100, 2], [300, 3], [900, 4]]) {
        await clock.advance(delay - 1);
        assert.equal(calls, expected - 1, `retry ${expected - 1} must not run before ${delay} ms`);
        await clock.advance(1);
        assert.equal(calls, expected, `retry ${expected - 1} runs after ${delay} ms`);
      }
      assert.equal((await outcome).name, "TaskError");
    });
  });

  it("backoff with jitter and random() = 0 waits half the exponential delay", async () => {
    await withApp({ random: () => 0 }, async (app, clock) => {
      let calls = 0;
      const failing = app.task("failing", () => {
        calls++;
        throw new Error("always");
      }, { retries: 2, backoff: { initial: 200 } });
      const outcome = rejection(failing.call());
      await clock.advance(0);
      // Delays 200 and 400, halved by the jitter: 100 then 200.
      await clock.advance(99);
      assert.equal(calls, 1);
      await clock.advance(1);
      assert.equal(calls, 2);
      await clock.advance(199);
      assert.equal(calls, 2);
      await clock.advance(1);
      assert.equal(calls, 3);
      assert.equal(((await outcome) as TaskError).attempts, 3);
    });
  });

  it("backoff delays stop growing at max", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const failing = app.task("failing", () => {
        calls++;
        throw new Error("always");
      }, { retries: 3, backoff: { initial: 100, factor: 10, max: 150, jitter: false } });
      const outcome = rejection(failing.call());
      await clock.advance(0);
      for (const [delay, expected] of [[100, 2], [150, 3], [150, 4]]) {
        await clock.advance(delay - 1);
        assert.equal(calls, expected - 1);
        await clock.advance(1);
        assert.equal(calls, expected);
      }
      assert.equal((await outcome).name, "TaskError");
    });
  });
});

describe("task timeout option", () => {
  it("a task that never finishes fails with TaskError caused by TaskTimeoutError, and its signal aborts", async () => {
    await withApp({}, async (app, clock) => {
      let signal: AbortSignal | undefined;
      const hang = app.task("hang", function (this: TaskContext) {
        signal = this.signal;
        return new Promise<never>(() => {});
      }, { timeout: 1_000 });
      const handle = hang.call();
      const outcome = rejection(handle);
      await clock.advance(999);
      assert.equal(await handle.status(), "running");
      assert.equal(signal?.aborted, false);
      await clock.advance(1);
      const error = await outcome;
      assert.ok(error instanceof TaskError);
      assert.equal(error.attempts, 1);
      assert.ok(error.cause instanceof TaskTimeoutError);
      assert.equal(error.cause.name, "TaskTimeoutError");
      assert.equal(error.cause.code, "TASK_TIMEOUT");
      assert.equal(error.cause.task, "hang");
      assert.equal(error.cause.timeoutMs, 1_000);
      assert.equal(signal?.aborted, true);
      assert.ok(signal?.reason instanceof TaskTimeoutError);
      assert.equal(await handle.status(), "failed");
    });
  });

  it("a timed-out attempt is retried, and each attempt gets the full timeout", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const hang = app.task("hang", function (this: TaskContext) {
        calls++;
        return untilAborted(this.signal);
      }, { timeout: 500, retries: 1, backoff: { initial: 100, jitter: false } });
      const outcome = rejection(hang.call());
      await clock.advance(500);
      assert.equal(calls, 1);
      await clock.advance(100);
      assert.equal(calls, 2);
      const state = track(outcome);
      await clock.advance(499);
      await settle();
      assert.equal(state(), "pending", "the second attempt still has 1 ms of its timeout left");
      await clock.advance(1);
      const error = await outcome;
      assert.ok(error instanceof TaskError);
      assert.equal(error.attempts, 2);
      assert.ok(error.cause instanceof TaskTimeoutError);
    });
  });

  it("a task that finishes within its timeout succeeds and leaves no timer behind", async () => {
    await withApp({}, async (app, clock) => {
      const quick = app.task(
        "quick",
        () => new Promise<string>((resolve) => clock.setTimeout(() => resolve("fast"), 10)),
        {
          timeout: 1_000,
        },
      );
      const handle = quick.call();
      await clock.advance(10);
      assert.equal(await handle, "fast");
      assert.equal(clock.pending, 0);
    });
  });
});

describe("task concurrency limit", () => {
  it("concurrency: 2 never runs more than 2 task bodies at once, and all complete", async () => {
    await withApp({ concurrency: 2 }, async (app, clock) => {
      let running = 0;
      let peak = 0;
      const work = app.task("work", async (n: number) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
        running--;
        return n * n;
      });
      const handles = [1, 2, 3, 4, 5, 6, 7].map((n) => work.call(n));
      await clock.advance(0);
      assert.equal(running, 2);
      assert.equal(app.stats().queued, 5);
      for (let i = 0; i < 4; i++) await clock.advance(10);
      assert.deepEqual(await Promise.all(handles), [1, 4, 9, 16, 25, 36, 49]);
      assert.equal(peak, 2);
      assert.equal(running, 0);
    });
  });

  it("concurrency: 1 runs tasks one at a time in submission order", async () => {
    await withApp({ concurrency: 1 }, async (app, clock) => {
      const events: string[] = [];
      const work = app.task("work", async (name: string) => {
        events.push(`start ${name}`);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 5));
        events.push(`end ${name}`);
      });
      const handles = ["a", "b", "c"].map((name) => work.call(name));
      for (let i = 0; i < 3; i++) await clock.advance(5);
      await Promise.all(handles);
      assert.deepEqual(events, ["start a", "end a", "start b", "end b", "start c", "end c"]);
    });
  });

  it("10,000 tasks submitted at once at the default concurrency each run once, starting in submission order", async () => {
    await withApp({}, async (app) => {
      const started: number[] = [];
      const work = app.task("work", async (n: number) => {
        started.push(n);
        await Promise.resolve();
        return n * 2;
      });
      const ns = Array.from({ length: 10_000 }, (_, i) => i);
      assert.deepEqual(await Promise.all(ns.map((n) => work.call(n).get())), ns.map((n) => n * 2));
      assert.deepEqual(started, ns);
    });
  });

  it("concurrency: 0 is a RangeError", () => {
    const error = thrown(() => new ActantApp("t", { durability: "memory", concurrency: 0 }));
    assert.equal(error.name, "RangeError");
  });
});
