/**
 * The task registry: names to functions and their options.
 *
 * @module
 */
import {
  type BackoffOptions,
  checkOptionKeys,
  DuplicateNameError,
  UnknownTaskError,
  validateBackoff,
} from "../common/mod.ts";

/** What a running task can see: `this` inside a task function declared with `function`. */
export interface TaskContext {
  /** The task's id (also the handle's `id`). */
  readonly taskId: string;
  /** The task's registered name. */
  readonly task: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** Aborts when the task is cancelled, times out, or its workflow fails elsewhere. */
  readonly signal: AbortSignal;
}

/** Options of a task. */
export interface TaskOptions {
  /** Extra attempts after a failure (not after a `NonRetryableError`). Default 0. */
  retries?: number;
  /** Delay between attempts. */
  backoff?: BackoffOptions;
  /** Milliseconds one attempt may run; then its signal aborts and it fails with `TaskTimeoutError`. */
  timeout?: number;
}

/** A registered task function: `this` is its {@linkcode TaskContext}. */
// deno-lint-ignore no-explicit-any
export type TaskFunction = (this: TaskContext, ...args: any[]) => unknown;

/** A task as registered. */
export interface TaskDefinition {
  readonly name: string;
  readonly fn: TaskFunction;
  readonly options: Readonly<TaskOptions>;
}

/** Names to task definitions. */
export class TaskRegistry {
  readonly #tasks = new Map<string, TaskDefinition>();
  #elsewhere: TaskSource | undefined;

  /**
   * Names this process does not register but other peers do (a cluster member's view): `get`
   * returns a definition for them that only those peers can run.
   */
  useElsewhere(source: TaskSource | undefined): void {
    this.#elsewhere = source;
  }

  /** Registers `fn` as `name`; a second registration of one name is a `DuplicateNameError`. */
  register(name: string, fn: TaskFunction, options: TaskOptions = {}): TaskDefinition {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`app.task() expects a name (a non-empty string) first, got ${String(name)}`);
    }
    if (typeof fn !== "function") {
      throw new TypeError(`app.task("${name}") expects a function second, got ${typeof fn}`);
    }
    validateOptions(name, options);
    if (this.#tasks.has(name)) throw new DuplicateNameError("task", name);
    const definition = { name, fn, options: { ...options } };
    this.#tasks.set(name, definition);
    return definition;
  }

  /** The definition of `name`, or an `UnknownTaskError` that lists the known names. */
  get(name: string): TaskDefinition {
    const definition = this.#tasks.get(name) ?? this.#elsewhere?.get(name);
    if (definition === undefined) {
      throw new UnknownTaskError(name, [...new Set([...this.names(), ...this.#elsewhere?.names() ?? []])]);
    }
    return definition;
  }

  /** Whether this process registers `name` (tasks known only elsewhere do not count). */
  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  names(): string[] {
    return [...this.#tasks.keys()];
  }
}

/** Tasks registered on other peers. */
export interface TaskSource {
  get(name: string): TaskDefinition | undefined;
  names(): string[];
}

function validateOptions(name: string, options: TaskOptions): void {
  checkOptionKeys(`Task "${name}" options`, options, ["retries", "backoff", "timeout"]);
  const { retries, timeout } = options;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new RangeError(`Task "${name}": retries must be an integer >= 0, got ${String(retries)}`);
  }
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0)) {
    throw new RangeError(`Task "${name}": timeout must be a number of milliseconds > 0, got ${String(timeout)}`);
  }
  validateBackoff(`Task "${name}"`, options.backoff);
}
