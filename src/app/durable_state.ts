/**
 * The state the event log implies: every task, workflow and actor as its events left it. It is
 * folded from events (live, as they are recorded, and on recovery, from the last checkpoint on),
 * and it is what a checkpoint stores. Applying an event twice changes nothing, so a checkpoint
 * may safely include events it also precedes.
 *
 * @module
 */
import { type ActorCheckpoint, type ActorLogEntry, foldActorEvent } from "../actor/mod.ts";
import type { Encoded } from "../common/mod.ts";
import type { JournalEvent } from "../store/mod.ts";
import type { WorkflowGraph } from "../workflow/mod.ts";

/** An error as the log keeps it. */
export interface ErrorRecord {
  name: string;
  message: string;
  /** Where a workflow failed. */
  node?: string;
  task?: string;
  attempts?: number;
  cause?: { name: string; message: string };
}

/** A standalone task as the log remembers it. */
export interface TaskRecord {
  task: string;
  args: Encoded;
  status: "pending" | "succeeded" | "failed" | "cancelled";
  result?: Encoded;
  error?: ErrorRecord;
  attempts?: number;
}

/** A workflow as the log remembers it: its graph and the results of its finished task nodes. */
export interface WorkflowRecord {
  graph: WorkflowGraph;
  nodes: Record<string, Encoded>;
  status: "running" | "succeeded" | "failed" | "cancelled";
  result?: Encoded;
  error?: ErrorRecord;
}

/** An actor as the log remembers it. */
export interface ActorRecord {
  actor: string;
  name?: string;
  args: Encoded;
  checkpoint?: ActorCheckpoint;
  entries: ActorLogEntry[];
  /** Keys of the last calls its owner relayed (see `ActorHistory.keys`): a call logged twice counts once. */
  keys?: number[];
  stopped?: true;
}

/** The serialized form stored in a checkpoint. */
export interface DurableStateData {
  tasks: Array<[string, TaskRecord]>;
  workflows: Array<[string, WorkflowRecord]>;
  actors: Array<[string, ActorRecord]>;
}

type Fields = Record<string, unknown>;

const NO_ARGS: Encoded = { t: "p", v: null };

/** Everything the log implies, kept up to date event by event. */
export class DurableState {
  readonly tasks = new Map<string, TaskRecord>();
  readonly workflows = new Map<string, WorkflowRecord>();
  readonly actors = new Map<string, ActorRecord>();
  /** Finished tasks and workflows are kept for `getResult` up to this many, oldest dropped first. */
  readonly keepResults: number;
  #finished: string[] = [];
  #finishedHead = 0;

  constructor(keepResults = 10_000) {
    this.keepResults = keepResults;
  }

  /** Folds one event in. Returns false for an event type this version does not know. */
  apply(event: JournalEvent): boolean {
    const e = event as Fields & { type: string; id: string };
    switch (e.type) {
      case "task.submitted":
        if (!this.tasks.has(e.id)) {
          this.tasks.set(e.id, { task: e.task as string, args: e.args as Encoded, status: "pending" });
        }
        return true;
      case "task.succeeded":
      case "task.failed":
      case "task.cancelled":
        this.#finishTask(e);
        return true;
      case "task.dispatched":
        // Which peer ran an attempt: for audits; recovery re-runs unfinished work wherever it is placed.
        return true;
      case "workflow.started":
        if (!this.workflows.has(e.id)) {
          this.workflows.set(e.id, { graph: e.graph as WorkflowGraph, nodes: {}, status: "running" });
        }
        return true;
      case "workflow.node": {
        const workflow = this.workflows.get(e.id);
        if (workflow !== undefined) workflow.nodes[e.node as string] = e.result as Encoded;
        return true;
      }
      case "workflow.succeeded":
      case "workflow.failed":
      case "workflow.cancelled":
        this.#finishWorkflow(e);
        return true;
      default:
        return e.type.startsWith("actor.") ? this.#applyActor(e) : false;
    }
  }

  #finishTask(e: Fields & { type: string; id: string }): void {
    const record = this.tasks.get(e.id);
    if (record === undefined || record.status !== "pending") return;
    record.status = e.type === "task.succeeded" ? "succeeded" : e.type === "task.failed" ? "failed" : "cancelled";
    record.result = e.result as Encoded | undefined;
    record.error = e.error as ErrorRecord | undefined;
    record.attempts = e.attempts as number | undefined;
    record.args = NO_ARGS; // a finished task's arguments are not needed again
    this.#retire(e.id);
  }

  #finishWorkflow(e: Fields & { type: string; id: string }): void {
    const record = this.workflows.get(e.id);
    if (record === undefined || record.status !== "running") return;
    record.status = e.type === "workflow.succeeded"
      ? "succeeded"
      : e.type === "workflow.failed"
      ? "failed"
      : "cancelled";
    record.result = e.result as Encoded | undefined;
    record.error = e.error as ErrorRecord | undefined;
    record.nodes = {};
    this.#retire(e.id);
  }

  #applyActor(e: Fields & { type: string; id: string }): boolean {
    if (e.type === "actor.created") {
      if (!this.actors.has(e.id)) {
        this.actors.set(e.id, {
          actor: e.actor as string,
          name: e.name as string | undefined,
          args: e.args as Encoded,
          entries: [],
        });
      }
      return true;
    }
    if (e.type === "actor.stopped") {
      // A stopped actor is never brought back: forget its history.
      this.actors.delete(e.id);
      return true;
    }
    // An event of an actor the state no longer holds (stopped) is known, and changes nothing.
    return foldActorEvent(this.actors.get(e.id) ?? { entries: [] }, e);
  }

  /** Drops the oldest finished records beyond `keepResults`. */
  #retire(id: string): void {
    this.#finished.push(id);
    while (this.#finished.length - this.#finishedHead > this.keepResults) {
      // Only finished records are ever listed here, and ids never repeat: delete without looking.
      const old = this.#finished[this.#finishedHead++];
      if (!this.tasks.delete(old)) this.workflows.delete(old);
    }
    if (this.#finishedHead > 4096 && this.#finishedHead * 2 > this.#finished.length) {
      this.#finished = this.#finished.slice(this.#finishedHead);
      this.#finishedHead = 0;
    }
  }

  /** A copy of the state as plain data, taken now (later events do not change it). */
  /** How many records the state holds: what a checkpoint of it writes. */
  get size(): number {
    return this.tasks.size + this.workflows.size + this.actors.size;
  }

  snapshot(): DurableStateData {
    return {
      tasks: [...this.tasks].map(([id, record]) => [id, { ...record }]),
      workflows: [...this.workflows].map(([id, record]) => [id, { ...record, nodes: { ...record.nodes } }]),
      actors: [...this.actors].map(([id, record]) => {
        const copy: ActorRecord = { ...record, entries: record.entries.slice() };
        if (record.keys !== undefined) copy.keys = record.keys.slice();
        return [id, copy];
      }),
    };
  }

  /** Loads a checkpoint's state. */
  load(data: DurableStateData): void {
    for (const [id, record] of data.tasks) {
      this.tasks.set(id, record);
      if (record.status !== "pending") this.#retire(id);
    }
    for (const [id, record] of data.workflows) {
      this.workflows.set(id, record);
      if (record.status !== "running") this.#retire(id);
    }
    for (const [id, record] of data.actors) this.actors.set(id, record);
  }
}
