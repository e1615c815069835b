/**
 * Running a compiled workflow on the local scheduler. Parallel members run at once; the first
 * failure fails the whole workflow with a `WorkflowError` and cancels everything still running,
 * so a chord's callback never runs after a header member failed and nothing is left waiting.
 *
 * @module
 */
import {
  CancelledError,
  decodeFor,
  encode,
  type Encoded,
  encodeList,
  errorData,
  LoopLimitError,
  prepend,
  TaskError,
  WorkflowError,
} from "../common/mod.ts";
import { noJournal } from "../store/mod.ts";
import type { RunStatus, Scheduler, TaskRun } from "../task/mod.ts";
import type { WorkflowEvent, WorkflowJournal } from "./events.ts";
import type { GraphNode, TaskLookup, TaskNode, WorkflowGraph } from "./graph.ts";

const EMPTY_LIST: Encoded = { t: "a", v: [] };

/** Options of a {@linkcode WorkflowRun}. */
export interface WorkflowRunOptions {
  /** Where the workflow records its start, each finished task node and its end. */
  journal?: WorkflowJournal;
  /**
   * Results of task nodes that finished before a restart, by node instance (`n3`, `n5[2]`,
   * `n7#4`): those nodes are not run again, and the workflow resumes at its first unfinished node.
   */
  recovered?: ReadonlyMap<string, Encoded>;
}

/** One running (or finished) workflow. */
export class WorkflowRun {
  readonly id: string;
  readonly graph: WorkflowGraph;
  status: RunStatus = "running";
  result: Encoded | undefined;
  error: Error | undefined;
  readonly #scheduler: Scheduler;
  readonly #lookup: TaskLookup;
  readonly #active = new Set<TaskRun>();
  readonly #done: Promise<Encoded>;
  readonly #journal: WorkflowJournal;
  readonly #recovered: ReadonlyMap<string, Encoded> | undefined;
  /** Task nodes whose result nothing else in the workflow reads. */
  readonly #final: ReadonlySet<string>;

  constructor(
    id: string,
    graph: WorkflowGraph,
    scheduler: Scheduler,
    lookup: TaskLookup,
    options: WorkflowRunOptions = {},
  ) {
    this.id = id;
    this.graph = graph;
    this.#scheduler = scheduler;
    this.#lookup = lookup;
    this.#journal = options.journal ?? noJournal;
    this.#recovered = options.recovered;
    this.#final = finalTaskNodes(graph, graph.root, new Set());
    if (this.#recovered === undefined) this.#journal.record({ type: "workflow.started", id, graph });
    this.#done = this.#node(graph.root, undefined, "").then(
      (result) => this.#finish(result),
      (error) => this.#fail(error),
    );
    // A failure is reported through outcome(); the internal promise must not count as unhandled.
    this.#done.catch(() => {});
  }

  /** Resolves with the encoded result, or rejects with `WorkflowError` / `CancelledError`. */
  outcome(): Promise<Encoded> {
    return this.#done;
  }

  get finished(): boolean {
    return this.status !== "running";
  }

  /** Cancels every running member; `get()` then rejects with `CancelledError`. */
  cancel(reason = "it was cancelled", options?: { record?: boolean }): boolean {
    if (this.finished) return false;
    this.#stop("cancelled", new CancelledError(this.id, reason), options?.record ?? true);
    return true;
  }

  #finish(result: Encoded): Encoded | Promise<Encoded> {
    if (this.finished) throw this.error;
    this.status = "succeeded";
    this.result = result;
    const ack = this.#record({ type: "workflow.succeeded", id: this.id, result });
    return ack === undefined ? result : ack.then(() => result);
  }

  #fail(error: unknown): never {
    if (!this.finished) {
      this.#stop("failed", error instanceof Error ? error : new Error(String(error)));
    }
    throw this.error;
  }

  #stop(status: "failed" | "cancelled", error: Error, record = true): void {
    this.status = status;
    this.error = error;
    if (record) {
      this.#record(
        status === "failed"
          ? { type: "workflow.failed", id: this.id, error: errorData(error) }
          : { type: "workflow.cancelled", id: this.id },
      );
    }
    for (const run of this.#active) this.#scheduler.cancel(run, `workflow ${this.id} ${status}`);
    this.#active.clear();
  }

  #record(event: WorkflowEvent): Promise<void> | undefined {
    return this.#journal.record(event);
  }

  /** Runs node `id` (instance suffix `scope` inside map and loop rounds) on `input`. */
  #node(id: string, input: Encoded | undefined, scope: string): Promise<Encoded> {
    if (this.finished) return Promise.reject(this.error);
    const node = this.graph.nodes[id];
    switch (node.kind) {
      case "task":
        return this.#task(node, input, scope);
      case "chain":
        return this.#chain(node.steps, input, scope);
      case "group":
        return this.#all(node.members.map((member) => this.#node(member, input, scope)));
      case "chord":
        return this.#all(node.header.map((member) => this.#node(member, input, scope)))
          .then((list) => this.#node(node.callback, list, scope));
      case "branch":
        return this.#branch(node, input, scope);
      case "map":
        return this.#map(node, input, scope);
      case "loop":
        return this.#loop(node, input, scope);
    }
  }

  async #task(node: TaskNode, input: Encoded | undefined, scope: string): Promise<Encoded> {
    const instance = node.id + scope;
    const done = this.#recovered?.get(instance);
    if (done !== undefined) return done;
    const args = node.receivesInput && input !== undefined ? prepend(input, node.args) : node.args;
    const run = this.#scheduler.submit(this.#lookup(node.task), args);
    this.#active.add(run);
    try {
      const result = await run.outcome();
      // The node's result is durable before anything that depends on it starts. A node whose
      // result is (part of) the workflow's own need not wait: the workflow.succeeded record comes
      // after it in the log, and the handle waits for that one.
      const ack = this.#record({ type: "workflow.node", id: this.id, node: instance, result });
      if (ack !== undefined) {
        if (this.#final.has(node.id)) ack.catch(() => {});
        else await ack;
      }
      return result;
    } catch (error) {
      if (this.finished) throw this.error;
      const cause = error instanceof TaskError ? error.cause : error;
      throw new WorkflowError(this.id, { node: instance, task: node.task, attempts: run.attempts }, cause);
    } finally {
      this.#active.delete(run);
    }
  }

  async #chain(steps: readonly string[], input: Encoded | undefined, scope: string): Promise<Encoded> {
    let value = input;
    for (const step of steps) value = await this.#node(step, value, scope);
    return value!;
  }

  /** Like `Promise.all`, and the first rejection stops the workflow at once. */
  #all(members: Promise<Encoded>[]): Promise<Encoded> {
    if (members.length === 0) return Promise.resolve(EMPTY_LIST);
    return Promise.all(members.map((member) => member.catch((error) => this.#fail(error)))).then(encodeList);
  }

  async #branch(node: GraphNode & { kind: "branch" }, input: Encoded | undefined, scope: string): Promise<Encoded> {
    const verdict = decodeFor(await this.#node(node.condition, input, scope), (value) => value);
    if (typeof verdict !== "boolean") {
      throw this.#structural(
        node,
        new TypeError(`branch condition returned ${typeof verdict}, expected a boolean`),
        scope,
      );
    }
    if (verdict) return this.#node(node.ifTrue, input, scope);
    if (node.ifFalse !== undefined) return this.#node(node.ifFalse, input, scope);
    return input ?? encode(undefined);
  }

  async #map(node: GraphNode & { kind: "map" }, input: Encoded | undefined, scope: string): Promise<Encoded> {
    // Each element is encoded again for its run (which holds what it carries): the decoded copy is let go.
    const members = input === undefined
      ? undefined
      : decodeFor(input, (list) =>
        Array.isArray(list)
          ? list.map((item, i) =>
            this.#node(node.body, encode(item, `element ${i}`), `${scope}[${i}]`)
          )
          : describeValue(list));
    if (!Array.isArray(members)) {
      throw this.#structural(node, new TypeError(`map() received ${members ?? "undefined"}, expected a list`), scope);
    }
    return this.#all(members);
  }

  async #loop(node: GraphNode & { kind: "loop" }, input: Encoded | undefined, scope: string): Promise<Encoded> {
    let value = input;
    for (let round = 0; round < node.maxIterations; round++) {
      value = await this.#node(node.body, value, `${scope}#${round}`);
      if (node.until === undefined) continue;
      const verdict = decodeFor(await this.#node(node.until, value, `${scope}#${round}`), (value) => value);
      if (typeof verdict !== "boolean") {
        throw this.#structural(node, new TypeError(`loop until returned ${typeof verdict}, expected a boolean`), scope);
      }
      if (verdict) return value;
    }
    if (node.until !== undefined) throw this.#structural(node, new LoopLimitError(node.maxIterations), scope);
    return value!;
  }

  #structural(node: GraphNode, cause: Error, scope: string): WorkflowError {
    return new WorkflowError(this.id, { node: node.id + scope, task: node.kind, attempts: 0 }, cause);
  }
}

/** The task nodes under `id` whose result flows only into the workflow's result. */
function finalTaskNodes(graph: WorkflowGraph, id: string, found: Set<string>): Set<string> {
  const node = graph.nodes[id];
  switch (node.kind) {
    case "task":
      found.add(id);
      break;
    case "chain":
      finalTaskNodes(graph, node.steps[node.steps.length - 1], found);
      break;
    case "group":
      for (const member of node.members) finalTaskNodes(graph, member, found);
      break;
    case "chord":
      finalTaskNodes(graph, node.callback, found);
      break;
    case "branch":
      finalTaskNodes(graph, node.ifTrue, found);
      if (node.ifFalse !== undefined) finalTaskNodes(graph, node.ifFalse, found);
      break;
    case "map":
      finalTaskNodes(graph, node.body, found);
      break;
    case "loop":
      break; // each round's result feeds the next round or the until check
  }
  return found;
}

function describeValue(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value;
}
