// Tasks on the local scheduler: the serialization boundary (every argument and result is a
// copy) and bad input at submit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DuplicateNameError,
  registerClass,
  SerializationError,
  signature,
  TaskArgumentsError,
  TaskError,
  UnknownTaskError,
} from "../mod.ts";
import { gate } from "./support/async.ts";
import { rejection, thrown } from "./support/errors.ts";
import { withApp } from "./support/task_app.ts";

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
      app.task("take", (..._args: unknown[]) => "ran");
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
      assert.deepEqual(error.known, ["fetch", "analyze"]);
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
