// Workflows that fail, are cancelled, or are rejected at submit: the error a user catches, its
// fields, and that nothing is left running or waiting.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ActantApp,
  branch,
  CancelledError,
  type Chain,
  chain,
  chord,
  type Group,
  group,
  InvalidWorkflowError,
  loop,
  LoopLimitError,
  ManualClock,
  map,
  type NoInput,
  SerializationError,
  signature,
  TaskArgumentsError,
  type TaskContext,
  UnknownTaskError,
  WorkflowError,
  type WorkflowGraph,
} from "../mod.ts";
import { gate } from "./support/async.ts";
import { rejection, thrown } from "./support/errors.ts";

/** The id of the only task node of `graph` that calls `task`. */
function nodeOf(graph: WorkflowGraph, task: string): string {
  const ids = Object.values(graph.nodes).filter((n) => n.kind === "task" && n.task === task).map((n) => n.id);
  assert.equal(ids.length, 1, `one node calls ${task}`);
  return ids[0];
}

/** Lets queued microtasks run, so work that should not happen would have happened by now. */
const settle = () => new ManualClock().advance(0);

describe("workflow failure", () => {
  test("a failing step fails the workflow with WorkflowError naming node, task, attempts and cause", async () => {
    const app = new ActantApp("wf_fail", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    const original = new RangeError("too big");
    const boom = app.task("boom", (_n: number) => {
      throw original;
    });
    let after = 0;
    const next = app.task("next", () => ++after);
    const workflow = chain(add.s(1, 2), boom.s(), next.si());
    const handle = app.submit(workflow);
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.code, "WORKFLOW_FAILED");
    assert.equal(error.workflowId, handle.id);
    assert.equal(error.node, nodeOf(app.compile(workflow), "boom"));
    assert.equal(error.task, "boom");
    assert.equal(error.attempts, 1);
    assert.equal(error.cause, original);
    assert.equal(await handle.status(), "failed");
    assert.equal(after, 0);
    await app.close();
  });

  test("with retries configured, attempts is retries + 1", async () => {
    const clock = new ManualClock();
    const app = new ActantApp("wf_fail_retries", { durability: "memory", clock });
    let calls = 0;
    const flaky = app.task("flaky", () => {
      calls++;
      throw new Error(`attempt ${calls} failed`);
    }, { retries: 2, backoff: { initial: 10, jitter: false } });
    const handle = app.submit(group(flaky.s()));
    const outcome = rejection(handle.get());
    await clock.advance(1_000);
    const error = await outcome;
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "flaky");
    assert.equal(error.attempts, 3);
    assert.equal(calls, 3);
    assert.ok(error.cause instanceof Error);
    assert.equal(error.cause.message, "attempt 3 failed");
    await app.close();
  });

  test("a failing member cancels its running siblings: their signal aborts", async () => {
    const app = new ActantApp("wf_fail_cancels", { durability: "memory" });
    const started = gate();
    let abortReason: unknown;
    const long = app.task("long", function (this: TaskContext) {
      started.open();
      return new Promise((_, reject) => {
        this.signal.addEventListener("abort", () => {
          abortReason = this.signal.reason;
          reject(this.signal.reason);
        });
      });
    });
    const boom = app.task("boom", async () => {
      await started.promise;
      throw new Error("boom");
    });
    const handle = app.submit(group(long.s(), chain(boom.s())));
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "boom");
    assert.ok(abortReason instanceof CancelledError);
    const stats = app.stats();
    assert.equal(stats.cancelled, 1);
    assert.equal(stats.running, 0);
    assert.equal(await handle.status(), "failed");
    await app.close();
  });

  test("a chord's callback never runs after a header member failed", async () => {
    const app = new ActantApp("wf_fail_chord", { durability: "memory" });
    const release = gate<number>();
    const slow = app.task("slow", () => release.promise);
    const boom = app.task("boom", () => {
      throw new TypeError("bad header");
    });
    let callbacks = 0;
    const total = app.task("total", (xs: number[]) => (callbacks++, xs.length));
    const handle = app.submit(chord([slow.s(), boom.s(), slow.s()], total.s()));
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "boom");
    assert.ok(error.cause instanceof TypeError);
    release.open(1); // the cancelled members' functions return late; nothing picks it up
    await settle();
    assert.equal(callbacks, 0);
    assert.equal(app.stats().submitted, 3);
    await app.close();
  });

  test("no step starts after the workflow failed, even one whose input is ready", async () => {
    const app = new ActantApp("wf_fail_stops", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    const boom = app.task("boom", () => {
      throw new Error("boom");
    });
    let after = 0;
    const next = app.task("next", (n: number) => (after++, n));
    const handle = app.submit(group(boom.s(), chain(add.s(1, 1), next.s()), chain(add.s(2, 2), next.s(), next.s())));
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "boom");
    await settle();
    assert.equal(after, 0);
    await app.close();
  });

  test("a failure deep inside nesting settles get() even if a sibling ignores its signal", async () => {
    const app = new ActantApp("wf_fail_nested", { durability: "memory" });
    const stuck = app.task("stuck", (_xs: number[]) => new Promise<number>(() => {}));
    const list = app.task("list", (...xs: number[]) => xs);
    const check = app.task("check", (x: number) => {
      if (x === 2) throw new Error("element 2 is bad");
      return x;
    });
    const size = app.task("size", (xs: number[]) => xs.length);
    const workflow = chain(list.s(1, 2, 3), group(stuck.s(), chain(map(check.s()), size.s())));
    const handle = app.submit(workflow);
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "check");
    // A map body's node id carries the element's index.
    assert.equal(error.node, `${nodeOf(app.compile(workflow), "check")}[1]`);
    assert.equal(await handle.status(), "failed");
    assert.equal(app.stats().running, 0);
    await app.close();
  });

  test("a branch condition that returns a non-boolean fails with WorkflowError (cause TypeError)", async () => {
    const app = new ActantApp("wf_fail_branch", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    app.task("count", (n: number) => n);
    let chosen = 0;
    const pick = app.task("pick", (n: number) => (chosen++, n));
    const handle = app.submit(chain(add.s(1, 2), branch(signature<boolean>("count"), pick.s(), pick.s())));
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "branch");
    assert.equal(error.attempts, 0);
    assert.ok(error.cause instanceof TypeError);
    assert.equal(chosen, 0);
    await app.close();
  });

  test("map on a non-list input fails with WorkflowError (cause TypeError)", async () => {
    const app = new ActantApp("wf_fail_map", { durability: "memory" });
    app.task("add", (a: number, b: number) => a + b);
    // Typed as a list but returns 3: the kind of mismatch an untyped signature() lets through.
    const workflow = chain(signature<number[]>("add", [1, 2]), map(signature("add", [1])));
    const handle = app.submit(workflow);
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.node, Object.values(app.compile(workflow).nodes).find((n) => n.kind === "map")?.id);
    assert.equal(error.task, "map");
    assert.equal(error.attempts, 0);
    assert.ok(error.cause instanceof TypeError);
    await app.close();
  });

  test("a loop whose until never holds fails with WorkflowError (cause LoopLimitError)", async () => {
    const app = new ActantApp("wf_fail_loop", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    const never = app.task("never", (_n: number) => false);
    let rounds = 0;
    const inc = app.task("inc", (n: number) => (rounds++, n + 1));
    const handle = app.submit(chain(add.s(0, 0), loop(inc.s(), { until: never.s(), maxIterations: 4 })));
    const error = await rejection(handle.get());
    assert.ok(error instanceof WorkflowError);
    assert.equal(error.task, "loop");
    assert.ok(error.cause instanceof LoopLimitError);
    assert.equal(error.cause.code, "LOOP_LIMIT");
    assert.equal(rounds, 4);
    await app.close();
  });
});

describe("workflow cancellation", () => {
  test("get() on a cancelled workflow rejects with CancelledError and status() is cancelled", async () => {
    const app = new ActantApp("wf_cancel", { durability: "memory" });
    const started = gate();
    let signal: AbortSignal | undefined;
    const long = app.task("long", function (this: TaskContext) {
      started.open();
      signal = this.signal;
      return new Promise(() => {}); // ignores its signal: the workflow must settle anyway
    });
    let after = 0;
    const next = app.task("next", () => ++after);
    const handle = app.submit(chain(long.s(), next.si()));
    await started.promise;
    assert.equal(await handle.cancel(), true);
    const error = await rejection(handle.get());
    assert.ok(error instanceof CancelledError);
    assert.equal(error.code, "CANCELLED");
    assert.equal(error.id, handle.id);
    assert.equal(await handle.status(), "cancelled");
    assert.equal(signal?.aborted, true);
    assert.ok(signal?.reason instanceof CancelledError);
    assert.equal(await handle.cancel(), false); // already over
    await settle();
    assert.equal(after, 0);
    await app.close();
  });

  test("a workflow cancelled right after submit runs none of its tasks", async () => {
    const app = new ActantApp("wf_cancel_early", { durability: "memory" });
    let calls = 0;
    const count = app.task("count", () => ++calls);
    const handle = app.submit(group(count.s(), chain(count.s(), count.si())));
    assert.equal(await handle.cancel(), true);
    assert.ok((await rejection(handle)) instanceof CancelledError);
    await settle();
    assert.equal(calls, 0);
    assert.equal(await handle.status(), "cancelled");
    await app.close();
  });

  test("cancel() on a finished workflow returns false and keeps its result", async () => {
    const app = new ActantApp("wf_cancel_done", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    const handle = app.submit(chain(add.s(1, 2), add.s(3)));
    assert.equal(await handle.get(), 6);
    assert.equal(await handle.cancel(), false);
    assert.equal(await handle.status(), "succeeded");
    assert.equal(await handle.get(), 6);
    await app.close();
  });
});

describe("workflow rejected at submit", () => {
  test("an empty chain is an InvalidWorkflowError", async () => {
    const app = new ActantApp("wf_bad_empty", { durability: "memory" });
    // @ts-expect-error: chain() needs at least one step
    const error = thrown(() => chain());
    assert.ok(error instanceof InvalidWorkflowError);
    assert.equal(error.code, "INVALID_WORKFLOW");
    const smuggled = { kind: "chain", steps: [] } as unknown as Chain<NoInput, unknown>;
    assert.ok(thrown(() => app.submit(smuggled)) instanceof InvalidWorkflowError);
    await app.close();
  });

  test("a workflow that contains itself is an InvalidWorkflowError, and nothing runs", async () => {
    const app = new ActantApp("wf_bad_cycle", { durability: "memory" });
    let calls = 0;
    const count = app.task("count", () => ++calls);
    const loopy = chain(count.s(), count.si());
    (loopy.steps as unknown as unknown[]).push(loopy);
    const selfish = group(count.s());
    (selfish.members as unknown as unknown[]).push(selfish);
    const inner = group(count.si());
    const outer = chain(count.s(), inner);
    (inner.members as unknown as unknown[]).push(outer); // a cycle two levels down
    for (const workflow of [loopy, selfish as Group<NoInput, unknown>, outer]) {
      const error = thrown(() => app.submit(workflow));
      assert.ok(error instanceof InvalidWorkflowError);
      assert.equal(error.code, "INVALID_WORKFLOW");
    }
    await settle();
    assert.equal(calls, 0);
    await app.close();
  });

  test("a non-step argument to a builder or to submit is an InvalidWorkflowError", async () => {
    const app = new ActantApp("wf_bad_arg", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    const attempts: Array<() => unknown> = [
      () => chain(add.s(1, 2), 42 as never),
      () => group(add.s(1, 2), null as never),
      () => group([add.s(1, 2), "add" as never]),
      () => chord([add.s(1, 2)], undefined as never),
      () => chord(add.s(1, 2) as never, add.s(1)),
      () => app.submit([add.s(1, 2)] as never),
      () => app.submit({ kind: "chain", steps: [add.s(1, 2), { kind: "teleport" }] } as never),
      () => app.submit({ kind: "group", members: [add.s(1, 2), null] } as never),
    ];
    for (const attempt of attempts) {
      const error = thrown(attempt);
      assert.ok(error instanceof InvalidWorkflowError, String(error));
      assert.equal(error.code, "INVALID_WORKFLOW");
    }
    await app.close();
  });

  test("map at the top level (no previous step) is an InvalidWorkflowError", async () => {
    const app = new ActantApp("wf_bad_map", { durability: "memory" });
    const inc = app.task("inc", (n: number) => n + 1);
    // @ts-expect-error: a map needs a list from a previous step
    const error = thrown(() => app.submit(map(inc.s())));
    assert.ok(error instanceof InvalidWorkflowError);
    assert.ok(thrown(() => app.submit(group(map(inc.s()) as never))) instanceof InvalidWorkflowError);
    await app.close();
  });

  test("an unknown task inside a workflow is an UnknownTaskError, and nothing runs", async () => {
    const app = new ActantApp("wf_bad_unknown", { durability: "memory" });
    let calls = 0;
    const count = app.task("count", () => ++calls);
    const error = thrown(() => app.submit(chain(count.s(), group(count.si(), signature("nope")))));
    assert.ok(error instanceof UnknownTaskError);
    assert.equal(error.code, "UNKNOWN_TASK");
    assert.equal(error.task, "nope");
    await settle();
    assert.equal(calls, 0);
    await app.close();
  });

  test("too few arguments for a step inside a chain is a TaskArgumentsError", async () => {
    const app = new ActantApp("wf_bad_args", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    // @ts-expect-error: .si() ignores the previous result, so add needs both arguments
    const immutable = chain(add.s(1, 2), add.si(1));
    // @ts-expect-error: the previous result is one argument; add needs one more
    const partial = chain(add.s(1, 2), add.s());
    for (const workflow of [immutable, partial]) {
      const error = thrown(() => app.submit(workflow));
      assert.ok(error instanceof TaskArgumentsError);
      assert.equal(error.code, "BAD_ARGUMENTS");
      assert.equal(error.task, "add");
    }
    assert.equal(app.stats().submitted, 0);
    await app.close();
  });

  test("an unserializable argument deep in a workflow is a SerializationError naming its place", async () => {
    const app = new ActantApp("wf_bad_value", { durability: "memory" });
    const add = app.task("add", (a: number, b: number) => a + b);
    const take = app.task("take", (_prev: unknown, _value: unknown) => 0);
    const cases: Array<[unknown, string]> = [
      [chain(add.s(1, 2), take.s(() => 1)), "workflow.steps[1].args[0]"],
      [
        chain(add.s(1, 2), group(add.s(1), take.s({ a: [1, Symbol("x")] }))),
        "workflow.steps[1].members[1].args[0].a[1]",
      ],
      [chord([add.s(1, 2)], take.s(new (class Socket {})())), "workflow.callback.args[0]"],
    ];
    for (const [workflow, path] of cases) {
      const error = thrown(() => app.submit(workflow as Chain<NoInput, unknown>));
      assert.ok(error instanceof SerializationError);
      assert.equal(error.code, "NOT_SERIALIZABLE");
      assert.equal(error.path, path);
    }
    assert.equal(app.stats().submitted, 0);
    await app.close();
  });
});
