/**
 * The state the event log implies: every task, workflow and actor as its events left it. It is
 * folded from events (live, as they are recorded, and on recovery, from the last checkpoint on),
 * and it is what a checkpoint stores. Applying an event twice changes nothing, so a checkpoint
 * may safely include events it also precedes.
 *
 * @module
 */
import { type ActorCheckpoint, type ActorLogEntry, foldActorEvent } from "../actor/mod.ts";
import type { Encoded, ErrorData, IdGenerator } from "../common/mod.ts";
import { packArgs, type PackedArgs, type TaskEvent, TaskRun, unpackArgs } from "../task/mod.ts";
import type { WorkflowEvent, WorkflowGraph } from "../workflow/mod.ts";
import type { ActantEvent } from "./events.ts";
import { upgradeTaskStatus, upgradeWorkflowError } from "./legacy_records.ts";
import { TaskTable } from "./task_table.ts";

/** A standalone task as the log remembers it (what a checkpoint stores). */
export interface TaskRecord {
  task: string;
  args: Encoded;
  /** `"queued"` until its outcome is logged (after a restart it is queued again). */
  status: "queued" | "succeeded" | "failed" | "cancelled";
  result?: Encoded;
  error?: ErrorData;
  attempts?: number;
}

/**
 * A task record as the state holds it: its arguments packed, since every queued task of a durable
 * app holds one (a million submitted at once hold a million).
 */
export type LiveTaskRecord = Omit<TaskRecord, "args"> & {
  args: PackedArgs;
  /**
   * The run this process held for it when its outcome was logged: until the run is settled (its
   * outcome acknowledged), a handle on the id must wait for that, not answer from the record.
   */
  run?: TaskRun;
};

/**
 * What the state holds for a task: its record, or, while the task is unfinished in the log and
 * this process runs it, the run itself (see {@linkcode DurableState.attach}): a queued task of a
 * burst then costs one map entry, and no record beside its run.
 */
export type TaskEntry = LiveTaskRecord | TaskRun;

/** A workflow as the log remembers it: its graph and the results of its finished task nodes. */
export interface WorkflowRecord {
  graph: WorkflowGraph;
  nodes: Record<string, Encoded>;
  status: "running" | "succeeded" | "failed" | "cancelled";
  result?: Encoded;
  error?: ErrorData;
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

/** What a finished task keeps as its arguments (an empty list): they are not needed again. */
const NO_ARGS: PackedArgs = Object.freeze([]);

/** Everything the log implies, kept up to date event by event. */
export class DurableState {
  /** Tasks by id: a record, or the live run of a task unfinished in the log (read with `task`). */
  readonly tasks: TaskTable;
  readonly workflows = new Map<string, WorkflowRecord>();
  readonly actors = new Map<string, ActorRecord>();
  /** Finished tasks and workflows are kept for `getResult` up to this many, oldest dropped first. */
  readonly keepResults: number;
  /** Runs attached before their `task.submitted` was folded (see `attach`). */
  readonly #unfolded = new Map<string, TaskRun>();
  #finished: string[] = [];
  #finishedHead = 0;

  /**
   * `ownIds` is the generator of this app's task ids: their entries are held in slots by counter
   * (see {@linkcode TaskTable}), where a burst of submissions costs 8 bytes a task, not a `Map`'s ~60.
   */
  constructor(keepResults = 10_000, options?: { ownIds?: IdGenerator }) {
    this.keepResults = keepResults;
    this.tasks = new TaskTable(options?.ownIds?.headOf("t"));
  }

  /** The record of task `id` (made from its run for a task this process holds unfinished). */
  task(id: string): LiveTaskRecord | undefined {
    return recordOf(this.tasks.get(id));
  }

  /**
   * Holds `run` (a run this process submitted or recovered, whose submission is journaled) as the
   * entry of its task, in place of a record of its task and arguments: the run has both. A task
   * whose outcome is already in the state keeps its record. A run that comes before its
   * `task.submitted` is folded (submitted before the app's log was open) waits for it: the state
   * holds only what the log's events imply.
   */
  attach(run: TaskRun): void {
    const entry = this.tasks.get(run.id);
    if (entry === undefined) this.#unfolded.set(run.id, run);
    else if (!(entry instanceof TaskRun) && entry.status === "queued") this.tasks.set(run.id, run);
  }

  /** Folds one event in. Returns false for an event type this version does not know. */
  apply(event: ActantEvent): boolean {
    switch (event.type) {
      case "task.submitted":
        if (!this.tasks.has(event.id)) {
          const run = this.#unfolded.get(event.id);
          if (run !== undefined) this.#unfolded.delete(event.id);
          this.tasks.set(event.id, run ?? { task: event.task, args: packArgs(event.args), status: "queued" });
        }
        return true;
      case "task.succeeded":
      case "task.failed":
      case "task.cancelled":
        this.#finishTask(event);
        return true;
      case "task.dispatched":
        // Which peer ran an attempt: for audits; recovery re-runs unfinished work wherever it is placed.
        return true;
      case "workflow.started":
        if (!this.workflows.has(event.id)) {
          this.workflows.set(event.id, { graph: event.graph, nodes: {}, status: "running" });
        }
        return true;
      case "workflow.node": {
        const workflow = this.workflows.get(event.id);
        if (workflow !== undefined) workflow.nodes[event.node] = event.result;
        return true;
      }
      case "workflow.succeeded":
      case "workflow.failed":
      case "workflow.cancelled":
        this.#finishWorkflow(event);
        return true;
      case "actor.created":
        if (!this.actors.has(event.id)) {
          this.actors.set(event.id, { actor: event.actor, name: event.name, args: event.args, entries: [] });
        }
        return true;
      case "actor.stopped":
        // A stopped actor is never brought back: forget its history.
        this.actors.delete(event.id);
        return true;
      case "actor.call":
      case "actor.restarted":
      case "actor.checkpoint":
        // An event of an actor the state no longer holds (stopped) is known, and changes nothing.
        return foldActorEvent(this.actors.get(event.id) ?? { entries: [] }, event);
      default:
        // Read from a log: a type no producer of this version writes.
        return false;
    }
  }

  #finishTask(event: Exclude<TaskEvent, { type: "task.submitted" | "task.dispatched" }>): void {
    const entry = this.tasks.get(event.id);
    if (entry === undefined) return;
    if (entry instanceof TaskRun) {
      this.tasks.set(event.id, finishedRecord(entry, event));
      return this.#retire(event.id);
    }
    const record = entry;
    if (record.status !== "queued") return;
    switch (event.type) {
      case "task.succeeded":
        record.status = "succeeded";
        record.result = event.result;
        record.attempts = event.attempts;
        break;
      case "task.failed":
        record.status = "failed";
        record.error = event.error;
        record.attempts = event.attempts;
        break;
      case "task.cancelled":
        record.status = "cancelled";
    }
    record.args = NO_ARGS; // a finished task's arguments are not needed again
    this.#retire(event.id);
  }

  #finishWorkflow(event: Exclude<WorkflowEvent, { type: "workflow.started" | "workflow.node" }>): void {
    const record = this.workflows.get(event.id);
    if (record === undefined || record.status !== "running") return;
    switch (event.type) {
      case "workflow.succeeded":
        record.status = "succeeded";
        record.result = event.result;
        break;
      case "workflow.failed":
        record.status = "failed";
        record.error = upgradeWorkflowError(event.id, event.error);
        break;
      case "workflow.cancelled":
        record.status = "cancelled";
    }
    record.nodes = {};
    this.#retire(event.id);
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

  /** How many records the state holds: what a checkpoint of it writes. */
  get size(): number {
    return this.tasks.size + this.workflows.size + this.actors.size;
  }

  /** A copy of the state as plain data, taken now (later events do not change it). */
  snapshot(): DurableStateData {
    return {
      tasks: [...this.tasks].map(([id, entry]) => [id, taskData(recordOf(entry)!)]),
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
      upgradeTaskStatus(record);
      this.tasks.set(id, { ...record, args: packArgs(record.args) });
      if (record.status !== "queued") this.#retire(id);
    }
    for (const [id, record] of data.workflows) {
      if (record.error !== undefined) record.error = upgradeWorkflowError(id, record.error);
      this.workflows.set(id, record);
      if (record.status !== "running") this.#retire(id);
    }
    for (const [id, record] of data.actors) this.actors.set(id, record);
  }
}

/**
 * The record of `run`'s task once `event` has finished it, made whole in one literal: every task
 * of a burst gets one, and one whose fields are added later also gets a second object to hold them.
 */
function finishedRecord(
  run: TaskRun,
  event: Exclude<TaskEvent, { type: "task.submitted" | "task.dispatched" }>,
): LiveTaskRecord {
  const task = run.definition.name;
  switch (event.type) {
    case "task.succeeded":
      return { task, args: NO_ARGS, status: "succeeded", result: event.result, attempts: event.attempts, run };
    case "task.failed":
      return { task, args: NO_ARGS, status: "failed", error: event.error, attempts: event.attempts, run };
    case "task.cancelled":
      return { task, args: NO_ARGS, status: "cancelled", run };
  }
}

/** The record `entry` stands for: a live run is a queued task of its task and arguments. */
function recordOf(entry: TaskEntry | undefined): LiveTaskRecord | undefined {
  if (!(entry instanceof TaskRun)) return entry;
  return { task: entry.definition.name, args: entry.packedArgs, status: "queued" };
}

/** A task's record as a checkpoint stores it (its arguments encoded again, no run). */
function taskData(record: LiveTaskRecord): TaskRecord {
  const { task, status, result, error, attempts } = record;
  const data: TaskRecord = { task, args: unpackArgs(record.args), status };
  if (result !== undefined) data.result = result;
  if (error !== undefined) data.error = error;
  if (attempts !== undefined) data.attempts = attempts;
  return data;
}
