// Tasks on the local scheduler: calls, submits, handles and the task context. Time is a
// ManualClock throughout, so nothing sleeps. Retries, timeouts and concurrency are in
// task_retries.test.ts; the serialization boundary and bad input in task_input.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancelledError, ResultTimeoutError, type RunStatus, signature, type TaskContext, TaskError } from "../mod.ts";
import { gate } from "./support/async.ts";
import { rejection } from "./support/errors.ts";
import { untilAborted, withApp } from "./support/task_app.ts";

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
  it("status moves queued -> running -> succeeded", async () => {
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
      assert.deepEqual(seen, ["queued", "running", "succeeded"]);
    });
  });

  it("status moves queued -> running -> failed", async () => {
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
      assert.deepEqual(seen, ["queued", "running", "failed"]);
    });
  });

  it("status is queued again between a failed attempt and its retry", async () => {
    await withApp({}, async (app, clock) => {
      let calls = 0;
      const flaky = app.task("flaky", () => {
        if (++calls === 1) throw new Error("first try fails");
        return "ok";
      }, { retries: 1, backoff: { initial: 100, jitter: false } });
      const handle = flaky.call();
      await clock.advance(0);
      assert.equal(calls, 1, "the first attempt ran");
      assert.equal(await handle.status(), "queued");
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
      assert.equal(await second.status(), "queued");
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
      assert.equal(await next.status(), "queued");
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
      assert.equal(calls, 1, "the first attempt ran");
      assert.equal(await handle.status(), "queued");
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
