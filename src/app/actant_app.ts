/**
 * `ActantApp`: the one object a user holds. It registers tasks and actor classes and submits
 * work; what it does with them is its engine's, chosen from its options when it is built: local
 * (an embedded worker), worker (`{ listen, bootstrap }`, or `join()`) or client (`{ address }`).
 * Only the local engine is loaded up front: the cluster and libp2p load when an app needs them.
 *
 * @module
 */
import type { ConnectionInfo } from "../net/net_node.ts";
import type { ActorClass, ActorDefinition, ActorOptions, ActorRef, CreateActorArgs } from "../actor/mod.ts";
import type { ClusterMember } from "../cluster/mod.ts";
import type { DataDirError, RefTo } from "../common/mod.ts";
import {
  createTask,
  type RunHandle,
  type RunnableStep,
  type Task,
  type TaskContext,
  type TaskOptions,
} from "../task/mod.ts";
import type { WorkflowGraph } from "../workflow/mod.ts";
import type { ObjectRef, ObjectStats } from "../objects/mod.ts";
import {
  type ActantAppOptions,
  appMode,
  type ClientAppOptions,
  type LightWorkerAppOptions,
  type WorkerAppOptions,
} from "./app_options.ts";
import { APP_BRAND, APP_BRAND_VERSION } from "./brand.ts";
import { ClientEngine } from "./client_engine.ts";
import type { AppEngine, AppStats } from "./engine.ts";
import { LightWorkerEngine } from "./light_worker_engine.ts";
import { LocalEngine } from "./local_engine.ts";
import { type JoinClusterOptions, type SubmitOptions, submittedId } from "./options.ts";
import type { Durability } from "./storage.ts";
import { WorkerEngine } from "./worker_engine.ts";

/** A task function: `this` is the {@linkcode TaskContext} when it is declared with `function`. */
// deno-lint-ignore no-explicit-any
type AnyTaskFunction = (this: TaskContext, ...args: any[]) => unknown;

/**
 * An Actant application: tasks, workflows and actors, run on an embedded worker (local mode),
 * across a cluster it joins (worker mode), or by the worker it is a client of (client mode).
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
  /** How durable acknowledged work is (`"memory"` for a client: its worker keeps the log). */
  readonly durability: Durability;
  /** Recognised by any copy of the library (see `isActantApp`), where `instanceof` would not be. */
  readonly [APP_BRAND]: number = APP_BRAND_VERSION;
  readonly #engine: AppEngine;

  constructor(name: string, options: ActantAppOptions = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`new ActantApp() expects a name (a non-empty string), got ${String(name)}`);
    }
    this.name = name;
    const mode = appMode(options);
    this.#engine = mode === "client"
      ? new ClientEngine(name, options as ClientAppOptions)
      : mode === "light"
      ? new LightWorkerEngine(name, options as LightWorkerAppOptions)
      : mode === "worker"
      ? new WorkerEngine(name, options as WorkerAppOptions)
      : new LocalEngine(name, options as WorkerAppOptions);
    this.durability = this.#engine.durability;
  }

  /**
   * Opens the data directory and the log, and brings back unfinished work: tasks re-run,
   * workflows resume, actors return with their state (a worker then joins its cluster; a client
   * connects to its worker). Called implicitly by the first `submit`, `createActor`, `getActor`,
   * `getResult` or `getWorkflow`; call it yourself to recover eagerly or to see a storage error
   * (a locked or unwritable directory) at once.
   */
  start(): Promise<void> {
    return this.#engine.start();
  }

  /**
   * Registers `fn` as task `name` and returns it typed. A function declared with `function`
   * sees its {@linkcode TaskContext} (`signal`, `attempt`, `taskId`) as `this`.
   *
   * @example
   * ```ts
   * import { ActantApp, type TaskContext } from "@actant/actant";
   *
   * const app = new ActantApp("pages");
   * const fetchPage = app.task("fetch", async function (this: TaskContext, url: string) {
   *   return (await fetch(url, { signal: this.signal })).text();
   * }, { retries: 3, timeout: 10_000 });
   * ```
   */
  task<F extends AnyTaskFunction>(
    name: string,
    fn: F,
    options?: TaskOptions,
  ): Task<Parameters<F>, Awaited<ReturnType<F>>> {
    const definition = this.#engine.registerTask(name, fn, options);
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
    return this.#engine.submit(step, submittedId(options));
  }

  /**
   * Joins a cluster as a worker (or starts one, without `bootstrap`): listens, announces the
   * tasks and actor classes this app registers, runs attempts other members place here, and
   * from then on places its own work on the least loaded member. A durable app keeps its peer
   * key in its data directory, so it rejoins under the same peer id. `app.close()` leaves.
   * The cluster (and libp2p) is loaded here, on first use.
   */
  join(options: JoinClusterOptions = {}): Promise<ClusterMember> {
    return this.#engine.join(options);
  }

  /** Settles with `DataDirError` `DATA_DIR_GONE` if the data dir vanishes (checked every 250 ms): the log stopped. */
  dataDirLost(): Promise<DataDirError> {
    return this.#engine.dataDirLost();
  }

  /** Sets the data directory before the app starts (the `--data` of `actant worker`). */
  useDataDir(dataDir: string): void {
    this.#engine.useDataDir(dataDir);
  }

  /**
   * The handle of a task submitted earlier, by id, also after a restart: an unfinished one
   * (re-run by recovery) or a finished one the log still keeps (see `keepResults`). It is
   * returned at once; awaiting it (or `get()`) gives the result, or `ResultNotFoundError`.
   *
   * @example
   * ```ts
   * import { ActantApp } from "@actant/actant";
   *
   * const app = new ActantApp("reports");
   * const report = app.task("report", (sentiment: number) => `Report: sentiment=${sentiment}`);
   * const savedId = app.submit(report.s(0.8)).id; // kept, e.g. in a database; the log keeps the run
   * // … later, also in another process on the same data directory:
   * console.log(await app.getResult<string>(savedId)); // "Report: sentiment=0.8"
   * ```
   */
  getResult<T = unknown>(id: string): RunHandle<T> {
    return this.#engine.getResult<T>("task", id);
  }

  /** The handle of a workflow submitted earlier, by id, also after a restart (see `getResult`). */
  getWorkflow<T = unknown>(id: string): RunHandle<T> {
    return this.#engine.getResult<T>("workflow", id);
  }

  /** Compiles a workflow to its graph (plain data) and checks it against the registered tasks. */
  compile(step: RunnableStep<unknown>): WorkflowGraph {
    return this.#engine.compile(step);
  }

  /** Registers `cls` as actor class `name`. */
  actor<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C> {
    return this.#engine.registerActor(name, cls, options);
  }

  /**
   * Starts an actor and resolves with its typed proxy: each method call returns an awaitable
   * result with `.get()`.
   *
   * @example
   * ```ts
   * import { ActantApp } from "@actant/actant";
   *
   * const app = new ActantApp("counters", { durability: "memory" });
   * const Counter = app.actor("Counter", class {
   *   constructor(public total: number) {}
   *   add(n: number) {
   *     return (this.total += n);
   *   }
   * });
   * const counter = await app.createActor(Counter, { args: [10], name: "main" });
   * await counter.add(5); // 15
   * ```
   */
  createActor<C extends ActorClass>(
    definition: ActorDefinition<C>,
    ...options: CreateActorArgs<C>
  ): Promise<ActorRef<C>> {
    return this.#engine.createActor(definition, ...options);
  }

  /**
   * The live actor of class `definition` named `nameOrId` (also one brought back by recovery),
   * or with that id (`ref.actorId`), or `ActorNotFoundError`.
   */
  getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    return this.#engine.getActor(definition, nameOrId);
  }

  /**
   * Puts `value` in the app's object store and resolves with a typed ref of it: any value the
   * codec carries (stored encoded, decoded fresh on each `get`), a `Uint8Array` (copied in), or a
   * `ReadableStream<Uint8Array>` (read to its end; one that fails stores nothing and rejects with
   * `ObjectStreamError`). The app owns the object and counts its refs: release each one
   * (`ref.release()`, or `using`) and the object is reclaimed once nothing holds it. Pass a ref
   * as a task's top-level argument and the task gets the value; nested in a value, it stays a ref.
   * Local mode only for now: a client or a cluster member throws a `TypeError`.
   *
   * @example
   * ```ts
   * import { ActantApp } from "@actant/actant";
   *
   * const app = new ActantApp("objects", { durability: "memory" });
   * const sum = app.task("sum", (rows: number[]) => rows.reduce((a, b) => a + b, 0));
   * using rows = await app.put([1, 2, 3]);
   * console.log(await sum.call(rows)); // 6: the task got the value, not the ref
   * console.log(await app.get(rows)); // [1, 2, 3]
   * await app.close();
   * ```
   */
  put(value: ReadableStream<Uint8Array>): Promise<ObjectRef<Uint8Array>>;
  put<T>(value: T): Promise<ObjectRef<T>>;
  put(value: unknown): Promise<ObjectRef> {
    try {
      return this.#engine.objects("put").put(value);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The value `ref` stands for. Bytes come back zero-copy, as a view of the stored bytes: treat
   * them as read-only (a change would reach every other reader). A structured value comes back as
   * a fresh copy. Rejects with `ObjectReleasedError` for a released ref, `ObjectNotFoundError` for
   * an object this app does not hold.
   */
  get<T>(ref: RefTo<T>): Promise<T> {
    try {
      return Promise.resolve(this.#engine.objects("get").valueOf(ref as ObjectRef<T>));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The bytes of a bytes object as a stream of read-only views (64 KiB each). The object stays
   * while the stream is open: read it to its end or cancel it. A bad ref errors the stream.
   */
  getStream(ref: RefTo<Uint8Array>): ReadableStream<Uint8Array> {
    return this.#engine.objects("getStream").streamOf(ref as ObjectRef<Uint8Array>);
  }

  /** Counts of the object store: objects and bytes held, and what holds them (to watch reclamation). */
  objectStats(): ObjectStats {
    return this.#engine.objects("objectStats").stats();
  }

  /** Resolves when everything recorded so far is acknowledged by the log. */
  flush(): Promise<void> {
    return this.#engine.flush();
  }

  /** Counts of the embedded worker, for status reports. */
  stats(): AppStats {
    return this.#engine.stats();
  }

  /**
   * The open connections of the app's node (a member's, a client's): to which peer, over which
   * transport (`"websocket"`, `"webrtc"`, or `"relayed"` for signalling through a relay). Empty
   * for a local app, or before the node is up.
   */
  connections(): Promise<ConnectionInfo[]> {
    return this.#engine.connections();
  }

  /**
   * Shuts the embedded worker down and leaves no timer behind. Unfinished workflows and tasks are
   * cancelled here (their handles reject with `CancelledError`, running ones see their signal
   * abort); every actor handles the calls already queued and stops. With a durable log, this is
   * a pause, not an end: the log keeps the unfinished work and the actors (checkpointed), and the
   * next start on the same data directory brings them back. Then the log is closed and its lock
   * released. A member leaves its cluster first; a client closes its connection.
   */
  close(): Promise<void> {
    return this.#engine.close();
  }

  /** `await using app = new ActantApp(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Whether `value` is an `ActantApp` of any copy of the library (brand version 1). */
export function isActantApp(value: unknown): value is ActantApp {
  return typeof value === "object" && value !== null &&
    (value as { [APP_BRAND]?: unknown })[APP_BRAND] === APP_BRAND_VERSION;
}
