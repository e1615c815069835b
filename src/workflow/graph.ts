/**
 * Compiling a workflow: the tree of steps becomes a graph of numbered nodes (plain data, with
 * encoded arguments and data dependencies), checked against the task registry before anything
 * runs. This graph is what the executor runs and what a durable log stores.
 *
 * @module
 */
import { encode, type Encoded, InvalidWorkflowError } from "../common/mod.ts";
import { type AnyStep, checkArity, type TaskDescriptor, type TaskSignature } from "../task/mod.ts";
import {
  type Branch,
  type Chain,
  checkMaxIterations,
  type Chord,
  type Group,
  type Loop,
  type MapStep,
} from "./builders.ts";

interface NodeBase {
  /** `n0`, `n1`, … in depth-first order; `n0` is the root. */
  readonly id: string;
  /** Sibling nodes that must finish before this one starts (their results flow into it). */
  readonly deps: readonly string[];
}

/** A task node: one call of `task`. */
export interface TaskNode extends NodeBase {
  readonly kind: "task";
  readonly task: string;
  readonly args: Encoded;
  readonly immutable: boolean;
  /** Whether a previous result is prepended to `args` when it runs. */
  readonly receivesInput: boolean;
}

/** A node of a compiled workflow. */
export type GraphNode =
  | TaskNode
  | (NodeBase & { readonly kind: "chain"; readonly steps: readonly string[] })
  | (NodeBase & { readonly kind: "group"; readonly members: readonly string[] })
  | (NodeBase & { readonly kind: "chord"; readonly header: readonly string[]; readonly callback: string })
  | (NodeBase & {
    readonly kind: "branch";
    readonly condition: string;
    readonly ifTrue: string;
    readonly ifFalse?: string;
  })
  | (NodeBase & { readonly kind: "map"; readonly body: string })
  | (NodeBase & {
    readonly kind: "loop";
    readonly body: string;
    readonly until?: string;
    readonly maxIterations: number;
  });

/** A compiled workflow: plain, serializable data. */
export interface WorkflowGraph {
  readonly root: string;
  readonly nodes: Readonly<Record<string, GraphNode>>;
}

/** Finds a task's descriptor (its definition where its function is here), or throws `UnknownTaskError`. */
export type TaskLookup = (name: string) => TaskDescriptor;

/**
 * Compiles `root` into a {@linkcode WorkflowGraph}, checking task names, argument counts where
 * the function declares them, serializability of every argument, and that no step contains itself.
 */
export function compile(root: AnyStep, lookup: TaskLookup): WorkflowGraph {
  const compiler = new Compiler(lookup);
  const path = typeof root === "object" && root?.kind === "task" ? "" : "workflow";
  const id = compiler.node(root, { hasInput: false, deps: [], path });
  return { root: id, nodes: compiler.nodes };
}

/**
 * Compiles a signature submitted on its own, as `compile` compiles the graph of one task node it
 * would make: its task's name and its encoded arguments, checked alike (what a client sends for it).
 */
export function compileTaskCall(signature: TaskSignature, lookup: TaskLookup): { task: string; args: Encoded } {
  return taskCall(signature, false, "", lookup);
}

/** A task call's name and encoded arguments, checked against its task where the call sits. */
function taskCall(
  signature: TaskSignature,
  receivesInput: boolean,
  path: string,
  lookup: TaskLookup,
): { task: string; args: Encoded } {
  const task = lookup(signature.task);
  if (!Array.isArray(signature.args)) throw new InvalidWorkflowError(`${path}.args is not an array of arguments`);
  checkArity(task, signature.args.length, receivesInput, path);
  return { task: signature.task, args: encode(signature.args, path === "" ? "args" : `${path}.args`) };
}

interface Place {
  hasInput: boolean;
  deps: readonly string[];
  path: string;
}

class Compiler {
  readonly nodes: Record<string, GraphNode> = {};
  readonly #lookup: TaskLookup;
  readonly #ancestors = new Set<AnyStep>();
  #next = 0;

  constructor(lookup: TaskLookup) {
    this.#lookup = lookup;
  }

  node(step: AnyStep, place: Place): string {
    if (typeof step !== "object" || step === null) {
      throw new InvalidWorkflowError(`${place.path} is ${String(step)}, expected a signature or a workflow`);
    }
    if (this.#ancestors.has(step)) {
      throw new InvalidWorkflowError(`${place.path} contains itself (a cycle); a workflow must be a finite tree`);
    }
    this.#ancestors.add(step);
    try {
      const id = `n${this.#next++}`;
      this.nodes[id] = this.#build(id, step, place);
      return id;
    } finally {
      this.#ancestors.delete(step);
    }
  }

  #build(id: string, step: AnyStep, place: Place): GraphNode {
    const { deps, path } = place;
    switch (step.kind) {
      case "task":
        return this.#task(id, step as TaskSignature, place);
      case "chain": {
        const steps: string[] = [];
        const list = (step as Chain<unknown, unknown>).steps;
        if (!Array.isArray(list) || list.length === 0) throw new InvalidWorkflowError(`${path} is an empty chain`);
        list.forEach((child, i) => {
          steps.push(this.node(child, {
            hasInput: i === 0 ? place.hasInput : true,
            deps: i === 0 ? [] : [steps[i - 1]],
            path: `${path}.steps[${i}]`,
          }));
        });
        return { id, kind: "chain", steps, deps };
      }
      case "group": {
        const members = this.#parallel((step as Group<unknown, unknown>).members, place, `${path}.members`);
        return { id, kind: "group", members, deps };
      }
      case "chord": {
        const node = step as Chord<unknown, unknown>;
        const header = this.#parallel(node.header, place, `${path}.header`);
        const callback = this.node(node.callback, { hasInput: true, deps: header, path: `${path}.callback` });
        return { id, kind: "chord", header, callback, deps };
      }
      case "branch": {
        const node = step as Branch<unknown, unknown>;
        const condition = this.node(node.condition, { ...place, deps: [], path: `${path}.condition` });
        const arm = { hasInput: place.hasInput, deps: [condition] };
        const ifTrue = this.node(node.ifTrue, { ...arm, path: `${path}.ifTrue` });
        if (node.ifFalse === undefined) return { id, kind: "branch", condition, ifTrue, deps };
        const ifFalse = this.node(node.ifFalse, { ...arm, path: `${path}.ifFalse` });
        return { id, kind: "branch", condition, ifTrue, ifFalse, deps };
      }
      case "map": {
        if (!place.hasInput) {
          throw new InvalidWorkflowError(
            `${path}: map() needs a list from a previous step; put it after one in a chain`,
          );
        }
        const body = this.node((step as MapStep<unknown, unknown>).body, {
          hasInput: true,
          deps: [],
          path: `${path}.body`,
        });
        return { id, kind: "map", body, deps };
      }
      case "loop": {
        if (!place.hasInput) {
          throw new InvalidWorkflowError(
            `${path}: loop() needs a starting value from a previous step; put it after one in a chain`,
          );
        }
        const node = step as Loop<unknown, unknown>;
        // Checked here too: a workflow can arrive as plain data (from a client), not only from loop().
        checkMaxIterations(node.maxIterations, path);
        const body = this.node(node.body, { hasInput: true, deps: [], path: `${path}.body` });
        if (node.until === undefined) return { id, kind: "loop", body, maxIterations: node.maxIterations, deps };
        const until = this.node(node.until, { hasInput: true, deps: [body], path: `${path}.until` });
        return { id, kind: "loop", body, until, maxIterations: node.maxIterations, deps };
      }
      default:
        throw new InvalidWorkflowError(
          `${path} has kind "${String(step.kind)}", expected task, chain, group, chord, branch, map or loop`,
        );
    }
  }

  #parallel(members: readonly AnyStep[], place: Place, path: string): string[] {
    if (!Array.isArray(members)) throw new InvalidWorkflowError(`${path} is not a list of steps`);
    return members.map((member, i) => this.node(member, { hasInput: place.hasInput, deps: [], path: `${path}[${i}]` }));
  }

  #task(id: string, signature: TaskSignature, place: Place): TaskNode {
    const receivesInput = place.hasInput && !signature.immutable;
    const { task, args } = taskCall(signature, receivesInput, place.path, this.#lookup);
    return { id, kind: "task", task, args, immutable: signature.immutable, receivesInput, deps: place.deps };
  }
}
