/**
 * `ActantApp`: the one object a user holds. It registers tasks and actor classes, and submits
 * work to the embedded worker (local mode).
 *
 * @module
 */
import { type ActorClass, type ActorDefinition, type ActorOptions, type ActorRef, ActorSystem, type CreateActorArgs } from "../actor/mod.ts";
import { type Clock, encode, IdGenerator, InvalidWorkflowError, systemClock } from "../common/mod.ts";
import {
  isSignature,
  type RunHandle,
  type RunnableStep,
  Scheduler,
  type Task,
  type TaskContext,
  createTask,
  type TaskOptions,
  TaskHandle,
  TaskRegistry,
} from "../task/mod.ts";
import { checkArity, compile, isStep, type WorkflowGraph, WorkflowHandle, WorkflowRun } from "../workflow/mod.ts";

/** Options of an {@linkcode ActantApp}. */
export interface ActantAppOptions {
  /** Most task attempts the embedded worker runs at once. Default 1024. */
  concurrency?: number;
  /** The clock for retries, timeouts and deadlines (a `ManualClock` in tests). */
  clock?: Clock;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

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
 * ```
 */
export class ActantApp {
  /** The app's name; peers of one cluster share it. */
  readonly name: string;
  readonly #clock: Clock;
  readonly #ids = new IdGenerator();
  readonly #registry = new TaskRegistry();
  readonly #scheduler: Scheduler;
  readonly #actors: ActorSystem;
  /** Workflows not finished yet, so `close` can cancel them. */
  readonly #workflows = new Set<WorkflowRun>();

  constructor(name: string, options: ActantAppOptions = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`new ActantApp() expects a name (a non-empty string), got ${String(name)}`);
    }
    this.name = name;
    this.#clock = options.clock ?? systemClock;
    this.#scheduler = new Scheduler({
      concurrency: options.concurrency,
      clock: this.#clock,
      ids: this.#ids,
      random: options.random,
    });
    this.#actors = new ActorSystem(this.#clock, this.#ids);
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
    return createTask(definition, (signature) => this.submit(signature));
  }

  /**
   * Submits a signature or a workflow to run; the handle is awaitable and has `get`, `id`,
   * `status` and `cancel`. Bad input (unknown task, too few arguments, an unserializable value,
   * an empty chain, a cycle) throws here, before anything runs.
   */
  submit<Out>(step: RunnableStep<Out>): RunHandle<Out> {
    if (isSignature(step)) {
      const definition = this.#registry.get(step.task);
      checkArity(definition, step, false, "");
      const run = this.#scheduler.submit(definition, encode(step.args, "args"));
      return new TaskHandle<Out>(run, this.#scheduler, this.#clock);
    }
    const graph = this.compile(step);
    const run = new WorkflowRun(this.#ids.next("wf"), graph, this.#scheduler, (name) => this.#registry.get(name));
    this.#workflows.add(run);
    const forget = () => void this.#workflows.delete(run);
    run.outcome().then(forget, forget);
    return new WorkflowHandle<Out>(run, this.#clock);
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
    return this.#actors.define(name, cls, options);
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
  createActor<C extends ActorClass>(definition: ActorDefinition<C>, ...options: CreateActorArgs<C>): Promise<ActorRef<C>> {
    return this.#actors.create(definition, options[0]);
  }

  /** The live actor of class `definition` named `name`, or `ActorNotFoundError`. */
  getActor<C extends ActorClass>(definition: ActorDefinition<C>, name: string): Promise<ActorRef<C>> {
    return this.#actors.get(definition, name);
  }

  /** Counts of the embedded worker, for status reports. */
  stats(): ReturnType<Scheduler["stats"]> & { actors: number } {
    return { ...this.#scheduler.stats(), actors: this.#actors.cells().length };
  }

  /**
   * Shuts the embedded worker down: unfinished workflows and tasks are cancelled (their handles
   * reject with `CancelledError`, running ones see their signal abort), then every actor stops
   * after handling the calls already queued. No timer is left behind.
   */
  async close(): Promise<void> {
    for (const run of [...this.#workflows]) run.cancel("the app was closed");
    this.#scheduler.cancelAll("the app was closed");
    await this.#actors.stopAll();
  }

  /** `await using app = new ActantApp(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function describeInput(value: unknown): string {
  if (Array.isArray(value)) return "an array (wrap a list of steps in group() or chain())";
  return value === null ? "null" : typeof value;
}
