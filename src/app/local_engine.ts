/**
 * Local mode: tasks, workflows and actors run on an embedded worker, recorded in a durable event
 * log unless the durability is `"memory"`. `join()` makes the app a member of a cluster; the
 * cluster (and libp2p) is loaded only then.
 *
 * @module
 */
import type { ConnectionInfo } from "../net/net_node.ts";
import {
  type ActorClass,
  type ActorDefinition,
  type ActorOptions,
  type ActorRef,
  ActorSystem,
  type CreateActorArgs,
} from "../actor/mod.ts";
import type { ClusterMember } from "../cluster/mod.ts";
import {
  type Clock,
  type DataDirError,
  encode,
  type Encoded,
  IdGenerator,
  systemClock,
  TaskArgumentsError,
} from "../common/mod.ts";
import { ObjectStore } from "../objects/mod.ts";
import { noJournal } from "../store/mod.ts";
import {
  checkArity,
  isSignature,
  type RunHandle,
  type RunnableStep,
  Scheduler,
  type TaskDefinition,
  type TaskDescriptor,
  type TaskFunction,
  TaskHandle,
  type TaskOptions,
  TaskRegistry,
} from "../task/mod.ts";
import {
  checkGraph,
  checkTaskCall,
  compile,
  type WorkflowGraph,
  WorkflowHandle,
  WorkflowRun,
} from "../workflow/mod.ts";
import type { LocalAppOptions, WorkerAppOptions } from "./app_options.ts";
import type { AppEngine, AppStats } from "./engine.ts";
import { LogJournal } from "./log_journal.ts";
import { objectRunValues, objectsLocalOnly } from "./object_values.ts";
import { appDurability, checkStep, type JoinClusterOptions, joinOptions, positive, submittedId } from "./options.ts";
import { Recovery } from "./recovery.ts";
import { RunIndex } from "./run_index.ts";
import { type Durability, openStorage, refusalOf, type Storage } from "./storage.ts";

/** The engine of a local app; the worker engine extends it to join a cluster at start. */
export class LocalEngine implements AppEngine {
  readonly durability: Durability;
  protected readonly name: string;
  readonly #options: LocalAppOptions | WorkerAppOptions;
  readonly #clock: Clock;
  readonly #ids = new IdGenerator();
  readonly #registry = new TaskRegistry();
  readonly #scheduler: Scheduler;
  readonly #actors: ActorSystem;
  readonly #objects = new ObjectStore();
  readonly #journal: LogJournal | undefined;
  readonly #recovery: Recovery;
  /** The runs this app holds, by id: for `getResult`, `getWorkflow` and idempotent `submit`. */
  readonly #runs: RunIndex;
  readonly #warn: (message: string) => void;
  #dataDir: string | undefined;
  #started: Promise<void> | undefined;
  /** The log has been read and recovery has started (or there is no log): the ids the app holds are known. */
  #recovered: boolean;
  #storage: Storage | undefined;
  #member: Promise<ClusterMember> | undefined;
  #closed = false;
  readonly #lost = Promise.withResolvers<DataDirError>();

  constructor(name: string, options: LocalAppOptions | WorkerAppOptions) {
    this.name = name;
    this.#options = options;
    this.#dataDir = options.dataDir;
    this.durability = appDurability(options);
    this.#clock = options.clock ?? systemClock;
    this.#recovered = this.durability === "memory";
    this.#warn = options.warn ?? ((message) => console.warn(`actant: ${message}`));
    const keepResults = positive("keepResults", options.keepResults ?? 10_000);
    this.#journal = this.durability === "memory" ? undefined : new LogJournal({
      checkpointInterval: positive("checkpointInterval", options.checkpointInterval ?? 100_000),
      keepResults,
      ownIds: this.#ids,
    });
    const journal = this.#journal ?? noJournal;
    const { concurrency, random } = options;
    const values = objectRunValues(this.#objects);
    this.#scheduler = new Scheduler({ concurrency, clock: this.#clock, ids: this.#ids, random, journal, values });
    const state = this.#journal?.state;
    this.#runs = new RunIndex({ scheduler: this.#scheduler, clock: this.#clock, state, keepFinished: keepResults });
    this.#actors = new ActorSystem(this.#clock, this.#ids, journal);
    this.#recovery = new Recovery({
      scheduler: this.#scheduler,
      actors: this.#actors,
      registry: this.#registry,
      journal,
      track: (run) => this.#runs.trackTask(run),
      trackWorkflow: (run) => this.#runs.trackWorkflow(run, true),
      warn: this.#warn,
    });
  }

  start(): Promise<void> {
    this.#started ??= this.open();
    return this.#started;
  }

  /** Opens the data directory and the log, and brings back unfinished work. */
  protected async open(): Promise<void> {
    const journal = this.#journal;
    if (journal === undefined) return await this.afterRecovery();
    this.#scheduler.pause();
    try {
      this.#storage = await openStorage({
        durability: this.durability as "sync" | "batched",
        dataDir: this.#dataDirPath(),
        backend: this.#options.backend,
        warn: this.#warn,
        clock: this.#options.clock,
      });
      this.#storage.lost.then(this.#lost.resolve);
      this.#recovery.readLog(this.#storage.log, journal.state);
      // What the log left unfinished, taken before work submitted meanwhile joins the state.
      this.#recovery.collect(journal.state);
      journal.attach(this.#storage.log);
      const resumed = this.#recovery.resume();
      this.#recovered = true;
      await resumed;
      await this.afterRecovery();
    } catch (error) {
      journal.fail(error as Error);
      throw error;
    } finally {
      this.#scheduler.resume();
    }
  }

  /** What a started app does once its log is read, while the scheduler is still paused (nothing here). */
  protected afterRecovery(): Promise<void> {
    return Promise.resolve();
  }

  #dataDirPath(): string {
    return this.#dataDir ?? `./.actant/${this.name}`;
  }

  /** Starts the app in the background for a synchronous call; its failure surfaces through the journal. */
  #ensureStarted(): void {
    if (this.#closed) throw new TypeError(`App "${this.name}" is closed`);
    if (this.#started === undefined) this.start().catch(() => {});
    const failure = this.#journal?.failure;
    if (failure !== undefined) throw refusalOf(failure);
  }

  registerTask(name: string, fn: TaskFunction, options?: TaskOptions): TaskDefinition {
    const definition = this.#registry.register(name, fn, options);
    this.#recovery.taskRegistered(definition);
    return definition;
  }

  registerActor<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C> {
    const definition = this.#actors.define(name, cls, options);
    this.#recovery.actorRegistered(definition);
    return definition;
  }

  submit<Out>(step: RunnableStep<Out>, id: string | undefined): RunHandle<Out> {
    if (id !== undefined && this.#recovered) {
      const existing = this.#runs.existing<Out>(id);
      if (existing !== undefined) return existing;
    }
    // The log may hold this id: check the step as new now, decide which run it is once the log is read.
    const deferred = id !== undefined && !this.#recovered;
    if (deferred) this.#ensureStarted();
    if (isSignature(step)) {
      const definition = this.#registry.get(step.task);
      // A signature can arrive as plain data (from a client): its args must be a list.
      if (!Array.isArray(step.args)) {
        throw new TaskArgumentsError(step.task, `args must be a list, got ${typeof step.args}`);
      }
      checkArity(definition, step.args.length, false, "");
      const args = encode(step.args, "args");
      if (deferred) return this.#runs.once(id, this.start(), () => this.#startTask<Out>(definition, args, id));
      return this.#startTask<Out>(definition, args, id);
    }
    const graph = this.compile(step);
    if (deferred) return this.#runs.once(id, this.start(), () => this.#startWorkflow<Out>(graph, id));
    return this.#startWorkflow<Out>(graph, id);
  }

  /**
   * Submits a workflow compiled elsewhere (a client's graph, untrusted) under `id`: checked, never
   * compiled again, before anything runs. A graph of one task node is that task, run on its own.
   */
  submitGraph<Out>(graph: unknown, id: string | undefined): RunHandle<Out> {
    return this.#submitChecked(id, () => {
      const checked = checkGraph(graph, (name) => this.#registry.get(name));
      const root = checked.nodes[checked.root];
      return root.kind === "task"
        ? () => this.#startTask<Out>(this.#registry.get(root.task), root.args, id)
        : () => this.#startWorkflow<Out>(checked, id);
    });
  }

  /** Submits one task named by another peer, with its encoded arguments (untrusted: checked first). */
  submitTask<Out>(task: unknown, args: unknown, id: string | undefined): RunHandle<Out> {
    return this.#submitChecked(id, () => {
      const checked = checkTaskCall(task, args, (name) => this.#registry.get(name));
      return () => this.#startTask<Out>(this.#registry.get(checked.task), checked.args, id);
    });
  }

  /**
   * An id the app holds gives that run (before any check: a client re-attaching gets the run it
   * submitted); otherwise `check` runs, and the start it returns runs once recovery has.
   */
  #submitChecked<Out>(id: string | undefined, check: () => () => RunHandle<Out>): RunHandle<Out> {
    if (id !== undefined && this.#recovered) {
      const existing = this.#runs.existing<Out>(id);
      if (existing !== undefined) return existing;
    }
    const deferred = id !== undefined && !this.#recovered;
    if (deferred) this.#ensureStarted();
    const start = check();
    return deferred ? this.#runs.once(id, this.start(), start) : start();
  }

  #startTask<Out>(definition: TaskDescriptor, args: Encoded, id: string | undefined): RunHandle<Out> {
    this.#ensureStarted();
    const run = this.#scheduler.submit(definition, args, { journaled: this.#journal !== undefined, id });
    if (this.#journal !== undefined || id !== undefined) this.#runs.trackTask(run);
    return new TaskHandle<Out>(run, this.#scheduler);
  }

  #startWorkflow<Out>(graph: WorkflowGraph, id: string | undefined): RunHandle<Out> {
    this.#ensureStarted();
    const run = new WorkflowRun(
      id ?? this.#ids.next("wf"),
      graph,
      this.#scheduler,
      (name) => this.#registry.get(name),
      {
        journal: this.#journal,
      },
    );
    this.#runs.trackWorkflow(run, id !== undefined);
    return new WorkflowHandle<Out>(run, this.#clock);
  }

  compile(step: RunnableStep<unknown>): WorkflowGraph {
    checkStep(step);
    return compile(step, (name) => this.#registry.get(name));
  }

  async join(options: JoinClusterOptions): Promise<ClusterMember> {
    if (this.#member !== undefined) throw new TypeError(`App "${this.name}" has already joined a cluster`);
    joinOptions(options);
    if (options.concurrency !== undefined) this.#scheduler.setConcurrency(positive("concurrency", options.concurrency));
    await this.start();
    return this.#member ?? this.joinNow(options);
  }

  /** Joins the cluster (the cluster and libp2p load here, on first use). */
  protected joinNow(options: JoinClusterOptions): Promise<ClusterMember> {
    this.#member = import("./worker_mode.ts").then(({ joinAsWorker }) =>
      joinAsWorker(
        {
          name: this.name,
          scheduler: this.#scheduler,
          registry: this.#registry,
          actors: this.#actors,
          journal: this.#journal ?? noJournal,
          ids: this.#ids,
          clock: this.#clock,
          // A client's id is checked as the app checks its own (`submit(step, { id })`).
          submitGraph: (graph, submitOptions) => this.submitGraph(graph, submittedId(submitOptions)),
          submitTask: (task, args, submitOptions) => this.submitTask(task, args, submittedId(submitOptions)),
        },
        options,
        {
          keyDir: this.durability === "memory" ? undefined : this.#dataDirPath(),
          warn: this.#warn,
        },
      )
    );
    const joining = this.#member;
    // A join that fails (bad options, a port in use) leaves the app as it was: it may join again.
    joining.catch(() => {
      if (this.#member === joining) this.#member = undefined;
    });
    return joining;
  }

  getResult<T>(kind: "task" | "workflow", id: string): RunHandle<T> {
    return this.#runs.lookup<T>(kind, id, () => this.start());
  }

  async createActor<C extends ActorClass>(
    definition: ActorDefinition<C>,
    ...options: CreateActorArgs<C>
  ): Promise<ActorRef<C>> {
    this.#ensureStarted();
    await this.start();
    return this.#actors.create(definition, options[0]);
  }

  async getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    await this.start();
    return this.#actors.get(definition, nameOrId);
  }

  async flush(): Promise<void> {
    await this.#journal?.flush();
  }

  async connections(): Promise<ConnectionInfo[]> {
    const member = await this.#member?.catch(() => undefined);
    return member?.node.connections() ?? [];
  }

  stats(): AppStats {
    return {
      ...this.#scheduler.stats(),
      actors: this.#actors.cells().length,
      concurrency: this.#scheduler.concurrency,
    };
  }

  objects(method: string): ObjectStore {
    if (this.#closed) throw new TypeError(`${method}(): app "${this.name}" is closed`);
    // A member's tasks may run on other peers, which cannot reach this store yet.
    if (this.#member !== undefined || this.joinsAtStart) throw objectsLocalOnly(this.name, "a cluster member");
    return this.#objects;
  }

  /** Whether the app joins a cluster when it starts (a worker). */
  protected get joinsAtStart(): boolean {
    return false;
  }

  useDataDir(dataDir: string): void {
    if (this.#started !== undefined) throw new TypeError(`useDataDir() must be called before the app starts`);
    this.#dataDir = dataDir;
  }

  dataDirLost(): Promise<DataDirError> {
    return this.#lost.promise;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const member = await this.#member?.catch(() => undefined);
    await member?.leave();
    const durable = this.#journal !== undefined;
    for (const run of this.#runs.workflows()) run.cancel("the app was closed", { record: !durable });
    this.#scheduler.cancelAll("the app was closed", { record: !durable });
    await this.#actors.stopAll({ forget: !durable });
    if (this.#started !== undefined) await this.#started.catch(() => {});
    await this.#storage?.close();
    this.#objects.close();
  }
}
