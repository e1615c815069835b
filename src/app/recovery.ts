/**
 * Recovery: reading the log back into the state it implies, then bringing back what was
 * unfinished: tasks are re-run (at-least-once), workflows resume at their first unfinished node,
 * actors come back from their last checkpoint plus the calls logged after it. Work whose task or
 * actor class is not registered yet waits until it is.
 *
 * @module
 */
import type { ActorDefinition, ActorSystem } from "../actor/mod.ts";
import { describe, LogCorruptedError } from "../common/mod.ts";
import type { EventLog } from "../store/mod.ts";
import { type Scheduler, type TaskDefinition, type TaskRegistry, TaskRun, unpackArgs } from "../task/mod.ts";
import { type WorkflowJournal, WorkflowRun } from "../workflow/mod.ts";
import type { ActorRecord, DurableState, DurableStateData, LiveTaskRecord, WorkflowRecord } from "./durable_state.ts";
import type { ActantEvent } from "./events.ts";

/** What recovery works with. */
export interface RecoveryOptions {
  scheduler: Scheduler;
  actors: ActorSystem;
  registry: TaskRegistry;
  journal: WorkflowJournal;
  /** Called with each re-submitted task and resumed workflow, so the app can find them by id. */
  track: (run: TaskRun) => void;
  trackWorkflow: (run: WorkflowRun) => void;
  warn?: (message: string) => void;
}

/** Brings an app's unfinished work back after a restart. */
export class Recovery {
  readonly #options: RecoveryOptions;
  #resumed = false;
  /** Recovered work waiting for its task or actor class to be registered. */
  #waitingTasks: Array<[string, LiveTaskRecord]> = [];
  #waitingWorkflows: Array<[string, WorkflowRecord]> = [];
  #waitingActors: Array<[string, ActorRecord]> = [];

  constructor(options: RecoveryOptions) {
    this.#options = options;
  }

  /** Folds the log's last checkpoint and every event after it into `state`. */
  readLog(log: EventLog, state: DurableState): void {
    const checkpoint = log.latestCheckpoint();
    if (checkpoint !== undefined) state.load(checkpoint.state as DurableStateData);
    for (const { seq, event } of log.read(checkpoint?.seq ?? 0)) {
      // The log holds what this schema's producers wrote (they are typed by ActantEvent), each
      // record checked by its checksum; a type this version does not know is refused.
      if (!state.apply(event as ActantEvent)) throw new LogCorruptedError(seq, `unknown event type "${event.type}"`);
    }
  }

  /** Notes what the log left unfinished: tasks, workflows and actors to bring back. */
  collect(state: DurableState): void {
    for (const [id, entry] of state.tasks) {
      // A run held here is this process's already, not the log's to bring back.
      if (!(entry instanceof TaskRun) && entry.status === "queued") this.#waitingTasks.push([id, entry]);
    }
    for (const [id, record] of state.workflows) {
      if (record.status === "running") this.#waitingWorkflows.push([id, record]);
    }
    for (const entry of state.actors) this.#waitingActors.push(entry);
  }

  /** Re-runs unfinished tasks, resumes unfinished workflows and brings actors back. */
  async resume(): Promise<void> {
    this.#resumed = true;
    this.#startTasks();
    await this.#startActors();
  }

  /** A task was registered: recovered work that needs it can start. */
  taskRegistered(_definition: TaskDefinition): void {
    if (this.#resumed) this.#startTasks();
  }

  /** An actor class was registered: recovered actors of it come back. */
  actorRegistered(_definition: ActorDefinition): void {
    if (this.#resumed) this.#startActors().catch(() => {});
  }

  #startTasks(): void {
    const { scheduler, registry, journal } = this.#options;
    this.#waitingTasks = this.#waitingTasks.filter(([id, record]) => {
      if (!registry.has(record.task)) return true;
      this.#options.track(
        scheduler.submit(registry.get(record.task), unpackArgs(record.args), { journaled: true, recoveredId: id }),
      );
      return false;
    });
    this.#waitingWorkflows = this.#waitingWorkflows.filter(([id, record]) => {
      const names = Object.values(record.graph.nodes).flatMap((node) => node.kind === "task" ? [node.task] : []);
      if (!names.every((name) => registry.has(name))) return true;
      const run = new WorkflowRun(id, record.graph, scheduler, (name) => registry.get(name), {
        journal,
        recovered: new Map(Object.entries(record.nodes)),
      });
      this.#options.trackWorkflow(run);
      return false;
    });
  }

  async #startActors(): Promise<void> {
    const { actors } = this.#options;
    const ready = this.#waitingActors.filter(([, record]) => actors.definition(record.actor) !== undefined);
    this.#waitingActors = this.#waitingActors.filter(([, record]) => actors.definition(record.actor) === undefined);
    await Promise.all(ready.map(async ([id, record]) => {
      try {
        await actors.recover(actors.definition(record.actor)!, {
          id,
          name: record.name,
          args: record.args,
          recovery: { checkpoint: record.checkpoint, entries: record.entries },
        });
      } catch (error) {
        (this.#options.warn ?? console.warn)(`actor ${record.actor}(${id}) could not be recovered: ${describe(error)}`);
      }
    }));
  }
}
