// Workflows that succeed: chain, group, chord, branch, map, loop, their nesting, the compiled
// graph and the workflow handle. Failures and rejected inputs are in workflow_failure.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ActantApp,
  branch,
  chain,
  chord,
  group,
  InvalidWorkflowError,
  loop,
  ManualClock,
  map,
  ResultTimeoutError,
  type WorkflowGraph,
} from "../mod.ts";
import { gate } from "./support/async.ts";
import { thrown } from "./support/errors.ts";

/** Resolves once `count()` has been called `n` times: "all n tasks have started". */
function countdown(n: number): { promise: Promise<void>; count: () => void } {
  const done = gate();
  let seen = 0;
  return { promise: done.promise, count: () => ++seen === n && done.open() };
}

/** What happens first: `promise` resolving, or many turns of the microtask queue passing. */
async function before(promise: Promise<unknown>, turns = 1_000): Promise<"resolved" | "stalled"> {
  let decided = false;
  const idle = (async () => {
    for (let i = 0; i < turns && !decided; i++) await Promise.resolve();
    return "stalled" as const;
  })();
  const first = await Promise.race([promise.then(() => "resolved" as const), idle]);
  decided = true;
  return first;
}

/** An app with the arithmetic tasks most tests use. */
function arithmetic(app: ActantApp) {
  return {
    add: app.task("add", (a: number, b: number) => a + b),
    sub: app.task("sub", (a: number, b: number) => a - b),
    mul: app.task("mul", (a: number, b: number) => a * b),
    sum: app.task("sum", (xs: number[]) => xs.reduce((a, b) => a + b, 0)),
    isBig: app.task("isBig", (n: number) => n > 10),
    label: app.task("label", (n: number, tag: string) => `${tag}:${n}`),
  };
}

describe("chain", () => {
  test("chain passes each result to the next step (the seed example)", async () => {
    const app = new ActantApp("wf_chain", { durability: "memory" });
    const fetch = app.task("fetch", async (url: string) => `data from ${url}`);
    const seen: string[] = [];
    const analyze = app.task("analyze", (data: string) => {
      seen.push(data);
      return { sentiment: 0.8, topics: ["tech", "ai"] };
    });
    const report = app.task("report", (r: { sentiment: number }) => `Report: sentiment=${r.sentiment}`);
    const result = await app.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s())).get();
    assert.equal(result, "Report: sentiment=0.8");
    assert.deepEqual(seen, ["data from https://example.com"]);
    await app.close();
  });

  test("chain prepends the previous result as the first argument", async () => {
    const app = new ActantApp("wf_chain_prepend", { durability: "memory" });
    const { add, sub } = arithmetic(app);
    assert.equal(await app.submit(chain(add.s(2, 2), add.s(10))).get(), 14);
    // sub(4, 10), not sub(10, 4): the previous result comes before the signature's own arguments.
    assert.equal(await app.submit(chain(add.s(2, 2), sub.s(10))).get(), -6);
    assert.equal(await app.submit(chain(add.s(2, 2))).get(), 4);
    await app.close();
  });

  test("chain step made with .si() ignores the previous result", async () => {
    const app = new ActantApp("wf_chain_si", { durability: "memory" });
    const { add } = arithmetic(app);
    const calls: unknown[][] = [];
    const pair = app.task("pair", (...args: number[]) => {
      calls.push(args);
      return args.length;
    });
    assert.equal(await app.submit(chain(add.s(1, 1), pair.si(5, 6), add.s(100))).get(), 102);
    assert.deepEqual(calls, [[5, 6]]);
    await app.close();
  });
});

describe("group", () => {
  test("group returns results in member order even when members finish in another order", async () => {
    const app = new ActantApp("wf_group_order", { durability: "memory" });
    const gates = [gate(), gate(), gate()];
    const started = countdown(3);
    const finished: number[] = [];
    const wait = app.task("wait", async (i: number) => {
      started.count();
      await gates[i].promise;
      finished.push(i);
      return `member ${i}`;
    });
    const handle = app.submit(group(wait.s(0), wait.s(1), wait.s(2)));
    assert.equal(await before(started.promise), "resolved", "every member started at once");
    assert.deepEqual(finished, []);
    for (const i of [2, 0, 1]) gates[i].open();
    assert.deepEqual(await handle.get(), ["member 0", "member 1", "member 2"]);
    assert.deepEqual(finished, [2, 0, 1]);
    await app.close();
  });

  test("group accepts an array of steps", async () => {
    const app = new ActantApp("wf_group_array", { durability: "memory" });
    const { add } = arithmetic(app);
    assert.deepEqual(await app.submit(group([1, 2, 3].map((n) => add.s(n, n)))).get(), [2, 4, 6]);
    await app.close();
  });

  test("an empty group yields []", async () => {
    const app = new ActantApp("wf_group_empty", { durability: "memory" });
    assert.deepEqual(await app.submit(group()).get(), []);
    assert.deepEqual(await app.submit(group([])).get(), []);
    await app.close();
  });

  test("a group after a step gives every member the previous result", async () => {
    const app = new ActantApp("wf_group_fanout", { durability: "memory" });
    const { add, mul, label } = arithmetic(app);
    const result = await app.submit(chain(add.s(1, 2), group(mul.s(10), add.s(1), label.si(7, "fixed")))).get();
    assert.deepEqual(result, [30, 4, "fixed:7"]);
    await app.close();
  });

  test("a group followed by a task in a chain acts as a chord", async () => {
    const app = new ActantApp("wf_group_then", { durability: "memory" });
    const { add, sum } = arithmetic(app);
    const seen: number[][] = [];
    const record = app.task("record", (xs: number[]) => {
      seen.push(xs);
      return xs.length;
    });
    assert.equal(await app.submit(chain(group(add.s(1, 1), add.s(2, 2)), sum.s())).get(), 6);
    assert.equal(await app.submit(chain(group(add.s(1, 1), add.s(2, 2)), record.s())).get(), 2);
    assert.deepEqual(seen, [[2, 4]]);
    await app.close();
  });
});

describe("chord and nesting", () => {
  test("chord passes the header's results to the callback, header as array or group()", async () => {
    const app = new ActantApp("wf_chord", { durability: "memory" });
    const { add, sum } = arithmetic(app);
    assert.equal(await app.submit(chord([add.s(1, 1), add.s(2, 2)], sum.s())).get(), 6);
    assert.equal(await app.submit(chord(group(add.s(1, 1), add.s(2, 2)), sum.s())).get(), 6);
    assert.equal(await app.submit(chord(group([add.s(3, 3), add.s(4, 4)]), sum.s())).get(), 14);
    await app.close();
  });

  test("chord after a step gives the header members the previous result", async () => {
    const app = new ActantApp("wf_chord_after", { durability: "memory" });
    const { add, mul, sum } = arithmetic(app);
    assert.equal(await app.submit(chain(add.s(1, 2), chord([mul.s(2), mul.s(3)], sum.s()))).get(), 15);
    await app.close();
  });

  test("a chord whose callback is a chain", async () => {
    const app = new ActantApp("wf_chord_chain_cb", { durability: "memory" });
    const { add, mul, sum } = arithmetic(app);
    assert.equal(await app.submit(chord([add.s(1, 1), add.s(2, 2)], chain(sum.s(), mul.s(10)))).get(), 60);
    await app.close();
  });

  test("a chain inside a chord header", async () => {
    const app = new ActantApp("wf_chord_chain_header", { durability: "memory" });
    const { add, mul, sum } = arithmetic(app);
    assert.equal(await app.submit(chord([chain(add.s(1, 1), mul.s(3)), add.s(4, 4)], sum.s())).get(), 14);
    await app.close();
  });

  test("a group inside a chain feeds the next step its list", async () => {
    const app = new ActantApp("wf_group_in_chain", { durability: "memory" });
    const { add, mul, sum } = arithmetic(app);
    assert.equal(await app.submit(chain(add.s(1, 1), group(mul.s(2), mul.s(3)), sum.s(), add.s(1))).get(), 11);
    await app.close();
  });

  test("deeply nested workflows compose", async () => {
    const app = new ActantApp("wf_deep", { durability: "memory" });
    const { add, mul, sum, isBig, label } = arithmetic(app);
    const left = chain(mul.s(2), group(add.s(1), add.s(2)), sum.s()); // 2 -> 4 -> [5, 6] -> 11
    const right = chord([mul.s(3), chain(mul.s(4), group(add.s(0)), sum.s())], sum.s()); // 2 -> [6, 8] -> 14
    const workflow = chain(
      add.s(1, 1),
      group(left, right),
      sum.s(), // 25
      branch(isBig.s(), chain(add.s(0), label.s("big")), label.s("small")),
    );
    assert.equal(await app.submit(workflow).get(), "big:25");
    await app.close();
  });
});

describe("branch", () => {
  test("the chosen branch receives the value from before the condition", async () => {
    const app = new ActantApp("wf_branch", { durability: "memory" });
    const { add, isBig, label } = arithmetic(app);
    const decide = branch(isBig.s(), label.s("big"), label.s("small"));
    assert.equal(await app.submit(chain(add.s(50, 50), decide)).get(), "big:100");
    assert.equal(await app.submit(chain(add.s(1, 2), decide)).get(), "small:3");
    await app.close();
  });

  test("without ifFalse, a false condition passes the value through", async () => {
    const app = new ActantApp("wf_branch_pass", { durability: "memory" });
    const { add, isBig, label } = arithmetic(app);
    assert.equal(await app.submit(chain(add.s(1, 2), branch(isBig.s(), label.s("big")))).get(), 3);
    assert.equal(await app.submit(chain(add.s(50, 50), branch(isBig.s(), label.s("big")))).get(), "big:100");
    await app.close();
  });
});

describe("map", () => {
  test("map runs the body once per element in parallel, results in order", async () => {
    const app = new ActantApp("wf_map", { durability: "memory" });
    const range = app.task("range", (n: number) => Array.from({ length: n }, (_, i) => i));
    const gates = [gate(), gate(), gate(), gate()];
    const started = countdown(4);
    const finished: number[] = [];
    const square = app.task("square", async (x: number) => {
      started.count();
      await gates[x].promise;
      finished.push(x);
      return x * x;
    });
    const handle = app.submit(chain(range.s(4), map(square.s())));
    assert.equal(await before(started.promise), "resolved", "every member started at once");
    assert.deepEqual(finished, []);
    for (const i of [3, 1, 0, 2]) gates[i].open();
    assert.deepEqual(await handle.get(), [0, 1, 4, 9]);
    assert.deepEqual(finished, [3, 1, 0, 2]);
    await app.close();
  });

  test("map over an empty list yields [], and its body may be a workflow", async () => {
    const app = new ActantApp("wf_map_body", { durability: "memory" });
    const { add, mul, sum } = arithmetic(app);
    const list = app.task("list", (...xs: number[]) => xs);
    assert.deepEqual(await app.submit(chain(list.s(), map(add.s(1)))).get(), []);
    assert.equal(await app.submit(chain(list.s(1, 2, 3), map(chain(mul.s(2), add.s(1))), sum.s())).get(), 15);
    await app.close();
  });
});

describe("loop", () => {
  test("loop runs the body on its own result until `until` holds", async () => {
    const app = new ActantApp("wf_loop_until", { durability: "memory" });
    const { add } = arithmetic(app);
    let rounds = 0;
    const double = app.task("double", (n: number) => (rounds++, n * 2));
    const atLeast = app.task("atLeast", (n: number, min: number) => n >= min);
    const result = await app.submit(chain(add.s(1, 0), loop(double.s(), { until: atLeast.s(100), maxIterations: 20 })))
      .get();
    assert.equal(result, 128);
    assert.equal(rounds, 7);
    await app.close();
  });

  test("loop without until runs exactly maxIterations rounds", async () => {
    const app = new ActantApp("wf_loop_count", { durability: "memory" });
    const { add } = arithmetic(app);
    let rounds = 0;
    const double = app.task("double", (n: number) => (rounds++, n * 2));
    assert.equal(await app.submit(chain(add.s(1, 0), loop(double.s(), { maxIterations: 5 }))).get(), 32);
    assert.equal(rounds, 5);
    await app.close();
  });

  test("loop() with neither until nor maxIterations is an InvalidWorkflowError", async () => {
    const app = new ActantApp("wf_loop_bad", { durability: "memory" });
    const { add } = arithmetic(app);
    for (const options of [{}, { maxIterations: 0 }, { maxIterations: 1.5 }]) {
      const error = thrown(() => loop(add.s(1), options));
      assert.ok(error instanceof InvalidWorkflowError);
      assert.equal(error.code, "INVALID_WORKFLOW");
    }
    await app.close();
  });
});

describe("compiled graph", () => {
  test("app.compile() gives plain data that survives JSON unchanged, with deps between steps", async () => {
    const app = new ActantApp("wf_graph", { durability: "memory" });
    const { add, mul, sum, isBig, label } = arithmetic(app);
    const workflow = chain(
      add.s(2, 2),
      add.s(10),
      chord([mul.s(2), mul.s(3)], sum.s()),
      branch(isBig.s(), label.s("big")),
    );
    const graph: WorkflowGraph = app.compile(workflow);
    assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);

    const root = graph.nodes[graph.root];
    assert.equal(root.kind, "chain");
    if (root.kind !== "chain") return;
    const [first, second, chordId, branchId] = root.steps.map((id) => graph.nodes[id]);
    assert.deepEqual([first.kind, second.kind, chordId.kind, branchId.kind], ["task", "task", "chord", "branch"]);
    assert.deepEqual(first.deps, []);
    assert.deepEqual(second.deps, [first.id]);
    assert.deepEqual(chordId.deps, [second.id]);
    if (first.kind !== "task" || second.kind !== "task" || chordId.kind !== "chord") return;
    assert.equal(first.task, "add");
    assert.equal(first.receivesInput, false);
    assert.equal(second.receivesInput, true);
    // The callback waits for the whole header.
    assert.deepEqual(graph.nodes[chordId.callback].deps, chordId.header);
    assert.equal(await app.submit(workflow).get(), "big:70");
    await app.close();
  });

  test("compiling runs nothing", async () => {
    const app = new ActantApp("wf_graph_pure", { durability: "memory" });
    let calls = 0;
    const count = app.task("count", () => ++calls);
    const graph = app.compile(chain(count.s(), count.si()));
    assert.equal(Object.keys(graph.nodes).length, 3);
    await new ManualClock().advance(0); // let any stray queued work run
    assert.equal(calls, 0);
    assert.equal(app.stats().submitted, 0);
    await app.close();
  });
});

describe("workflow handle", () => {
  test("handle has an id and reports running, then succeeded", async () => {
    const app = new ActantApp("wf_handle", { durability: "memory" });
    const { add } = arithmetic(app);
    const release = gate<number>();
    const slow = app.task("slow", async (n: number) => n + (await release.promise));
    const handle = app.submit(chain(add.s(1, 1), slow.s()));
    const other = app.submit(chain(add.s(1, 1)));
    assert.equal(typeof handle.id, "string");
    assert.notEqual(handle.id, "");
    assert.notEqual(handle.id, other.id);
    assert.equal(await handle.status(), "running");
    release.open(40);
    assert.equal(await handle, 42);
    assert.equal(await handle.status(), "succeeded");
    assert.equal(await handle.get(), 42); // a second get() returns the stored result
    assert.equal(await other.get(), 2);
    await app.close();
  });

  test("get({ timeout }) rejects with ResultTimeoutError while the workflow runs on", async () => {
    const clock = new ManualClock();
    const app = new ActantApp("wf_handle_timeout", { durability: "memory", clock });
    const release = gate<string>();
    const slow = app.task("slow", () => release.promise);
    const handle = app.submit(chain(slow.s(), slow.si()));
    const waiting = handle.get({ timeout: 50 });
    const outcome = waiting.then(() => undefined, (error: unknown) => error);
    await clock.advance(50);
    const error = await outcome;
    assert.ok(error instanceof ResultTimeoutError);
    assert.equal(error.code, "RESULT_TIMEOUT");
    assert.equal(error.id, handle.id);
    assert.equal(await handle.status(), "running");
    release.open("done");
    assert.equal(await handle.get({ timeout: 50 }), "done");
    assert.equal(await handle.status(), "succeeded");
    await app.close();
  });
});
