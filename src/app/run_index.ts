/**
 * The runs an app holds, by id: unfinished tasks and workflows (live), finished ones the log
 * still keeps (durable apps) or that were submitted under an id of the caller's (memory apps, a
 * bounded number), and recovered ones still waiting for their task to be registered. It answers
 * `getResult`/`getWorkflow`, and makes `submit(step, { id })` idempotent: an id the app already
 * holds gives that run's handle.
 *
 * @module
 */
import { type Clock, ResultNotFoundError } from "../common/mod.ts";
import { type RunHandle, type Scheduler, TaskHandle, TaskRun } from "../task/mod.ts";
import { WorkflowHandle, type WorkflowRun } from "../workflow/mod.ts";
import type { DurableState } from "./durable_state.ts";
import { LookupHandle, RecordHandle } from "./record_handle.ts";

/** Most characters of an id given to `submit` (ids travel in every event and answer of their run). */
export const MAX_RUN_ID_LENGTH = 256;

/** `id` checked as a run id for `submit`: a `TypeError` that says what was expected otherwise. */
export function checkRunId(id: unknown): string {
  if (typeof id !== "string" || id === "" || id.length > MAX_RUN_ID_LENGTH) {
    const got = typeof id === "string"
      ? (id === "" ? "an empty string" : `a string of ${id.length} characters`)
      : describeType(id);
    throw new TypeError(
      `submit() option id must be a non-empty string of at most ${MAX_RUN_ID_LENGTH} characters, got ${got}`,
    );
  }
  return id;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "number" || typeof value === "boolean" ? `${typeof value} ${String(value)}` : typeof value;
}

/** What the index needs from its app. */
export interface RunIndexOptions {
  scheduler: Scheduler;
  clock: Clock;
  /** The state a durable app's log implies; absent in memory mode. */
  state?: DurableState;
  /** Finished runs a memory app keeps by id (`keepResults`). */
  keepFinished: number;
}

/** Every run an app holds, by id. */
export class RunIndex {
  readonly #options: RunIndexOptions;
  /**
   * Memory mode: task runs submitted under a caller's id, unfinished ones and finished ones until
   * the next sweep (a durable app's state holds its runs).
   */
  readonly #tasks = new Map<string, TaskRun>();
  #sweepAt = 4096;
  /** Unfinished workflows, so `close` can cancel them and they can be found by id. */
  readonly #workflows = new Map<string, WorkflowRun>();
  /**
   * Memory mode: finished runs submitted under a caller's id, in two generations: new ones go to
   * the first; when it holds `keepFinished`, it becomes the second and the old second is dropped
   * whole. So the last `keepFinished` are always kept (at most twice that), without deleting one
   * entry per run: a Map churned at both ends rehashes its backing store again and again, which
   * cost a memory-mode owner a third of its throughput.
   */
  #finished = new Map<string, TaskRun | WorkflowRun>();
  #finishedBefore = new Map<string, TaskRun | WorkflowRun>();
  /** Ids a recovered run will take once its task is registered, with those asking for them. */
  readonly #awaited = new Map<string, PromiseWithResolvers<void>>();

  constructor(options: RunIndexOptions) {
    this.#options = options;
  }

  /** Unfinished workflows. */
  workflows(): WorkflowRun[] {
    return [...this.#workflows.values()];
  }

  /**
   * Tracks a task run (durable apps: every one; memory apps: those submitted under a caller's id).
   * A durable app's state holds it, as the entry of its task: one map entry per task, not two.
   */
  trackTask(run: TaskRun): void {
    const state = this.#options.state;
    if (state !== undefined) {
      state.attach(run);
      this.#awaited.get(run.id)?.resolve();
      return;
    }
    this.#tasks.set(run.id, run);
    this.#awaited.get(run.id)?.resolve();
    // Finished runs are swept in bulk, not one promise callback each: this is the hot path.
    if (this.#tasks.size >= this.#sweepAt) {
      for (const [id, tracked] of this.#tasks) {
        if (!tracked.finished) continue;
        this.#tasks.delete(id);
        this.#keep(id, tracked);
      }
      this.#sweepAt = Math.max(4096, this.#tasks.size * 2);
    }
  }

  /** Tracks a workflow until it finishes; a memory app keeps it after that when its id was the caller's. */
  trackWorkflow(run: WorkflowRun, callerId: boolean): void {
    this.#workflows.set(run.id, run);
    this.#awaited.get(run.id)?.resolve();
    const forget = () => {
      this.#workflows.delete(run.id);
      if (callerId && this.#options.state === undefined) this.#keep(run.id, run);
    };
    run.outcome().then(forget, forget);
  }

  #keep(id: string, run: TaskRun | WorkflowRun): void {
    this.#finished.set(id, run);
    if (this.#finished.size >= this.#options.keepFinished) {
      this.#finishedBefore = this.#finished;
      this.#finished = new Map();
    }
  }

  #kept(id: string): TaskRun | WorkflowRun | undefined {
    return this.#finished.get(id) ?? this.#finishedBefore.get(id);
  }

  /**
   * The handle of the run held under `id`, whatever its kind and state (queued, running, retrying,
   * finished), or undefined when the app holds no such id.
   */
  existing<T>(id: string): RunHandle<T> | undefined {
    return this.task<T>(id) ?? this.workflow<T>(id) ?? this.#recovering<T>(id);
  }

  /**
   * The handle of the run `id` names once `ready` resolves (the log is read): the one the app holds
   * then, or a new one from `start`.
   */
  once<T>(id: string, ready: Promise<void>, start: () => RunHandle<T>): RunHandle<T> {
    const found = ready.then(() => ({ handle: this.existing<T>(id) ?? start() }));
    found.catch(() => {});
    return new LookupHandle<T>(id, this.#options.clock, () => found);
  }

  /** The handle of task `id`: live, finished and kept, or undefined. */
  task<T>(id: string): RunHandle<T> | undefined {
    const { scheduler, clock, state } = this.#options;
    if (state === undefined) {
      const run = this.#tasks.get(id) ?? this.#kept(id);
      return run !== undefined && "definition" in run ? new TaskHandle<T>(run, scheduler) : undefined;
    }
    const entry = state.tasks.get(id);
    if (entry === undefined) return undefined;
    // A run held here, or finished and not acknowledged yet: its handle waits for the acknowledgement.
    if (entry instanceof TaskRun) return new TaskHandle<T>(entry, scheduler);
    if (entry.run !== undefined) return new TaskHandle<T>(entry.run, scheduler);
    if (entry.status === "queued") return undefined;
    const { task, status, result, error, attempts } = entry;
    return new RecordHandle<T>(id, { kind: "task", task, status, result, error, attempts }, clock);
  }

  /** The handle of workflow `id`: live, finished and kept, or undefined. */
  workflow<T>(id: string): RunHandle<T> | undefined {
    const { clock, state } = this.#options;
    const run = this.#workflows.get(id) ?? this.#kept(id);
    if (run !== undefined) return "graph" in run ? new WorkflowHandle<T>(run, clock) : undefined;
    const record = state?.workflows.get(id);
    if (record === undefined || record.status === "running") return undefined;
    return new RecordHandle<T>(id, { kind: "workflow", ...record, status: record.status }, clock);
  }

  /** The handle of the task or workflow `id`, or `ResultNotFoundError` saying why there is none. */
  find<T>(kind: "task" | "workflow", id: string): RunHandle<T> {
    const handle = kind === "task" ? this.task<T>(id) : this.workflow<T>(id);
    if (handle !== undefined) return handle;
    const { state, keepFinished } = this.#options;
    throw new ResultNotFoundError(
      id,
      state === undefined
        ? `durability "memory" keeps no record of finished ${kind}s but the last ${keepFinished} ` +
          `submitted under an id of yours`
        : `this app's log has no such ${kind} (finished ones are kept up to keepResults = ${state.keepResults})`,
    );
  }

  /**
   * A handle on `id` returned at once (for `getResult`/`getWorkflow`): it waits for `started`
   * (the log read), then follows the task or workflow, or rejects with `ResultNotFoundError`.
   */
  lookup<T>(kind: "task" | "workflow", id: string, started: () => Promise<void>): RunHandle<T> {
    return new LookupHandle<T>(id, this.#options.clock, async () => {
      await started();
      return { handle: this.find<T>(kind, id) };
    });
  }

  /** A run the log holds unfinished but recovery has not started yet (its task is not registered yet). */
  #recovering<T>(id: string): RunHandle<T> | undefined {
    const { clock, state } = this.#options;
    const kind = state?.task(id)?.status === "queued"
      ? "task"
      : state?.workflows.get(id)?.status === "running"
      ? "workflow"
      : undefined;
    if (kind === undefined) return undefined;
    let started = this.#awaited.get(id);
    if (started === undefined) {
      started = Promise.withResolvers<void>();
      this.#awaited.set(id, started);
    }
    return new LookupHandle<T>(id, clock, async () => {
      await started.promise;
      this.#awaited.delete(id);
      const handle = kind === "task" ? this.task<T>(id) : this.workflow<T>(id);
      if (handle === undefined) throw new ResultNotFoundError(id, "the recovered run is gone");
      return { handle };
    });
  }
}
