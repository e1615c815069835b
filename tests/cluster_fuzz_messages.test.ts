// Fuzzing the messages of a real `actant worker` process's task protocol: well-formed frames
// whose messages are wrong (bad ops, ids, steps, arguments, actor requests; random ones from the
// protocol's grammar; floods to a client that reads slowly), a client's own refusal of an id in
// use, and wrong requests on the status protocol. Each wrong message gets its own failure `done`
// with the error's name and code, the channel keeps serving (a sentinel submit after them gets
// 5), and the worker ends its side cleanly once it answered everything.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import { STATUS_PROTOCOL, TASKS_PROTOCOL } from "../src/cluster/mod.ts";
import { encode } from "../src/common/mod.ts";
import { within } from "./support/async.ts";
import { addStep, asGraph, randomMessage, submitMessage, taskGraph, taskStep } from "./support/fuzz_values.ts";
import { assertFailed, FUZZED_NODE_ID, FuzzedWorker, HANG_BOUND_MS } from "./support/fuzz_worker.ts";
import { Random } from "./support/random.ts";

const SEED = 0x5eed_ac7a + 2;
const workflowError = { name: "InvalidWorkflowError", code: "INVALID_WORKFLOW" };
const unknownTask = { name: "UnknownTaskError", code: "UNKNOWN_TASK" };
const badArguments = { name: "TaskArgumentsError", code: "BAD_ARGUMENTS" };
const typeError = { name: "TypeError" };
const submit = (id: string, step: unknown) => submitMessage(id, step) as { op: "submit"; id: string };
const sendGraph = (id: string, graph: unknown) => ({ op: "submit", id, graph });

/** Messages with a string id: each gets one failure `done` under its id with this error. */
const wrongMessages: Array<[string, (id: string) => unknown, { name: string; code?: string }]> = [
  ["an unknown op", (id) => ({ op: "explode", id }), typeError],
  ["no op", (id) => ({ id, step: addStep(2, 3) }), typeError],
  ["an op that is not a string", (id) => ({ op: 7, id, step: addStep(2, 3) }), typeError],
  ["an op that is a bigint (JSON cannot show it)", (id) => ({ op: 5n, id }), typeError],
  ["an op whose toString is not a function", (id) => ({ op: { toString: 1, valueOf: 1 }, id }), typeError],
  ["an empty id", () => submit("", addStep(2, 3)), typeError],
  ["a step that is null", (id) => submit(id, null), workflowError],
  ["no graph", (id) => ({ op: "submit", id }), workflowError],
  ["a step tree where the graph should be", (id) => ({ op: "submit", id, step: addStep(2, 3) }), workflowError],
  ["a step that is a string", (id) => submit(id, "add"), workflowError],
  ["a step that is a list", (id) => submit(id, [addStep(1, 2)]), workflowError],
  ["a step without a kind", (id) => submit(id, { task: "add", args: [1, 2] }), workflowError],
  ["a step whose kind is a number", (id) => submit(id, { kind: 1 }), workflowError],
  ["a step of an unknown kind", (id) => submit(id, { kind: "teleport" }), workflowError],
  ["a task node without a task name", (id) => sendGraph(id, taskGraph(undefined, encode([]))), workflowError],
  ["a task name that is a number", (id) => sendGraph(id, taskGraph(5, encode([]))), workflowError],
  ["an unknown task", (id) => submit(id, taskStep("nope", [])), unknownTask],
  ["the task __proto__", (id) => submit(id, taskStep("__proto__", [])), unknownTask],
  ["the task constructor", (id) => submit(id, taskStep("constructor", [])), unknownTask],
  ["too few arguments", (id) => submit(id, taskStep("add", [1])), badArguments],
  ["a task submission whose task is not a string", (id) => ({ op: "task", id, task: 5, args: encode([]) }), typeError],
  ["a task submission with no task", (id) => ({ op: "task", id, args: encode([1, 2]) }), typeError],
  ["a task submission of an unknown task", (id) => ({ op: "task", id, task: "nope", args: encode([]) }), unknownTask],
  ["a task submission of __proto__", (id) => ({ op: "task", id, task: "__proto__", args: encode([]) }), unknownTask],
  [
    "a task submission whose args are a plain list",
    (id) => ({ op: "task", id, task: "add", args: [1, 2] }),
    badArguments,
  ],
  ["a task submission with no args", (id) => ({ op: "task", id, task: "add" }), badArguments],
  [
    "a task submission with too few arguments",
    (id) => ({ op: "task", id, task: "add", args: encode([1]) }),
    badArguments,
  ],
  ["arguments that are a string", (id) => sendGraph(id, taskGraph("add", encode("ab"))), badArguments],
  ["arguments that are list-like", (id) => sendGraph(id, taskGraph("add", encode({ length: 2 }))), badArguments],
  ["arguments that are a number", (id) => sendGraph(id, taskGraph("add", encode(5))), badArguments],
  ["arguments that are null", (id) => sendGraph(id, taskGraph("add", null)), badArguments],
  ["arguments that are not encoded", (id) => sendGraph(id, taskGraph("add", [1, 2])), badArguments],
  ["no arguments", (id) => sendGraph(id, taskGraph("add", undefined)), badArguments],
  [
    "arguments that are not a list, inside a chain",
    (id) => submit(id, { kind: "chain", steps: [taskStep("add", "ab")] }),
    workflowError,
  ],
  ["an empty chain", (id) => submit(id, { kind: "chain", steps: [] }), workflowError],
  ["a chain whose steps are not a list", (id) => submit(id, { kind: "chain", steps: "ab" }), workflowError],
  ["a dangling chain step (null)", (id) => submit(id, { kind: "chain", steps: [addStep(1, 2), null] }), workflowError],
  ["a group whose members are not a list", (id) => submit(id, { kind: "group", members: 5 }), workflowError],
  ["a chord without its callback", (id) => submit(id, { kind: "chord", header: [addStep(1, 2)] }), workflowError],
  ["a branch without its condition", (id) => submit(id, { kind: "branch", ifTrue: addStep(1, 2) }), workflowError],
  ["a map with no list before it", (id) => submit(id, { kind: "map", body: addStep(1, 2) }), workflowError],
  [
    "a loop with no value before it",
    (id) => submit(id, { kind: "loop", body: addStep(1, 2), maxIterations: 2 }),
    workflowError,
  ],
  [
    "an unknown task deep in a chord",
    (id) =>
      submit(id, { kind: "chord", header: [addStep(1, 2), taskStep("nope", [])], callback: taskStep("distinct", []) }),
    unknownTask,
  ],
  ["a cycle (a chain that contains itself, sent as a codec value)", (id) => {
    const cycle: { kind: string; steps: unknown[] } = { kind: "chain", steps: [addStep(1, 2)] };
    cycle.steps.push(cycle);
    return submit(id, cycle);
  }, workflowError],
  ["an actor request for an unknown class", (id) => ({ op: "actor.create", id, cls: "Nope", args: encode([]) }), {
    name: "ActorNotFoundError",
    code: "ACTOR_NOT_FOUND",
  }],
  [
    "a call of an actor that does not exist",
    (id) => ({ op: "actor.call", id, actor: "a-nope", method: "add", args: encode([1]) }),
    { name: "ActorStoppedError", code: "ACTOR_STOPPED" },
  ],
  ["an unknown actor op", (id) => ({ op: "actor.explode", id }), typeError],
  [
    "an actor name that is a number",
    (id) => ({ op: "actor.create", id, cls: "Counter", args: encode([]), name: 5 }),
    typeError,
  ],
  ["an empty actor name", (id) => ({ op: "actor.create", id, cls: "Counter", args: encode([]), name: "" }), typeError],
  ["an actor class that is a number", (id) => ({ op: "actor.create", id, cls: 5, args: encode([]) }), typeError],
  ["an empty actor class", (id) => ({ op: "actor.get", id, cls: "", name: "n" }), typeError],
  [
    "an actor looked up by a name that is not a string",
    (id) => ({ op: "actor.get", id, cls: "Counter", name: null }),
    typeError,
  ],
  [
    "a call of an actor id that is not a string",
    (id) => ({ op: "actor.call", id, actor: 5, method: "add", args: encode([1]) }),
    typeError,
  ],
  [
    "a call of an empty method",
    (id) => ({ op: "actor.call", id, actor: "a-nope", method: "", args: encode([1]) }),
    typeError,
  ],
  [
    "a stop of an actor id that is an object",
    (id) => ({ op: "actor.stop", id, actor: { toString: 1 }, drain: true }),
    typeError,
  ],
];

/** Messages without a string id: each gets one TypeError under the id named as the worker names it. */
const idlessMessages: Array<[string, unknown, string]> = [
  ["null", null, "undefined"],
  ["a number", 42, "undefined"],
  ["a string", "submit", "undefined"],
  ["a list", [{ op: "submit", id: "in-a-list" }], "undefined"],
  ["raw bytes", new Uint8Array([1, 2, 3]), "undefined"],
  ["a date (a codec value)", new Date(0), "undefined"],
  ["no id", { op: "submit", graph: asGraph(addStep(2, 3)) }, "undefined"],
  ["a numeric id", submitMessage(7, addStep(2, 3)), "7"],
  ["a fractional id", submitMessage(1.5, addStep(2, 3)), "1.5"],
  ["a boolean id", submitMessage(true, addStep(2, 3)), "true"],
  ["a null id", submitMessage(null, addStep(2, 3)), "null"],
  ["an object id", submitMessage({ nested: "x" }, addStep(2, 3)), "object"],
  ["a list id", submitMessage(["x"], addStep(2, 3)), "object"],
  ["an id String() cannot convert", submitMessage({ toString: 1, valueOf: 1 }, addStep(2, 3)), "object"],
  ["a bigint id (a codec value)", submitMessage(12n, addStep(2, 3)), "bigint"],
];

describe("message fuzz against an actant worker process", { timeout: 300_000 }, () => {
  let worker: FuzzedWorker;
  let fresh = 0;
  const id = (what: string) => `${what}-${fresh++}`;

  before(async () => {
    worker = await FuzzedWorker.start();
  });

  after(async () => {
    await worker?.stop();
  });

  it("well-formed frames with wrong messages: each gets a failure under its id, with the error's name and code", async () => {
    for (const [name, build, expected] of wrongMessages) {
      const message = build(id("wrong")) as { id: string };
      const answers = await worker.ask([message], name);
      assertFailed(answers.get(message.id), { ...expected, label: name });
    }
  });

  it("messages without a string id get a TypeError under a name of the id; the channel keeps serving", async () => {
    for (const [name, message, replyId] of idlessMessages) {
      const answers = await worker.ask([message], name);
      assertFailed(answers.get(replyId), { ...typeError, label: name });
    }
  });

  it("a loop whose maxIterations is missing or not an integer from 1 to 1,000,000 is refused at submit", async () => {
    for (const maxIterations of [undefined, "x", 0, -1, 2.5, Infinity, 1_000_001]) {
      const label = `maxIterations ${String(maxIterations)}`;
      const loop = {
        kind: "loop",
        body: taskStep("add", [1]),
        ...(maxIterations === undefined ? {} : { maxIterations }),
      };
      const message = submit(id("loop"), { kind: "chain", steps: [addStep(2, 3), loop] });
      assertFailed((await worker.ask([message], label)).get(message.id), { ...workflowError, label });
    }
  });

  it("a second submit under a running id is answered with the first run (its step ignored), once each", async () => {
    const answers = await worker.ask(
      [submit("twice", taskStep("where", [50])), submit("twice", addStep(2, 3))],
      "an id twice",
    );
    const first = { op: "done", id: "twice", ok: true, result: encode(worker.pid) };
    assert.deepEqual(answers.get("twice"), [first, first]);
  });

  it("a batch of many bad messages in one frame: one answer each, in one channel that keeps serving", async () => {
    const ids = Array.from({ length: 300 }, () => id("many"));
    const messages = ids.map((id, i) =>
      [{ op: "nope", id }, submit(id, taskStep("nope", [])), submit(id, { kind: "chain", steps: [] })][i % 3]
    );
    const answers = await worker.ask(messages, "300 bad messages");
    for (const [i, id] of ids.entries()) {
      assertFailed(answers.get(id), { ...[typeError, unknownTask, workflowError][i % 3], label: id });
    }
  });

  it("random messages from the protocol's grammar: every one answered once, well formed", async () => {
    const random = new Random(SEED);
    for (let round = 0; round < 6; round++) {
      const messages = Array.from(
        { length: 30 },
        () => randomMessage(random, id(`grammar-${round}`)) as { op: unknown; id: string },
      );
      const label = `grammar round ${round} (seed ${SEED})`;
      const answers = await worker.ask(messages, label);
      for (const { op, id } of messages) {
        if (op === "cancel") continue; // cancels are not answered
        const replies = answers.get(id) as Array<
          { ok?: unknown; result?: { t?: unknown }; error?: { name?: unknown } }
        >;
        assert.equal(replies?.length, 1, `${label}: ${id} answered once: ${JSON.stringify(replies)}`);
        const [reply] = replies;
        if (reply.ok === true) {
          assert.ok(["p", "a", "s"].includes(reply.result?.t as string), `${label}: ${JSON.stringify(reply)}`);
        } else {
          assert.equal(reply.ok, false, `${label}: ${JSON.stringify(reply)}`);
          assert.match(String(reply.error?.name), /^[A-Z]\w*Error$/, `${label}: ${JSON.stringify(reply)}`);
        }
      }
    }
  });

  it("a client that reads slowly (a window of 1) and floods the worker gets every answer once", async () => {
    const channel = await worker.node.openChannel<unknown, unknown>(worker.address, TASKS_PROTOCOL, { window: 1 });
    try {
      const ids = Array.from({ length: 4096 }, () => id("flood"));
      const writer = channel.writable.getWriter();
      for (const id of ids) void writer.write({ op: "flood", id }).catch(() => {});
      void writer.write(submit("after-flood", addStep(2, 3))).catch(() => {});
      void writer.close().catch(() => {});
      const answers = new Map<string, unknown[]>();
      await within(
        (async () => {
          for await (const reply of channel.readable) {
            const { id } = reply as { id: string };
            answers.set(id, [...answers.get(id) ?? [], reply]);
          }
          await channel.closed;
        })(),
        HANG_BOUND_MS,
        "the answers to the flood",
      );
      for (const id of ids) assertFailed(answers.get(id), { ...typeError, label: id });
      assert.deepEqual(answers.get("after-flood"), [{ op: "done", id: "after-flood", ok: true, result: encode(5) }]);
    } finally {
      channel.abort(new Error("case over"));
      worker.assertAlive("a flood");
    }
  });

  it("a client's second submit under a running id gives the first run's handle; its step is ignored", async () => {
    const client = new ActantApp("cluster_test", { address: worker.address });
    try {
      const first = client.submit(signature<number>("where", [50]), { id: "client-twice" });
      const second = client.submit(signature<number>("add", [2, 3]), { id: "client-twice" });
      assert.equal(await within(Promise.resolve(second), HANG_BOUND_MS, "the second handle's answer"), worker.pid);
      assert.equal(await within(Promise.resolve(first), HANG_BOUND_MS, "the first run's answer"), worker.pid);
    } finally {
      await client.close();
    }
  });

  it("the status protocol ignores wrong requests and answers each status request once, then ends", async () => {
    const channel = await worker.node.openChannel<unknown, unknown>(worker.address, STATUS_PROTOCOL);
    const writer = channel.writable.getWriter();
    for (
      const message of [null, 5, "status", [], {}, { op: 5 }, { op: "STATUS" }, new Uint8Array([1]), {
        op: "status",
        extra: [1, 2],
      }, { op: "status" }]
    ) {
      void writer.write(message);
    }
    void writer.close();
    const replies: unknown[] = [];
    await within(
      (async () => {
        for await (const reply of channel.readable) replies.push(reply);
        await channel.closed;
      })(),
      HANG_BOUND_MS,
      "the status replies and the end",
    );
    assert.equal(replies.length, 2, JSON.stringify(replies));
    for (const reply of replies) {
      const [self] = (reply as { peers: Array<{ peerId: string; nodeId: string }> }).peers;
      assert.deepEqual([self.peerId, self.nodeId], [worker.address.split("/p2p/")[1], FUZZED_NODE_ID]);
    }
    worker.assertAlive("status requests");
  });

  it("after the fuzz run, a client gets 5 and actant status answers", async () => {
    await worker.assertStillServing();
  });
});
