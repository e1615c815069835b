// The compiled graph on the wire: a client compiles its workflow once and sends the graph, which
// the owner checks and never compiles again. A worker refuses a malformed graph with an error
// answer naming what was wrong, and goes on serving. In one process over real libp2p connections
// on 127.0.0.1.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, chain, group, type RunHandle, signature, type WorkflowGraph } from "../mod.ts";
import { type ClientChannel, RemoteClient, serveTasks, TASKS_PROTOCOL } from "../src/cluster/mod.ts";
import { encode, systemClock } from "../src/common/mod.ts";
import { createNetNode, type NetNode } from "../src/net/mod.ts";
import { checkGraph, wireGraph } from "../src/workflow/mod.ts";
import { KeptBackend, loggedEvents } from "./support/kept_backend.ts";
import { createTempDir } from "./support/temp_dir.ts";

/** A finished handle holding `value` (what a spy owner answers with). */
function done(id: string, value: unknown): RunHandle<unknown> {
  const result = Promise.resolve(value);
  return {
    id,
    status: () => Promise.resolve("succeeded"),
    cancel: () => Promise.resolve(false),
    get: () => result,
    then: (onFulfilled, onRejected) => result.then(onFulfilled, onRejected),
  } as RunHandle<unknown>;
}

describe("a client sends its compiled graph", { timeout: 60_000 }, () => {
  let owner: NetNode;
  let client: ActantApp;
  const graphs: Array<{ id: string; graph: unknown }> = [];
  const tasks: Array<{ id: string; task: unknown; args: unknown }> = [];

  before(async () => {
    owner = await createNetNode({ listen: ["/ip4/127.0.0.1/tcp/0/ws"] });
    // An owner that only records what it is sent, and answers each submission with 42.
    await serveTasks(owner, {
      submitGraph: (graph, { id }) => {
        graphs.push({ id, graph });
        return done(id, 42);
      },
      submitTask: (task, args, { id }) => {
        tasks.push({ id, task, args });
        return done(id, 42);
      },
    });
    client = new ActantApp("graph_client", { address: owner.addresses()[0] });
    client.task("add", (a: number, b: number) => a + b);
    client.task("double", (x: number) => x * 2);
  });

  after(async () => {
    await client?.close();
    await owner?.stop();
  });

  it("as the client compiled it, and a signature as the one task it compiles to (the protocol carries no step tree)", async () => {
    const add = signature<number>("add", [1, 2]);
    const workflow = chain(add, group(signature("double", []), signature("remote_only", [3])));
    assert.equal(await client.submit(workflow, { id: "wf-1" }), 42);
    assert.equal(await client.submit(add, { id: "t-1" }), 42);
    assert.deepEqual(graphs.map(({ id }) => id), ["wf-1"]);
    const compiledAdd = client.compile(add);
    const root = compiledAdd.nodes[compiledAdd.root];
    assert.equal(root.kind, "task");
    assert.deepEqual(tasks, [{ id: "t-1", task: "add", args: root.kind === "task" ? root.args : undefined }]);
    // `remote_only` is not registered on the client: it compiles it by name, the owner judges the rest.
    const remoteOnly: WorkflowGraph = JSON.parse(JSON.stringify(graphs[0].graph));
    assert.ok(Object.values(remoteOnly.nodes).some((node) => node.kind === "task" && node.task === "remote_only"));
    client.task("remote_only", (x: number) => x);
    // As it travels: without the fields that follow from where a node sits, which the owner's
    // check puts back, giving the graph the client compiled.
    const compiled = client.compile(workflow);
    assert.deepEqual(graphs[0].graph, wireGraph(compiled));
    assert.ok(Object.values(remoteOnly.nodes).every((node) => !("deps" in node) && !("id" in node)));
    assert.deepEqual(checkGraph(remoteOnly, (name) => ({ name, options: {} })), compiled);
  });
});

describe("a worker given a malformed graph", { timeout: 60_000 }, () => {
  let worker: ActantApp;
  let node: NetNode;
  let remote: RemoteClient;
  let fresh = 0;
  const submit = (graph: unknown) => remote.submit<unknown>(`g-${fresh++}`, graph as WorkflowGraph);

  before(async () => {
    worker = new ActantApp("graph_worker", { durability: "memory" });
    worker.task("add", (a: number, b: number) => a + b);
    const member = await worker.join({});
    node = await createNetNode();
    const address = member.node.addresses()[0];
    remote = await RemoteClient.connect({
      address,
      dial: () => node.openChannel(address, TASKS_PROTOCOL) as Promise<ClientChannel>,
      clock: systemClock,
    });
  });

  after(async () => {
    await remote?.close();
    await node?.stop();
    await worker?.close();
  });

  it("answers each with its error and goes on serving", async () => {
    const good = worker.compile(chain(signature("add", [1, 2]), signature("add", [10])));
    const cases: Array<[string, unknown, string]> = [
      ["null", null, "InvalidWorkflowError"],
      ["a list", [good], "InvalidWorkflowError"],
      [
        "a cycle",
        { root: "n0", nodes: { n0: { id: "n0", kind: "chain", steps: ["n0"], deps: [] } } },
        "InvalidWorkflowError",
      ],
      [
        "an unknown task",
        { ...good, nodes: { ...good.nodes, n1: { ...good.nodes.n1, task: "nope" } } },
        "UnknownTaskError",
      ],
      [
        "arguments that are not an encoded list",
        { ...good, nodes: { ...good.nodes, n1: { ...good.nodes.n1, args: encode("x") } } },
        "InvalidWorkflowError",
      ],
      [
        "too few arguments",
        { ...good, nodes: { ...good.nodes, n2: { ...good.nodes.n2, args: encode([]) } } },
        "TaskArgumentsError",
      ],
    ];
    for (const [what, graph, name] of cases) {
      await assert.rejects(submit(graph).get(), { name }, what);
      assert.equal(await submit(good).get(), 13, `the worker still serves after ${what}`);
    }
    assert.equal(await submit(worker.compile(signature("add", [20, 22]))).get(), 42);
  });
});

describe("a durable owner given a client's graph", { timeout: 60_000 }, () => {
  it("logs the graph as its workflow's DAG, and a graph of one task as that task", async () => {
    const keys = await createTempDir("graph-log");
    const backend = new KeptBackend();
    const worker = new ActantApp("graph_log", { backend, dataDir: keys.path });
    let client: ActantApp | undefined;
    try {
      worker.task("add", (a: number, b: number) => a + b);
      client = new ActantApp("graph_log", { address: (await worker.join({})).node.addresses()[0] });
      client.task("add", (a: number, b: number) => a + b);
      const workflow = chain(signature("add", [1, 2]), signature("add", [10]));
      assert.equal(await client.submit(workflow, { id: "wf-logged" }), 13);
      assert.equal(await client.submit(signature("add", [20, 22]), { id: "t-logged" }), 42);
      await client.close();
      await worker.close();
      const events = await loggedEvents(backend);
      const started = events.find((event) => event.type === "workflow.started" && event.id === "wf-logged");
      assert.deepEqual(started?.graph, client.compile(workflow));
      const submitted = events.find((event) => event.type === "task.submitted" && event.id === "t-logged");
      assert.deepEqual([submitted?.task, submitted?.args], ["add", encode([20, 22])]);
    } finally {
      await client?.close();
      await worker.close();
      await keys.remove();
    }
  });
});
