/**
 * The task registry: names to functions and their options, and what a task is known by where its
 * function is not (a descriptor: name and options).
 *
 * @module
 */
import {
  type BackoffOptions,
  checkOptionKeys,
  DuplicateNameError,
  type ObjectAccess,
  TaskArgumentsError,
  UnknownTaskError,
  validateBackoff,
} from "../common/mod.ts";

/**
 * What a running task can see: `this` inside a task function declared with `function`. Its
 * `put`, `get` and `getStream` reach the object store of the app running the task (local mode).
 */
export interface TaskContext extends ObjectAccess {
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

/**
 * A task as far as placing, checking and compiling its calls goes: its name and options. Where its
 * function is not (a client, or a member for a task only other peers register) that is all there is.
 */
export interface TaskDescriptor {
  readonly name: string;
  readonly options: Readonly<TaskOptions>;
}

/** A task as registered: its descriptor and its function. */
export interface TaskDefinition extends TaskDescriptor {
  readonly fn: TaskFunction;
}

/** Names to task definitions. */
export class TaskRegistry {
  readonly #tasks = new Map<string, TaskDefinition>();
  #elsewhere: TaskSource | undefined;

  /**
   * Names this process does not register but other peers do (a cluster member's view): `get`
   * returns their descriptors (no function: only those peers can run them).
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

  /**
   * The task `name`: its definition when this process registers it, else its descriptor if another
   * peer does, else an `UnknownTaskError` that lists the known names.
   */
  get(name: string): TaskDescriptor {
    const task = this.#tasks.get(name) ?? this.#elsewhere?.get(name);
    if (task === undefined) {
      throw new UnknownTaskError(name, [...new Set([...this.names(), ...this.#elsewhere?.names() ?? []])]);
    }
    return task;
  }

  /** The definition (with its function) of `name` if this process registers it. */
  definition(name: string): TaskDefinition | undefined {
    return this.#tasks.get(name);
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
  get(name: string): TaskDescriptor | undefined;
  names(): string[];
}

/** The function of `task` if this process has it (a descriptor alone has none). */
export function functionOf(task: TaskDescriptor): TaskFunction | undefined {
  const fn = (task as Partial<TaskDefinition>).fn;
  return typeof fn === "function" ? fn : undefined;
}

/**
 * Throws `TaskArgumentsError` when a call of `task` passes fewer arguments (`given`, plus the
 * previous step's result if it `receivesInput`) than its function declares. A task known only by
 * its descriptor declares none here: its own peer checks the call when it runs.
 *
 * @param path where the call is, for the message (`""` for a signature on its own)
 */
export function checkArity(task: TaskDescriptor, given: number, receivesInput: boolean, path: string): void {
  const total = given + (receivesInput ? 1 : 0);
  const required = functionOf(task)?.length ?? 0;
  if (total >= required) return;
  const from = receivesInput ? ` (${given} given + the previous result)` : "";
  throw new TaskArgumentsError(
    task.name,
    `it takes ${required} argument${required === 1 ? "" : "s"}, but ${path || "the signature"} passes ${total}${from}`,
  );
}

/** The error of an attempt of a task only other peers register that started here (its peer left the cluster). */
export function registeredElsewhere(name: string): TypeError {
  return new TypeError(`Task "${name}" is registered only on other peers`);
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
