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
  DataDirError,
  encode,
  IdGenerator,
  InvalidWorkflowError,
  ResultNotFoundError,
  StorageError,
  systemClock,
  TaskArgumentsError,
} from "../common/mod.ts";
import type { ClusterMember } from "../cluster/mod.ts";
import { runtimeName } from "../runtime/mod.ts";
import { noJournal } from "../store/mod.ts";
import {
  createTask,
  isSignature,
  type RunHandle,
  type RunnableStep,
  Scheduler,
  type Task,
  type TaskContext,
  TaskHandle,
  type TaskOptions,
  TaskRegistry,
  type TaskRun,
} from "../task/mod.ts";
import { checkArity, compile, isStep, type WorkflowGraph, WorkflowHandle, WorkflowRun } from "../workflow/mod.ts";
import { LogJournal } from "./log_journal.ts";
import { ClientConnection } from "./client_mode.ts";
import { joinAsWorker } from "./worker_mode.ts";
import { LookupHandle, RecordHandle } from "./record_handle.ts";
import { Recovery } from "./recovery.ts";
import { type ActantAppOptions, describeInput, type JoinClusterOptions, positive, type SubmitOptions } from "./options.ts";
import { type Durability, openStorage, type Storage } from "./storage.ts";

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
  readonly #options: ActantAppOptions;
  readonly #clock: Clock;
  readonly #ids = new IdGenerator();
  readonly #registry = new TaskRegistry();
  readonly #scheduler: Scheduler;
  readonly #actors: ActorSystem;
  readonly #journal: LogJournal | undefined;
  readonly #recovery: Recovery;
  /** Unfinished standalone tasks of a durable app, for `getResult`. */
  readonly #runs = new Map<string, TaskRun>();
  #sweepAt = 4096;
  /** Unfinished workflows, so `close` can cancel them and `getWorkflow` can find them. */
  readonly #workflows = new Map<string, WorkflowRun>();
  readonly #warn: (message: string) => void;
  readonly #client: ClientConnection | undefined;
  #dataDir: string | undefined;
  #started: Promise<void> | undefined;
  #storage: Storage | undefined;
  #member: Promise<ClusterMember> | undefined;
  #closed = false;
  readonly #lost = Promise.withResolvers<DataDirError>();

  constructor(name: string, options: ActantAppOptions = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`new ActantApp() expects a name (a non-empty string), got ${String(name)}`);
    }
    this.name = name;
    this.#options = options;
    this.#client = options.address === undefined ? undefined : new ClientConnection(options.address, options.clock ?? systemClock, options.secret, options.bootstrap);
    this.#dataDir = options.dataDir;
    this.durability = this.#client !== undefined
      ? "memory" // a client keeps no log: the worker it submits to owns the work
      : options.durability ?? (runtimeName() === "browser" ? "memory" : "batched");
    if (!["sync", "batched", "memory"].includes(this.durability)) {
      throw new RangeError(`durability must be "sync", "batched" or "memory", got ${String(options.durability)}`);
    }
    this.#clock = options.clock ?? systemClock;
    this.#warn = options.warn ?? ((message) => console.warn(`actant: ${message}`));
    this.#journal = this.durability === "memory" ? undefined : new LogJournal({
      checkpointInterval: positive("checkpointInterval", options.checkpointInterval ?? 100_000),
      keepResults: positive("keepResults", options.keepResults ?? 10_000),
    });
    const journal = this.#journal ?? noJournal;
    this.#scheduler = new Scheduler({ concurrency: options.concurrency, clock: this.#clock, ids: this.#ids, random: options.random, journal });
    this.#actors = new ActorSystem(this.#clock, this.#ids, journal);
    this.#recovery = new Recovery({
      scheduler: this.#scheduler,
      actors: this.#actors,
      registry: this.#registry,
      journal,
      track: (run) => this.#track(run),
      trackWorkflow: (run) => this.#trackWorkflow(run),
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
      await this.#recovery.resume();
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
    if (failure !== undefined) {
      const named = failure instanceof StorageError || (failure as DataDirError).code === "DATA_DIR_GONE";
      throw named ? failure : new StorageError(`Cannot record new work: ${failure.message}`, { cause: failure });
    }
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
   */
  submit<Out>(step: RunnableStep<Out>, options: SubmitOptions = {}): RunHandle<Out> {
    const id = options.id;
    if (id !== undefined && (typeof id !== "string" || id === "" || this.#runs.has(id) || this.#workflows.has(id))) {
      throw new TypeError(`submit() option id must be a new non-empty string, got ${JSON.stringify(id)}`);
    }
    if (this.#client !== undefined) {
      if (this.#closed) throw new TypeError(`App "${this.name}" is closed`);
      return this.#client.submitStep<Out>(step, id ?? this.#ids.next(isSignature(step) ? "t" : "wf"), this.#registry);
    }
    if (isSignature(step)) {
      const definition = this.#registry.get(step.task);
      // A signature can arrive as plain data (from a client): its args must be a list.
      if (!Array.isArray(step.args)) throw new TaskArgumentsError(step.task, `args must be a list, got ${typeof step.args}`);
      checkArity(definition, step, false, "");
      const args = encode(step.args, "args");
      this.#ensureStarted();
      const run = this.#scheduler.submit(definition, args, { journaled: this.#journal !== undefined, id });
      if (this.#journal !== undefined || id !== undefined) this.#track(run);
      return new TaskHandle<Out>(run, this.#scheduler, this.#clock);
    }
    const graph = this.compile(step);
    this.#ensureStarted();
    const run = new WorkflowRun(id ?? this.#ids.next("wf"), graph, this.#scheduler, (name) => this.#registry.get(name), {
      journal: this.#journal,
    });
    this.#trackWorkflow(run);
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
    }, options, this.durability === "memory" ? undefined : this.#dataDir ?? `./.actant/${this.name}`);
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

  #track(run: TaskRun): void {
    this.#runs.set(run.id, run);
    // Finished runs are swept in bulk, not one promise callback each: this is the hot path.
    if (this.#runs.size >= this.#sweepAt) {
      for (const [id, tracked] of this.#runs) if (tracked.finished) this.#runs.delete(id);
      this.#sweepAt = Math.max(4096, this.#runs.size * 2);
    }
  }

  #trackWorkflow(run: WorkflowRun): void {
    this.#workflows.set(run.id, run);
    const forget = () => void this.#workflows.delete(run.id);
    run.outcome().then(forget, forget);
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
    return new LookupHandle<T>(id, this.#clock, async () => {
      await this.start();
      const run = this.#runs.get(id);
      if (run !== undefined) return { handle: new TaskHandle<T>(run, this.#scheduler, this.#clock) };
      const record = this.#journal?.state.tasks.get(id);
      if (record !== undefined && record.status !== "pending") {
        return { handle: new RecordHandle<T>(id, { kind: "task", ...record, status: record.status }, this.#clock) };
      }
      throw new ResultNotFoundError(id, this.#notFoundReason("task"));
    });
  }

  /** The handle of a workflow submitted earlier, by id, also after a restart (see `getResult`). */
  getWorkflow<T = unknown>(id: string): RunHandle<T> {
    return new LookupHandle<T>(id, this.#clock, async () => {
      await this.start();
      const run = this.#workflows.get(id);
      if (run !== undefined) return { handle: new WorkflowHandle<T>(run, this.#clock) };
      const record = this.#journal?.state.workflows.get(id);
      if (record !== undefined && record.status !== "running") {
        return { handle: new RecordHandle<T>(id, { kind: "workflow", ...record, status: record.status }, this.#clock) };
      }
      throw new ResultNotFoundError(id, this.#notFoundReason("workflow"));
    });
  }

  #notFoundReason(kind: string): string {
    return this.#journal === undefined
      ? `durability "memory" keeps no record of finished ${kind}s; use the handle submit() returned`
      : `this app's log has no such ${kind} (finished ones are kept up to keepResults = ${this.#journal.state.keepResults})`;
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
    for (const run of [...this.#workflows.values()]) run.cancel("the app was closed", { record: !durable });
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
