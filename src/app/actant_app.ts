/**
 * `ActantApp`: the one object a user holds. It registers tasks and actor classes, and submits
 * work to the embedded worker (local mode), recording it in a durable event log unless its
 * durability is `"memory"`.
 *
 * @module
 */
import {
  type ActorClass,
  type ActorDefinition,
  type ActorOptions,
  type ActorRef,
  ActorSystem,
  type CreateActorArgs,
} from "../actor/mod.ts";
import {
  type Clock,
  type DataDirError,
  type Encoded,
  encode,
  IdGenerator,
  InvalidWorkflowError,
  systemClock,
  TaskArgumentsError,
} from "../common/mod.ts";
import type { ClusterMember } from "../cluster/mod.ts";
import { noJournal } from "../store/mod.ts";
import {
  createTask,
  isSignature,
  type RunHandle,
  type RunnableStep,
  Scheduler,
  type Task,
  type TaskContext,
  type TaskDefinition,
  TaskHandle,
  type TaskOptions,
  TaskRegistry,
} from "../task/mod.ts";
import { checkArity, compile, isStep, type WorkflowGraph, WorkflowHandle, WorkflowRun } from "../workflow/mod.ts";
import { APP_BRAND, APP_BRAND_VERSION } from "./brand.ts";
import { LogJournal } from "./log_journal.ts";
import { type ClientConnection, clientConnection } from "./client_mode.ts";
import { joinAsWorker } from "./worker_mode.ts";
import { Recovery } from "./recovery.ts";
import { RunIndex } from "./run_index.ts";
import {
  type ActantAppOptions,
  appDurability,
  appOptions,
  describeInput,
  type JoinClusterOptions,
  joinOptions,
  positive,
  type SubmitOptions,
  submittedId,
} from "./options.ts";
import { type Durability, openStorage, refusalOf, type Storage } from "./storage.ts";

/** A task function: `this` is the {@linkcode TaskContext} when it is declared with `function`. */
// deno-lint-ignore no-explicit-any
type AnyTaskFunction = (this: TaskContext, ...args: any[]) => unknown;

/**
 * An Actant application in local mode: tasks, workflows and actors run on an embedded worker.
 *
 * @example
 * ```ts
 * const app = new ActantApp("my_app");
 * const add = app.task("add", (a: number, b: number) => a + b);
 * console.log(await add.call(2, 3)); // 5
 * await app.close();
 * ```
 */
export class ActantApp {
  /** The app's name; peers of one cluster share it. */
  readonly name: string;
  /** How durable acknowledged work is. */
  readonly durability: Durability;
  /** Recognised by any copy of the library (see `isActantApp`), where `instanceof` would not be. */
  readonly [APP_BRAND]: number = APP_BRAND_VERSION;
  readonly #options: ActantAppOptions;
  readonly #clock: Clock;
  readonly #ids = new IdGenerator();
  readonly #registry = new TaskRegistry();
  readonly #scheduler: Scheduler;
  readonly #actors: ActorSystem;
  readonly #journal: LogJournal | undefined;
  readonly #recovery: Recovery;
  /** The runs this app holds, by id: for `getResult`, `getWorkflow` and idempotent `submit`. */
  readonly #runs: RunIndex;
  readonly #warn: (message: string) => void;
  readonly #client: ClientConnection | undefined;
  #dataDir: string | undefined;
  #started: Promise<void> | undefined;
  /** The log has been read and recovery has started (or there is no log): the ids the app holds are known. */
  #recovered: boolean;
  #storage: Storage | undefined;
  #member: Promise<ClusterMember> | undefined;
  #closed = false;
  readonly #lost = Promise.withResolvers<DataDirError>();

  constructor(name: string, options: ActantAppOptions = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`new ActantApp() expects a name (a non-empty string), got ${String(name)}`);
    }
    this.name = name;
    this.#options = appOptions(options);
    this.#client = clientConnection(options);
    this.#dataDir = options.dataDir;
    this.durability = appDurability(options, this.#client !== undefined);
    this.#clock = options.clock ?? systemClock;
    this.#recovered = this.durability === "memory";
    this.#warn = options.warn ?? ((message) => console.warn(`actant: ${message}`));
    const keepResults = positive("keepResults", options.keepResults ?? 10_000);
    this.#journal = this.durability === "memory" ? undefined : new LogJournal({
      checkpointInterval: positive("checkpointInterval", options.checkpointInterval ?? 100_000),
      keepResults,
    });
    const journal = this.#journal ?? noJournal;
    this.#scheduler = new Scheduler({ concurrency: options.concurrency, clock: this.#clock, ids: this.#ids, random: options.random, journal });
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

  /**
   * Opens the data directory and the log, and brings back unfinished work: tasks re-run,
   * workflows resume, actors return with their state. Called implicitly by the first
   * `submit`, `createActor`, `getActor`, `getResult` or `getWorkflow`; call it yourself to
   * recover eagerly or to see a storage error (a locked or unwritable directory) at once.
   */
  start(): Promise<void> {
    this.#started ??= this.#open();
    return this.#started;
  }

  async #open(): Promise<void> {
    if (this.#client !== undefined) {
      await this.#client.connect();
      return;
    }
    const journal = this.#journal;
    if (journal === undefined) return;
    this.#scheduler.pause();
    try {
      this.#storage = await openStorage({
        durability: this.durability as "sync" | "batched",
        dataDir: this.#dataDir ?? `./.actant/${this.name}`,
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
      const { listen, bootstrap } = this.#options;
      if (listen !== undefined || bootstrap !== undefined) await this.#join({ listen, bootstrap, secret: this.#options.secret });
    } catch (error) {
      journal.fail(error as Error);
      throw error;
    } finally {
      this.#scheduler.resume();
    }
  }

  /** Starts the app in the background for a synchronous call; its failure surfaces through the journal. */
  #ensureStarted(): void {
    if (this.#closed) throw new TypeError(`App "${this.name}" is closed`);
    if (this.#started === undefined) this.start().catch(() => {});
    const failure = this.#journal?.failure;
    if (failure !== undefined) throw refusalOf(failure);
  }

  /**
   * Registers `fn` as task `name` and returns it typed. A function declared with `function`
   * sees its {@linkcode TaskContext} (`signal`, `attempt`, `taskId`) as `this`.
   *
   * @example
   * ```ts
   * const fetchPage = app.task("fetch", async function (url: string) {
   *   return (await fetch(url, { signal: this.signal })).text();
   * }, { retries: 3, timeout: 10_000 });
   * ```
   */
  task<F extends AnyTaskFunction>(name: string, fn: F, options?: TaskOptions): Task<Parameters<F>, Awaited<ReturnType<F>>> {
    const definition = this.#registry.register(name, fn, options);
    this.#recovery.taskRegistered(definition);
    return createTask(definition, (signature) => this.submit(signature));
  }

  /**
   * Submits a signature or a workflow to run; the handle is awaitable and has `get`, `id`,
   * `status` and `cancel`. Bad input (unknown task, too few arguments, an unserializable value,
   * an empty chain, a cycle) throws here, before anything runs; so does a log that can no
   * longer record (`StorageError`).
   *
   * Submitting under an `id` the app already holds (queued, running, or finished and still kept:
   * see `keepResults`; a durable app also after a restart) returns that run's handle, as BullMQ
   * does for a `jobId`: nothing runs twice, and `step` is ignored (it is not even checked). A
   * durable app that has not read its log yet checks `step` as new, then decides once the log is
   * read. In client mode the owner decides, the same way.
   */
  submit<Out>(step: RunnableStep<Out>, options: SubmitOptions = {}): RunHandle<Out> {
    const id = submittedId(options);
    if (this.#client !== undefined) {
      if (this.#closed) throw new TypeError(`App "${this.name}" is closed`);
      return this.#client.submitStep<Out>(step, id ?? this.#ids.next(isSignature(step) ? "t" : "wf"), this.#registry);
    }
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
      if (!Array.isArray(step.args)) throw new TaskArgumentsError(step.task, `args must be a list, got ${typeof step.args}`);
      checkArity(definition, step, false, "");
      const args = encode(step.args, "args");
      if (deferred) return this.#runs.once(id, this.start(), () => this.#startTask<Out>(definition, args, id));
      return this.#startTask<Out>(definition, args, id);
    }
    const graph = this.compile(step);
    if (deferred) return this.#runs.once(id, this.start(), () => this.#startWorkflow<Out>(graph, id));
    return this.#startWorkflow<Out>(graph, id);
  }

  #startTask<Out>(definition: TaskDefinition, args: Encoded, id: string | undefined): RunHandle<Out> {
    this.#ensureStarted();
    const run = this.#scheduler.submit(definition, args, { journaled: this.#journal !== undefined, id });
    if (this.#journal !== undefined || id !== undefined) this.#runs.trackTask(run);
    return new TaskHandle<Out>(run, this.#scheduler, this.#clock);
  }

  #startWorkflow<Out>(graph: WorkflowGraph, id: string | undefined): RunHandle<Out> {
    this.#ensureStarted();
    const run = new WorkflowRun(id ?? this.#ids.next("wf"), graph, this.#scheduler, (name) => this.#registry.get(name), {
      journal: this.#journal,
    });
    this.#runs.trackWorkflow(run, id !== undefined);
    return new WorkflowHandle<Out>(run, this.#clock);
  }

  /**
   * Joins a cluster as a worker (or starts one, without `bootstrap`): listens, announces the
   * tasks and actor classes this app registers, runs attempts other members place here, and
   * from then on places its own work on the least loaded member. A durable app keeps its peer
   * key in its data directory, so it rejoins under the same peer id. `app.close()` leaves.
   */
  async join(options: JoinClusterOptions = {}): Promise<ClusterMember> {
    if (this.#client !== undefined) throw new TypeError(`App "${this.name}" is a client of ${this.#client.address}: it cannot join as a worker`);
    if (this.#member !== undefined) throw new TypeError(`App "${this.name}" has already joined a cluster`);
    joinOptions(options);
    if (options.concurrency !== undefined) this.#scheduler.setConcurrency(positive("concurrency", options.concurrency));
    await this.start();
    return this.#member ?? this.#join(options);
  }

  #join(options: JoinClusterOptions): Promise<ClusterMember> {
    this.#member = joinAsWorker({
      name: this.name,
      scheduler: this.#scheduler,
      registry: this.#registry,
      actors: this.#actors,
      journal: this.#journal ?? noJournal,
      ids: this.#ids,
      submit: (step, submitOptions) => this.submit(step as RunnableStep<unknown>, submitOptions),
    }, options, {
      keyDir: this.durability === "memory" ? undefined : this.#dataDir ?? `./.actant/${this.name}`,
      warn: this.#warn,
    });
    return this.#member;
  }

  /** Settles with `DataDirError` `DATA_DIR_GONE` if the data dir vanishes (checked every 250 ms): the log stopped. */
  dataDirLost(): Promise<DataDirError> {
    return this.#lost.promise;
  }

  /** Sets the data directory before the app starts (the `--data` of `actant worker`). */
  useDataDir(dataDir: string): void {
    if (this.#started !== undefined) throw new TypeError(`useDataDir() must be called before the app starts`);
    this.#dataDir = dataDir;
  }

  /**
   * The handle of a task submitted earlier, by id, also after a restart: an unfinished one
   * (re-run by recovery) or a finished one the log still keeps (see `keepResults`). It is
   * returned at once; awaiting it (or `get()`) gives the result, or `ResultNotFoundError`.
   *
   * @example
   * ```ts
   * const report = await app.getResult<string>(savedId);
   * ```
   */
  getResult<T = unknown>(id: string): RunHandle<T> {
    return this.#runs.lookup<T>("task", id, () => this.start());
  }

  /** The handle of a workflow submitted earlier, by id, also after a restart (see `getResult`). */
  getWorkflow<T = unknown>(id: string): RunHandle<T> {
    return this.#runs.lookup<T>("workflow", id, () => this.start());
  }

  /** Compiles a workflow to its graph (plain data) and checks it against the registered tasks. */
  compile(step: RunnableStep<unknown>): WorkflowGraph {
    if (!isStep(step)) {
      throw new InvalidWorkflowError(`submit() expects a signature (task.s()) or a workflow, got ${describeInput(step)}`);
    }
    return compile(step, (name) => this.#registry.get(name));
  }

  /** Registers `cls` as actor class `name`. */
  actor<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C> {
    const definition = this.#actors.define(name, cls, options);
    this.#recovery.actorRegistered(definition);
    return definition;
  }

  /**
   * Starts an actor and resolves with its typed proxy: each method call returns an awaitable
   * result with `.get()`.
   *
   * @example
   * ```ts
   * const counter = await app.createActor(Counter, { args: [10], name: "main" });
   * await counter.add(5);            // 15
   * ```
   */
  async createActor<C extends ActorClass>(definition: ActorDefinition<C>, ...options: CreateActorArgs<C>): Promise<ActorRef<C>> {
    if (this.#client !== undefined) return this.#client.createActor(definition, options[0] as { args?: unknown[]; name?: string });
    this.#ensureStarted();
    await this.start();
    return this.#actors.create(definition, options[0]);
  }

  /**
   * The live actor of class `definition` named `nameOrId` (also one brought back by recovery),
   * or with that id (`ref.actorId`), or `ActorNotFoundError`.
   */
  async getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    if (this.#client !== undefined) return this.#client.getActor(definition, nameOrId);
    await this.start();
    return this.#actors.get(definition, nameOrId);
  }

  /** Resolves when everything recorded so far is acknowledged by the log. */
  async flush(): Promise<void> {
    await this.#journal?.flush();
  }

  /** Counts of the embedded worker, for status reports. */
  stats(): ReturnType<Scheduler["stats"]> & { actors: number; concurrency: number } {
    return { ...this.#scheduler.stats(), actors: this.#actors.cells().length, concurrency: this.#scheduler.concurrency };
  }

  /**
   * Shuts the embedded worker down and leaves no timer behind. Unfinished workflows and tasks are
   * cancelled here (their handles reject with `CancelledError`, running ones see their signal
   * abort); every actor handles the calls already queued and stops. With a durable log, this is
   * a pause, not an end: the log keeps the unfinished work and the actors (checkpointed), and the
   * next start on the same data directory brings them back. Then the log is closed and its lock
   * released.
   */
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
    await this.#client?.close();
  }

  /** `await using app = new ActantApp(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

