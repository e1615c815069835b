// Tasks on the local scheduler: handles, context, retries, timeouts, concurrency, the
// serialization boundary and bad input. Time is a ManualClock throughout, so nothing sleeps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ActantApp,
  CancelledError,
  DuplicateNameError,
  type LocalAppOptions,
  ManualClock,
  NonRetryableError,
  registerClass,
  ResultTimeoutError,
  type RunStatus,
  SerializationError,
  signature,
  TaskArgumentsError,
  type TaskContext,
  TaskError,
  TaskTimeoutError,
  UnknownTaskError,
} from "../mod.ts";
import { gate, settle, track } from "./support/async.ts";
import { rejection, thrown } from "./support/errors.ts";

/** Runs `body` with a fresh app on a manual clock and closes the app afterwards. */
async function withApp(
  options: Omit<LocalAppOptions, "clock">,
  body: (app: ActantApp, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock();
  const app = new ActantApp("t", { durability: "memory", ...options, clock });
  try {
    await body(app, clock);
  } finally {
    await app.close();
  }
}

/** A promise that settles only when `signal` aborts, rejecting with its reason. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

describe("task call and submit", () => {
  it("task.call runs a sync function and resolves with its value", async () => {
    await withApp({}, async (app) => {
      const add = app.task("add", (a: number, b: number) => a + b);
      assert.equal(await add.call(2, 3), 5);
    });
  });

  it("task.call runs an async function and resolves with its awaited value", async () => {
    await withApp({}, async (app) => {
      const greet = app.task("greet", async (name: string) => {
        await Promise.resolve();
        return `hello ${name}`;
      });
      assert.equal(await greet.call("ada"), "hello ada");
    });
  });

  it("app.submit(task.s(...)) returns a handle with the same result as call", async () => {
    await withApp({}, async (app) => {
      const add = app.task("add", (a: number, b: number) => a + b);
      const handle = app.submit(add.s(20, 22));
      assert.equal(await handle, 42);
      assert.equal(await handle.get(), 42);
    });
  });

  it("app.submit(signature(name, args)) runs a task by name", async () => {
    await withApp({}, async (app) => {
      app.task("concat", (a: string, b: string) => a + b);
      assert.equal(await app.submit(signature<string>("concat", ["ab", "cd"])), "abcd");
    });
  });

  it("handle ids are distinct per submission", async () => {
    await withApp({}, async (app) => {
      const id = app.task("id", (x: number) => x);
      const first = id.call(1);
      const second = id.call(2);
      assert.equal(typeof first.id, "string");
      assert.notEqual(first.id, second.id);
      assert.deepEqual([await first, await second], [1, 2]);
    });
  });

  it("a task that throws synchronously fails with TaskError whose cause is the thrown error", async () => {
    await withApp({}, async (app) => {
      const boom = app.task("boom", () => {
        throw new TypeError("bad input");
      });
      const handle = boom.call();
      const error = await rejection(handle);
      assert.ok(error instanceof TaskError);
      assert.equal(error.name, "TaskError");
      assert.equal(error.code, "TASK_FAILED");
      assert.equal(error.task, "boom");
      assert.equal(error.taskId, handle.id);
      assert.equal(error.attempts, 1);
      assert.ok(error.cause instanceof TypeError);
      assert.equal(error.cause.message, "bad input");
      assert.equal(await handle.status(), "failed");
    });
  });

  it("a task that rejects with a non-Error fails with TaskError whose cause describes it", async () => {
    await withApp({}, async (app) => {
      const boom = app.task("boom", () => Promise.reject("plain string"));
      const error = await rejection(boom.call());
      assert.ok(error instanceof TaskError);
      assert.ok(error.cause instanceof Error);
      assert.equal(error.cause.message, "plain string");
    });
  });
});

describe("task handle", () => {
  it("status moves pending -> running -> succeeded", async () => {
    await withApp({}, async (app, clock) => {
      const release = gate();
      const slow = app.task("slow", async () => {
        await release.promise;
        return "done";
      });
      const handle = slow.call();
      const seen: RunStatus[] = [await handle.status()];
      await clock.advance(0);
      seen.push(await handle.status());
      release.open();
      assert.equal(await handle, "done");
      seen.push(await handle.status());
      assert.deepEqual(seen, ["pending", "running", "succeeded"]);
    });
  });

  it("status moves pending -> running -> failed", async () => {
    await withApp({}, async (app, clock) => {
      const release = gate();
      const slow = app.task("slow", async () => {
        await release.promise;
        throw new Error("late failure");
      });
      const handle = slow.call();
      const seen: RunStatus[] = [await handle.status()];
      await clock.advance(0);
      seen.push(await handle.status());
      release.open();
      const error = await rejection(handle);
      seen.push(await handle.status());
      assert.equal(error.name, "TaskError");
      assert.deepEqual(seen, ["pending", "running", "failed"]);
    });
  });

  it("status is retrying between a failed attempt and its retry", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const flaky = app.task("flaky", () => {
        if (++calls === 1) throw new Error("first try fails");
        return "ok";
      }, { retries: 1, backoff: { initial: 100, jitter: false } });
      const handle = flaky.call();
      await clock.advance(0);
      assert.equal(await handle.status(), "retrying");
      await clock.advance(100);
      assert.equal(await handle.status(), "succeeded");
      assert.equal(await handle, "ok");
    });
  });

  it("get({ timeout }) rejects with ResultTimeoutError while the task runs on", async () => {
    await withApp({}, async (app, clock) => {
      const release = gate();
      const slow = app.task("slow", async () => {
        await release.promise;
        return 7;
      });
      const handle = slow.call();
      const timedOut = rejection(handle.get({ timeout: 50 }));
      await clock.advance(49);
      assert.equal(await handle.status(), "running");
      await clock.advance(1);
      const error = await timedOut;
      assert.ok(error instanceof ResultTimeoutError);
      assert.equal(error.name, "ResultTimeoutError");
      assert.equal(error.code, "RESULT_TIMEOUT");
      assert.equal(error.id, handle.id);
      // Only the wait ended: the task still finishes and its result is still there.
      assert.equal(await handle.status(), "running");
      release.open();
      assert.equal(await handle.get(), 7);
    });
  });

  it("get({ timeout }) resolves with the value when the task finishes in time", async () => {
    await withApp({}, async (app, clock) => {
      const slow = app.task(
        "slow",
        () => new Promise<string>((resolve) => clock.setTimeout(() => resolve("in time"), 10)),
      );
      const result = slow.call().get({ timeout: 1_000 });
      await clock.advance(10);
      assert.equal(await result, "in time");
      assert.equal(clock.pending, 0, "the get() timer is cancelled once the value arrives");
    });
  });

  it("get({ timeout: -1 }) rejects with RangeError", async () => {
    await withApp({}, async (app) => {
      const id = app.task("id", (x: number) => x);
      const handle = id.call(1);
      const error = await rejection(handle.get({ timeout: -1 }));
      assert.equal(error.name, "RangeError");
      assert.equal(await handle, 1);
    });
  });

  it("cancel() of a queued task drops it: its body never runs and get() rejects with CancelledError", async () => {
    await withApp({ concurrency: 1 }, async (app, clock) => {
      const release = gate();
      const ran: string[] = [];
      const work = app.task("work", async (name: string) => {
        ran.push(name);
        await release.promise;
        return name;
      });
      const first = work.call("first");
      const second = work.call("second");
      await clock.advance(0);
      assert.equal(await second.status(), "pending");
      assert.equal(await second.cancel(), true);
      assert.equal(await second.status(), "cancelled");
      const error = await rejection(second.get());
      assert.ok(error instanceof CancelledError);
      assert.equal(error.name, "CancelledError");
      assert.equal(error.code, "CANCELLED");
      assert.equal(error.id, second.id);
      release.open();
      assert.equal(await first, "first");
      await clock.advance(0);
      assert.deepEqual(ran, ["first"]);
    });
  });

  it("cancel() of a running task aborts its signal and get() rejects with CancelledError", async () => {
    await withApp({}, async (app, clock) => {
      let signal: AbortSignal | undefined;
      const endless = app.task("endless", function (this: TaskContext) {
        signal = this.signal;
        return untilAborted(this.signal);
      });
      const handle = endless.call();
      await clock.advance(0);
      assert.equal(await handle.status(), "running");
      assert.equal(signal?.aborted, false);
      assert.equal(await handle.cancel(), true);
      assert.equal(signal?.aborted, true);
      assert.ok(signal?.reason instanceof CancelledError);
      assert.equal(await handle.status(), "cancelled");
      const error = await rejection(handle.get());
      assert.ok(error instanceof CancelledError);
      assert.equal(error.id, handle.id);
      // Awaiting the handle reports the same cancellation as get().
      assert.equal((await rejection(handle)).name, "CancelledError");
    });
  });

  it("cancel() of a running task frees its concurrency slot for the next one", async () => {
    await withApp({ concurrency: 1 }, async (app, clock) => {
      const endless = app.task("endless", function (this: TaskContext) {
        return untilAborted(this.signal);
      });
      const quick = app.task("quick", () => "ran");
      const blocker = endless.call();
      const next = quick.call();
      await clock.advance(0);
      assert.equal(await next.status(), "pending");
      await blocker.cancel();
      assert.equal(await next, "ran");
    });
  });

  it("cancel() of a task waiting for its retry stops the retry", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const failing = app.task("failing", () => {
        calls++;
        throw new Error("always");
      }, { retries: 3, backoff: { initial: 100, jitter: false } });
      const handle = failing.call();
      await clock.advance(0);
      assert.equal(await handle.status(), "retrying");
      assert.equal(await handle.cancel(), true);
      await clock.advance(10_000);
      assert.equal(calls, 1);
      assert.equal(await handle.status(), "cancelled");
      assert.equal((await rejection(handle.get())).name, "CancelledError");
    });
  });

  it("cancel() of a finished task returns false and keeps its result", async () => {
    await withApp({}, async (app) => {
      const id = app.task("id", (x: number) => x);
      const handle = id.call(5);
      assert.equal(await handle, 5);
      assert.equal(await handle.cancel(), false);
      assert.equal(await handle.status(), "succeeded");
      assert.equal(await handle.get(), 5);
    });
  });

  it("many waiters on one unfinished task each get their own copy; cancelling it rejects every one", async () => {
    await withApp({ concurrency: 1 }, async (app) => {
      const release = gate();
      const hold = app.task("hold", async () => {
        await release.promise;
        return { list: [1] };
      });
      const held = hold.call();
      const queued = hold.call();
      const waits = [held.get(), held.get(), held.then((value) => value), held.get()];
      const cancelled = [queued.get(), queued.then((value) => value), queued.get()].map((wait) => rejection(wait));
      assert.equal(await queued.cancel(), true);
      for (const error of await Promise.all(cancelled)) assert.equal(error.name, "CancelledError");
      release.open();
      const values = await Promise.all(waits);
      for (const value of values) assert.deepEqual(value, { list: [1] });
      assert.equal(new Set(values).size, values.length, "each waiter decodes its own copy");
    });
  });

  it("cancel() twice returns true then false", async () => {
    await withApp({}, async (app) => {
      const id = app.task("id", (x: number) => x);
      const handle = id.call(5);
      assert.equal(await handle.cancel(), true);
      assert.equal(await handle.cancel(), false);
      assert.equal((await rejection(handle.get())).name, "CancelledError");
    });
  });
});

describe("TaskContext", () => {
  it("this.taskId equals the handle id and this.task is the registered name", async () => {
    await withApp({}, async (app) => {
      const whoami = app.task("whoami", function (this: TaskContext) {
        return { taskId: this.taskId, task: this.task, attempt: this.attempt, aborted: this.signal.aborted };
      });
      const handle = whoami.call();
      assert.deepEqual(await handle, { taskId: handle.id, task: "whoami", attempt: 1, aborted: false });
    });
  });

  it("this.attempt counts 1, 2, 3 across retries, with one taskId", async () => {
    await withApp({}, async (app, clock) => {
      const seen: Array<{ attempt: number; taskId: string }> = [];
      const flaky = app.task("flaky", function (this: TaskContext) {
        seen.push({ attempt: this.attempt, taskId: this.taskId });
        if (this.attempt < 3) throw new Error(`attempt ${this.attempt} fails`);
        return this.attempt;
      }, { retries: 5, backoff: { initial: 10, jitter: false } });
      const handle = flaky.call();
      await clock.advance(1_000);
      assert.equal(await handle, 3);
      assert.deepEqual(seen, [1, 2, 3].map((attempt) => ({ attempt, taskId: handle.id })));
    });
  });

  it("each attempt gets a fresh signal: a timed-out attempt's abort does not leak into the retry", async () => {
    await withApp({}, async (app, clock) => {
      const signals: AbortSignal[] = [];
      const task = app.task("task", function (this: TaskContext) {
        signals.push(this.signal);
        if (this.attempt === 1) return untilAborted(this.signal);
        return "second attempt";
      }, { retries: 1, timeout: 100, backoff: { initial: 10, jitter: false } });
      const handle = task.call();
      await clock.advance(100);
      await clock.advance(10);
      assert.equal(await handle, "second attempt");
      assert.equal(signals.length, 2);
      assert.equal(signals[0].aborted, true);
      assert.equal(signals[1].aborted, false);
    });
  });
});

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

describe("task serialization boundary", () => {
  it("a task mutating its argument does not change the caller's object", async () => {
    await withApp({}, async (app) => {
      const mutate = app.task("mutate", (order: { qty: number; items: string[] }) => {
        order.qty = 99;
        order.items.push("extra");
        return order;
      });
      const order = { qty: 1, items: ["a"] };
      const result = await mutate.call(order);
      assert.deepEqual(order, { qty: 1, items: ["a"] });
      assert.deepEqual(result, { qty: 99, items: ["a", "extra"] });
      assert.notEqual(result, order);
    });
  });

  it("the caller mutating its argument after submit does not change what the task sees", async () => {
    await withApp({}, async (app, clock) => {
      const release = gate();
      const echo = app.task("echo", async (order: { qty: number; items: string[] }) => {
        await release.promise;
        return order;
      });
      const order = { qty: 1, items: ["a"] };
      const handle = echo.call(order);
      order.qty = 2;
      order.items.push("b");
      await clock.advance(0);
      order.items.push("c");
      release.open();
      assert.deepEqual(await handle, { qty: 1, items: ["a"] });
    });
  });

  it("a flat array argument is copied too", async () => {
    await withApp({}, async (app) => {
      const sum = app.task("sum", (xs: number[]) => {
        const total = xs.reduce((a, b) => a + b, 0);
        xs.length = 0;
        return total;
      });
      const xs = [1, 2, 3];
      assert.equal(await sum.call(xs), 6);
      assert.deepEqual(xs, [1, 2, 3]);
    });
  });

  it("every get() decodes a distinct copy of the result", async () => {
    await withApp({}, async (app) => {
      const make = app.task("make", () => ({ list: [1, 2], nested: { n: 1 } }));
      const flat = app.task("flat", () => [1, 2, 3]);
      const handle = make.call();
      const first = await handle.get();
      const second = await handle.get();
      assert.notEqual(first, second);
      assert.deepEqual(first, second);
      first.list.push(3);
      first.nested.n = 2;
      assert.deepEqual(await handle, { list: [1, 2], nested: { n: 1 } });
      const flatHandle = flat.call();
      const a = await flatHandle.get();
      a.push(4);
      assert.deepEqual(await flatHandle.get(), [1, 2, 3]);
    });
  });

  it("Date, Map, Set, Uint8Array and bigint round-trip through a task", async () => {
    await withApp({}, async (app) => {
      const echo = app.task("echo", (value: unknown) => value);
      const input = {
        when: new Date("2024-05-06T07:08:09.010Z"),
        map: new Map<string, number>([["a", 1], ["b", 2]]),
        set: new Set(["x", "y"]),
        bytes: new Uint8Array([0, 127, 255]),
        big: 12345678901234567890n,
      };
      const output = (await echo.call(input)) as typeof input;
      assert.ok(output.when instanceof Date);
      assert.equal(output.when.toISOString(), "2024-05-06T07:08:09.010Z");
      assert.ok(output.map instanceof Map);
      assert.deepEqual([...output.map], [["a", 1], ["b", 2]]);
      assert.ok(output.set instanceof Set);
      assert.deepEqual([...output.set], ["x", "y"]);
      assert.ok(output.bytes instanceof Uint8Array);
      assert.deepEqual([...output.bytes], [0, 127, 255]);
      assert.equal(output.big, 12345678901234567890n);
      assert.equal(await echo.call(7n), 7n);
      assert.deepEqual(await echo.call([1n, 2n]), [1n, 2n]);
    });
  });

  it("a function nested in an argument throws SerializationError at call, with its path", async () => {
    await withApp({}, async (app) => {
      let runs = 0;
      const take = app.task("take", (_value: unknown) => runs++);
      const error = thrown(() => take.call({ deep: { fn: () => 1 } }));
      assert.ok(error instanceof SerializationError);
      assert.equal(error.name, "SerializationError");
      assert.equal(error.code, "NOT_SERIALIZABLE");
      assert.equal(error.path, "args[0].deep.fn");
      assert.equal(app.stats().submitted, 0);
      assert.equal(runs, 0);
    });
  });

  it("an unserializable argument throws SerializationError at submit: function, class instance, symbol", async () => {
    await withApp({}, async (app) => {
      const take = app.task("take", (..._args: unknown[]) => "ran");
      class Socket {
        fd = 3;
      }
      const cases: Array<[unknown[], string]> = [
        [[() => 1], "args[0]"],
        [[1, { conn: new Socket() }], "args[1].conn"],
        [[{ tag: Symbol("t") }], "args[0].tag"],
        [[Symbol("t")], "args[0]"],
        [[{ list: [1, { cb() {} }] }], "args[0].list[1].cb"],
      ];
      for (const [args, path] of cases) {
        const error = thrown(() => app.submit(signature("take", args)));
        assert.ok(error instanceof SerializationError, `${path}: ${error.name}`);
        assert.equal(error.path, path);
      }
      assert.equal(app.stats().submitted, 0);
    });
  });

  it("registerClass lets instances of a class cross the boundary with their prototype", async () => {
    await withApp({}, async (app) => {
      class Vec {
        x: number;
        y: number;
        constructor(x: number, y: number) {
          this.x = x;
          this.y = y;
        }
        length(): number {
          return Math.hypot(this.x, this.y);
        }
      }
      const scale = app.task("scale", (v: Vec, k: number) => new Vec(v.x * k, v.y * k));
      assert.equal(thrown(() => scale.call(new Vec(1, 1), 2)).name, "SerializationError");
      registerClass(Vec, "task.test.Vec");
      const result = await scale.call(new Vec(3, 4), 2);
      assert.ok(result instanceof Vec);
      assert.equal(result.length(), 10);
      assert.deepEqual({ x: result.x, y: result.y }, { x: 6, y: 8 });
    });
  });

  it("an unserializable result fails the task with a SerializationError cause, without retries", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const leak = app.task("leak", () => {
        calls++;
        return { ok: true, close: () => {} };
      }, { retries: 3, backoff: { initial: 10, jitter: false } });
      const handle = leak.call();
      const outcome = rejection(handle);
      await clock.advance(1_000);
      const error = await outcome;
      assert.ok(error instanceof TaskError);
      assert.equal(error.attempts, 1);
      assert.ok(error.cause instanceof SerializationError);
      assert.equal(error.cause.path, 'result of task "leak".close');
      assert.equal(calls, 1);
      assert.equal(await handle.status(), "failed");
    });
  });
});

describe("task bad input", () => {
  it("submitting an unknown task name throws UnknownTaskError listing the known tasks", async () => {
    await withApp({}, async (app) => {
      app.task("fetch", (url: string) => url);
      app.task("analyze", (data: string) => data);
      const error = thrown(() => app.submit(signature("nope")));
      assert.ok(error instanceof UnknownTaskError);
      assert.equal(error.name, "UnknownTaskError");
      assert.equal(error.code, "UNKNOWN_TASK");
      assert.equal(error.task, "nope");
      assert.match(error.message, /fetch/);
      assert.match(error.message, /analyze/);
    });
  });

  it("registering a task name twice throws DuplicateNameError with code DUPLICATE_TASK", async () => {
    await withApp({}, async (app) => {
      const first = app.task("dup", () => 1);
      const error = thrown(() => app.task("dup", () => 2));
      assert.ok(error instanceof DuplicateNameError);
      assert.equal(error.name, "DuplicateNameError");
      assert.equal(error.code, "DUPLICATE_TASK");
      assert.equal(error.duplicate, "dup");
      // The first registration is untouched.
      assert.equal(await first.call(), 1);
    });
  });

  it("a signature with too few arguments submitted on its own throws TaskArgumentsError", async () => {
    await withApp({}, async (app) => {
      const add = app.task("add", (a: number, b: number) => a + b);
      // add.s(1) is a partial signature meant to follow another step; on its own it lacks `b`.
      // Its type already says so (it needs an input), hence the cast to reach the run-time check.
      const error = thrown(() => app.submit(add.s(1) as never));
      assert.ok(error instanceof TaskArgumentsError);
      assert.equal(error.name, "TaskArgumentsError");
      assert.equal(error.code, "BAD_ARGUMENTS");
      assert.equal(error.task, "add");
      const byName = thrown(() => app.submit(signature("add", [1])));
      assert.equal(byName.name, "TaskArgumentsError");
      assert.equal(app.stats().submitted, 0);
    });
  });

  it("invalid task options throw RangeError at registration", async () => {
    await withApp({}, async (app) => {
      const bad = [
        { retries: -1 },
        { retries: 1.5 },
        { timeout: 0 },
        { timeout: -10 },
        { timeout: Number.NaN },
        { backoff: { initial: -1 } },
        { backoff: { factor: Number.POSITIVE_INFINITY } },
      ];
      for (const [i, options] of bad.entries()) {
        const error = thrown(() => app.task(`bad${i}`, () => 1, options));
        assert.equal(error.name, "RangeError", JSON.stringify(options));
      }
      // A rejected registration leaves the name free.
      const ok = app.task("bad0", () => "registered", { retries: 0 });
      assert.equal(await ok.call(), "registered");
    });
  });

  it("a task that is not a function, or has no name, throws TypeError", async () => {
    await withApp({}, async (app) => {
      assert.equal(thrown(() => app.task("x", 42 as never)).name, "TypeError");
      assert.equal(thrown(() => app.task("", () => 1)).name, "TypeError");
    });
  });
});
