/**
 * Checking a compiled workflow that comes from elsewhere: a client compiles its workflow and
 * sends the graph (plain data), and the owner runs it only once it is sure the graph is one
 * `compile` could have made. It is a tree rooted at `root` (no node shared, no cycle, none left
 * over) of known node kinds; each node's input and deps are where `compile` puts them; every task
 * is known, with arguments that decode to a list its function accepts. A node's `id`, `deps` and
 * `receivesInput` may be left out (they follow from where it sits: {@linkcode wireGraph} leaves
 * them out); given, they must agree. The graph is untrusted input: anything else is an `InvalidWorkflowError` (or an `UnknownTaskError`,
 * `TaskArgumentsError`) naming the node, never a crash, and what the owner runs and logs is a
 * fresh copy of only the checked fields.
 *
 * @module
 */
import { decode, encode, type Encoded, InvalidWorkflowError, TaskArgumentsError } from "../common/mod.ts";
import { checkArity } from "../task/mod.ts";
import { checkMaxIterations } from "./builders.ts";
import type { GraphNode, TaskLookup, TaskNode, WorkflowGraph } from "./graph.ts";

/** Node ids as `compile` numbers them. */
const NODE_ID = /^n(?:0|[1-9][0-9]{0,8})$/;

/**
 * How deep nodes may nest: far past any real workflow, and within what the executor's recursion
 * (and `compile`'s, on the client) handles on every runtime.
 */
export const MAX_GRAPH_DEPTH = 2_000;

/** Where a node sits: whether a previous result flows into it, and the siblings it waits for. */
interface Place {
  readonly hasInput: boolean;
  readonly deps: readonly string[];
  /** How many nodes it is under. */
  readonly depth: number;
}

/**
 * `value` as a {@linkcode WorkflowGraph}, checked as described above, against the tasks `lookup`
 * knows.
 *
 * @throws {InvalidWorkflowError} when it is not a well-formed graph
 * @throws {UnknownTaskError} when it calls a task no one registers
 * @throws {TaskArgumentsError} when a call passes fewer arguments than its task takes
 */
export function checkGraph(value: unknown, lookup: TaskLookup): WorkflowGraph {
  if (!isRecord(value)) throw invalid(`the graph is ${kindOf(value)}, expected { root, nodes }`);
  const nodes = value.nodes;
  if (!isRecord(nodes)) throw invalid(`graph.nodes is ${kindOf(nodes)}, expected an object of nodes by id`);
  const root = ref(nodes, value.root, "graph.root");
  const checked: Record<string, GraphNode> = {};
  const stack: Array<[string, Place]> = [[root, { hasInput: false, deps: [], depth: 0 }]];
  while (stack.length > 0) {
    const [id, place] = stack.pop()!;
    if (Object.hasOwn(checked, id)) {
      throw invalid(`graph node "${id}" is reached twice (a workflow is a tree: no node shared, no cycle)`);
    }
    if (place.depth > MAX_GRAPH_DEPTH) throw invalid(`graph node "${id}" is nested over ${MAX_GRAPH_DEPTH} deep`);
    const children: Array<[string, Place]> = [];
    checked[id] = checkNode(nodes, id, place, id === root, lookup, children);
    // Reversed, so that nodes are checked in order and the first error is the first in the workflow.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  for (const id of Object.keys(nodes)) {
    if (!Object.hasOwn(checked, id)) throw invalid(`graph node "${id}" is not reached from the root`);
  }
  return { root, nodes: checked };
}

/** Checks node `id` where it sits, pushes its children with their places, and returns its copy. */
function checkNode(
  nodes: Record<string, unknown>,
  id: string,
  place: Place,
  isRoot: boolean,
  lookup: TaskLookup,
  children: Array<[string, Place]>,
): GraphNode {
  const path = `graph.nodes.${id}`;
  const node = nodes[id];
  if (!isRecord(node)) throw invalid(`${path} is ${kindOf(node)}, expected a node`);
  // `id`, `deps` and `receivesInput` follow from where a node sits: a sender may leave them out
  // (a client does: see `wireGraph`), and what it sends must agree with them.
  if (node.id !== undefined && node.id !== id) {
    throw invalid(`${path}.id is ${kindOf(node.id)}, expected "${id}" (its key)`);
  }
  if (node.deps !== undefined && !sameIds(node.deps, place.deps)) {
    throw invalid(`${path}.deps must be [${place.deps.join(", ")}], the siblings whose results flow into it`);
  }
  const deps = place.deps;
  const child = (value: unknown, field: string, where: Omit<Place, "depth">): string => {
    const childId = ref(nodes, value, `${path}.${field}`);
    children.push([childId, { ...where, depth: place.depth + 1 }]);
    return childId;
  };
  const list = (value: unknown, field: string, nonEmpty = false): string[] => {
    if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
      throw invalid(`${path}.${field} is ${kindOf(value)}, expected a ${nonEmpty ? "non-empty " : ""}list of node ids`);
    }
    return value.map((item, i) => ref(nodes, item, `${path}.${field}[${i}]`));
  };
  const parallel = (ids: string[], field: string) =>
    ids.forEach((member, i) => child(member, `${field}[${i}]`, { hasInput: place.hasInput, deps: [] }));
  switch (node.kind) {
    case "task":
      return checkTask(node, id, place, isRoot ? "" : path, lookup);
    case "chain": {
      const steps = list(node.steps, "steps", true);
      steps.forEach((step, i) =>
        child(step, `steps[${i}]`, { hasInput: i === 0 ? place.hasInput : true, deps: i === 0 ? [] : [steps[i - 1]] })
      );
      return { id, kind: "chain", steps, deps };
    }
    case "group": {
      const members = list(node.members, "members");
      parallel(members, "members");
      return { id, kind: "group", members, deps };
    }
    case "chord": {
      const header = list(node.header, "header");
      parallel(header, "header");
      const callback = child(node.callback, "callback", { hasInput: true, deps: header });
      return { id, kind: "chord", header, callback, deps };
    }
    case "branch": {
      const condition = child(node.condition, "condition", { hasInput: place.hasInput, deps: [] });
      const arm = { hasInput: place.hasInput, deps: [condition] };
      const ifTrue = child(node.ifTrue, "ifTrue", arm);
      if (node.ifFalse === undefined) return { id, kind: "branch", condition, ifTrue, deps };
      return { id, kind: "branch", condition, ifTrue, ifFalse: child(node.ifFalse, "ifFalse", arm), deps };
    }
    case "map":
      if (!place.hasInput) throw invalid(`${path}: a map needs a list from a previous step`);
      return { id, kind: "map", body: child(node.body, "body", { hasInput: true, deps: [] }), deps };
    case "loop": {
      if (!place.hasInput) throw invalid(`${path}: a loop needs a starting value from a previous step`);
      checkMaxIterations(node.maxIterations, path);
      const maxIterations = node.maxIterations as number;
      const body = child(node.body, "body", { hasInput: true, deps: [] });
      if (node.until === undefined) return { id, kind: "loop", body, maxIterations, deps };
      const until = child(node.until, "until", { hasInput: true, deps: [body] });
      return { id, kind: "loop", body, until, maxIterations, deps };
    }
    default:
      throw invalid(
        `${path}.kind is ${kindOf(node.kind)}, expected "task", "chain", "group", "chord", "branch", "map" or "loop"`,
      );
  }
}

/**
 * `graph` as it travels: each node without the fields that follow from where it sits (`id`,
 * `deps`, `receivesInput`) and a task's `immutable` when false, which its receiver's
 * {@linkcode checkGraph} puts back. Half the bytes for the owner to parse (a chord of 100 tasks:
 * 13.5 KB as compiled, 6.9 KB so).
 */
export function wireGraph(graph: WorkflowGraph): WorkflowGraph {
  const nodes: Record<string, unknown> = {};
  for (const id in graph.nodes) nodes[id] = wireNode(graph.nodes[id]);
  return { root: graph.root, nodes: nodes as WorkflowGraph["nodes"] };
}

/**
 * One node of {@linkcode wireGraph}, built field by field: removing fields (rest patterns,
 * `delete`) leaves objects that V8 serializes and walks several times slower.
 */
function wireNode(node: GraphNode): Record<string, unknown> {
  if (node.kind === "task") {
    return node.immutable
      ? { kind: "task", task: node.task, args: node.args, immutable: true }
      : { kind: "task", task: node.task, args: node.args };
  }
  const wire: Record<string, unknown> = {};
  for (const key in node) if (key !== "id" && key !== "deps") wire[key] = node[key as keyof GraphNode];
  return wire;
}

/**
 * A standalone task call that comes from elsewhere (a client submits one task as its name and
 * arguments, with no graph around it): the task known, its arguments an encoded list its function
 * accepts, encoded again by this peer's codec (a fresh copy of only what was checked).
 *
 * @throws {TypeError} when `task` is not a task name
 * @throws {UnknownTaskError} when no one registers it
 * @throws {TaskArgumentsError} when `args` is not an encoded list, or too short for the task
 */
export function checkTaskCall(task: unknown, args: unknown, lookup: TaskLookup): { task: string; args: Encoded } {
  if (typeof task !== "string" || task === "") throw new TypeError(`task is ${kindOf(task)}, expected a task name`);
  const definition = lookup(task);
  const list = decodedList(args);
  if (list === undefined) throw new TaskArgumentsError(task, "args must be an encoded list");
  checkArity(definition, list.length, false, "");
  return { task, args: encode(list, "args") };
}

/** A task node, with its arguments decoded (to check them) and encoded again by this peer's codec. */
function checkTask(
  node: Record<string, unknown>,
  id: string,
  place: Place,
  path: string,
  lookup: TaskLookup,
): TaskNode {
  const where = path || `graph.nodes.${id}`;
  if (typeof node.task !== "string" || node.task === "") {
    throw invalid(`${where}.task is ${kindOf(node.task)}, expected a task name`);
  }
  const task = lookup(node.task);
  if (node.immutable !== undefined && typeof node.immutable !== "boolean") {
    throw invalid(`${where}.immutable is ${kindOf(node.immutable)}, expected a boolean or nothing (false)`);
  }
  const immutable = node.immutable === true;
  const receivesInput = place.hasInput && !immutable;
  if (node.receivesInput !== undefined && node.receivesInput !== receivesInput) {
    throw invalid(
      `${where}.receivesInput must be ${receivesInput}: ${place.hasInput ? "a" : "no"} previous result flows there`,
    );
  }
  const args = decodedList(node.args);
  if (args === undefined) {
    // As for a signature submitted on its own, or a step inside a workflow.
    if (path === "") throw new TaskArgumentsError(node.task, "args must be an encoded list");
    throw invalid(`${where}.args is not an encoded list of arguments`);
  }
  checkArity(task, args.length, receivesInput, path);
  return {
    id,
    kind: "task",
    task: node.task,
    args: encode(args, path === "" ? "args" : `${path}.args`),
    immutable,
    receivesInput,
    deps: place.deps,
  };
}

/** The list `args` decodes to, or `undefined` if it is not an encoded list. */
function decodedList(args: unknown): unknown[] | undefined {
  if (!isRecord(args)) return undefined;
  try {
    const list = decode(args as Encoded);
    return Array.isArray(list) ? list : undefined;
  } catch {
    return undefined;
  }
}

/** `value` as the id of a node in `nodes`. */
function ref(nodes: Record<string, unknown>, value: unknown, path: string): string {
  if (typeof value !== "string" || !NODE_ID.test(value)) {
    throw invalid(`${path} is ${kindOf(value)}, expected a node id ("n0", "n1", …)`);
  }
  if (!Object.hasOwn(nodes, value)) throw invalid(`${path} names "${value}", which is not in graph.nodes`);
  return value;
}

function sameIds(value: unknown, expected: readonly string[]): boolean {
  return Array.isArray(value) && value.length === expected.length && value.every((id, i) => id === expected[i]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An untrusted value named in an error message (never its contents: they may be large or hostile). */
function kindOf(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  return Array.isArray(value) ? "a list" : typeof value;
}

function invalid(message: string): InvalidWorkflowError {
  return new InvalidWorkflowError(message);
}
