// Checking a compiled workflow that comes from another peer (a client's graph): every graph
// `compile` makes passes unchanged (also after a trip through JSON), and anything else is refused
// with an error naming the node, whatever the value is.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { branch, chain, chord, group, loop, map } from "../mod.ts";
import { encode } from "../src/common/mod.ts";
import { TaskRegistry } from "../src/task/mod.ts";
import { checkGraph, compile, MAX_GRAPH_DEPTH, wireGraph, type WorkflowGraph } from "../src/workflow/mod.ts";

const registry = new TaskRegistry();
registry.register("add", (a: number, b: number) => a + b);
registry.register("double", (x: number) => x * 2);
registry.register("even", (x: number) => x % 2 === 0);
registry.register("range", (n: number) => Array.from({ length: n }, (_, i) => i));
const lookup = (name: string) => registry.get(name);
const task = (name: string, args: unknown[], immutable = false) => ({
  kind: "task" as const,
  task: name,
  args,
  immutable,
});

/** The graph of a few workflows, as `compile` makes them. */
const compiled: Array<[string, WorkflowGraph]> = [
  ["a signature", compile(task("add", [1, 2]), lookup)],
  ["a chain", compile(chain(task("add", [1, 2]), task("double", [])), lookup)],
  [
    "a chain with an immutable step",
    compile(chain(task("add", [1, 2]), task("double", [3], true)), lookup),
  ],
  ["a group", compile(group(task("add", [1, 2]), task("double", [4])), lookup)],
  ["a chord", compile(chord([task("double", [1]), task("double", [2])], task("range", [])), lookup)],
  [
    "a branch, a map and a loop",
    compile(
      chain(
        task("range", [3]),
        map(task("double", [])),
        branch(task("even", []), task("range", []), task("double", [])),
      ),
      lookup,
    ),
  ],
  ["a loop", compile(chain(task("double", [1]), loop(task("double", []), { until: task("even", []) })), lookup)],
  ["structured arguments", compile(task("add", [new Date(0), new Map([[1, 2]])]), lookup)],
];

/** A valid graph of one chain `n0` of tasks `n1` (add 1 2) and `n2` (double), to break in one place. */
function chainGraph(): { root: string; nodes: Record<string, Record<string, unknown>> } {
  return JSON.parse(JSON.stringify(compile(chain(task("add", [1, 2]), task("double", [])), lookup)));
}

const invalid = { name: "InvalidWorkflowError", code: "INVALID_WORKFLOW" };
const unknownTask = { name: "UnknownTaskError", code: "UNKNOWN_TASK" };
const badArguments = { name: "TaskArgumentsError", code: "BAD_ARGUMENTS" };

/** Graphs that are wrong in one way each, with the error they get. */
const wrong: Array<[string, () => unknown, { name: string; code: string }]> = [
  ["null", () => null, invalid],
  ["a string", () => "n0", invalid],
  ["a list", () => [chainGraph()], invalid],
  ["no nodes", () => ({ root: "n0" }), invalid],
  ["nodes that are a list", () => ({ root: "n0", nodes: [] }), invalid],
  ["a root that names no node", () => ({ ...chainGraph(), root: "n9" }), invalid],
  ["a root that is not a node id", () => ({ root: "constructor", nodes: {} }), invalid],
  ["a root that is a number", () => ({ ...chainGraph(), root: 0 }), invalid],
  ["a node that is null", () => ({ root: "n0", nodes: { n0: null } }), invalid],
  ["a node whose id is not its key", () => edit((g) => (g.nodes.n1.id = "n2")), invalid],
  ["an unknown kind", () => edit((g) => (g.nodes.n1.kind = "teleport")), invalid],
  ["a chain with no steps", () => edit((g) => (g.nodes.n0.steps = [])), invalid],
  ["chain steps that are not a list", () => edit((g) => (g.nodes.n0.steps = "n1")), invalid],
  ["a step that names no node", () => edit((g) => (g.nodes.n0.steps = ["n1", "n7"])), invalid],
  ["a step named __proto__", () => edit((g) => (g.nodes.n0.steps = ["n1", "__proto__"])), invalid],
  ["a cycle", () => edit((g) => (g.nodes.n1 = { id: "n1", kind: "chain", steps: ["n0"], deps: [] })), invalid],
  ["a node shared by two parents", () => edit((g) => (g.nodes.n0.steps = ["n1", "n1"])), invalid],
  ["a node nothing leads to", () => edit((g) => (g.nodes.n5 = { ...g.nodes.n2, id: "n5" })), invalid],
  ["deps that are not where compile puts them", () => edit((g) => (g.nodes.n2.deps = [])), invalid],
  ["deps that are not a list", () => edit((g) => (g.nodes.n1.deps = null)), invalid],
  ["a first step that claims an input", () => edit((g) => (g.nodes.n1.receivesInput = true)), invalid],
  ["a later step that drops its input", () => edit((g) => (g.nodes.n2.receivesInput = false)), invalid],
  ["immutable that is not a boolean", () => edit((g) => (g.nodes.n2.immutable = "no")), invalid],
  ["a task name that is a number", () => edit((g) => (g.nodes.n1.task = 5)), invalid],
  ["an unknown task", () => edit((g) => (g.nodes.n2.task = "nope")), unknownTask],
  ["the task __proto__", () => edit((g) => (g.nodes.n2.task = "__proto__")), unknownTask],
  ["arguments that are not encoded", () => edit((g) => (g.nodes.n1.args = [1, 2])), invalid],
  ["arguments that encode a string", () => edit((g) => (g.nodes.n1.args = encode("ab"))), invalid],
  ["arguments of an unknown encoding", () => edit((g) => (g.nodes.n1.args = { t: "x", v: 1 })), invalid],
  ["arguments whose list is null", () => edit((g) => (g.nodes.n1.args = { t: "a", v: null })), invalid],
  ["garbled structured arguments", () => edit((g) => (g.nodes.n1.args = { t: "s", v: { json: 5, meta: 7 } })), invalid],
  ["too few arguments", () => edit((g) => (g.nodes.n1.args = encode([1]))), badArguments],
  [
    "a signature whose arguments are not a list",
    () => ({ root: "n0", nodes: { n0: { ...taskNode(), args: encode(1) } } }),
    badArguments,
  ],
  [
    "a map with no list before it",
    () => ({
      root: "n0",
      nodes: { n0: { id: "n0", kind: "map", body: "n1", deps: [] }, n1: { ...taskNode("n1"), receivesInput: true } },
    }),
    invalid,
  ],
  [
    "a loop with a bad count",
    () =>
      edit((
        g,
      ) => (g.nodes.n2 = { id: "n2", kind: "loop", body: "n3", maxIterations: 0, deps: ["n1"] },
        g.nodes.n3 = { ...taskNode("n3"), task: "double", args: encode([]), receivesInput: true })
      ),
    invalid,
  ],
  [
    "a chord without its callback",
    () => ({ root: "n0", nodes: { n0: { id: "n0", kind: "chord", header: [], deps: [] } } }),
    invalid,
  ],
  ["nodes nested too deep", () => nested(MAX_GRAPH_DEPTH + 5), invalid],
];

/** `chainGraph()` with one edit. */
function edit(change: (graph: ReturnType<typeof chainGraph>) => unknown): unknown {
  const graph = chainGraph();
  change(graph);
  return graph;
}

/** The node of a signature `add(1, 2)` on its own. */
function taskNode(id = "n0"): Record<string, unknown> {
  return { id, kind: "task", task: "add", args: encode([1, 2]), immutable: false, receivesInput: false, deps: [] };
}

/** Chains in chains, `depth` deep, around one task. */
function nested(depth: number): WorkflowGraph {
  const nodes: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) nodes[`n${i}`] = { id: `n${i}`, kind: "chain", steps: [`n${i + 1}`], deps: [] };
  nodes[`n${depth}`] = taskNode(`n${depth}`);
  return { root: "n0", nodes } as unknown as WorkflowGraph;
}

describe("checking a graph from another peer", () => {
  for (const [what, graph] of compiled) {
    it(`passes ${what} as compile made it, also after JSON`, () => {
      assert.deepEqual(checkGraph(graph, lookup), graph);
      if (what !== "structured arguments") {
        assert.deepEqual(checkGraph(JSON.parse(JSON.stringify(graph)), lookup), graph);
      }
    });

    it(`puts back what the wire form of ${what} leaves out (ids, deps, inputs, immutable: false)`, () => {
      const wire = wireGraph(graph);
      assert.ok(Object.values(wire.nodes).every((node) => !("id" in node) && !("deps" in node)));
      assert.ok(Object.values(wire.nodes).every((node) => node.kind !== "task" || node.immutable !== false));
      assert.ok(JSON.stringify(wire).length < JSON.stringify(graph).length);
      assert.deepEqual(checkGraph(JSON.parse(JSON.stringify(wire)), lookup), JSON.parse(JSON.stringify(graph)));
    });
  }

  it("passes a graph nested as deep as it allows", () => {
    const graph = nested(MAX_GRAPH_DEPTH);
    assert.deepEqual(checkGraph(graph, lookup), graph);
  });

  it("gives back a copy of only the checked fields, its arguments encoded by this peer", () => {
    const graph = chainGraph();
    Object.assign(graph, { extra: 1 });
    Object.assign(graph.nodes.n1, { secret: "x", args: { t: "a", v: [1, { not: "flat" }] } });
    const checked = checkGraph(graph, lookup);
    assert.deepEqual(Object.keys(checked), ["root", "nodes"]);
    assert.equal("secret" in checked.nodes.n1, false);
    assert.deepEqual(checked.nodes.n1, {
      ...compile(task("add", [1, { not: "flat" }]), lookup).nodes.n0,
      id: "n1",
    });
  });

  for (const [what, graph, expected] of wrong) {
    it(`refuses ${what}`, () => {
      assert.throws(() => checkGraph(graph(), lookup), (error: Error & { code?: string }) => {
        assert.deepEqual({ name: error.name, code: error.code }, expected, error.message);
        return true;
      });
    });
  }
});
