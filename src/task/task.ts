/**
 * Typed tasks: what `app.task()` returns.
 *
 * @module
 */
import type { RefTo, ValuesOrRefs } from "../common/mod.ts";
import type { RunHandle } from "./handle.ts";
import type { TaskDefinition, TaskOptions } from "./registry.ts";
import type { TaskSignature } from "./signature.ts";
import type { NoInput } from "./step.ts";

/** `P` without its first element. (`[]` alone needs its own case: it would match with `R = unknown[]`.) */
export type Rest<P extends readonly unknown[]> = P extends readonly [] ? []
  : P extends readonly [unknown?, ...infer R] ? R
  : [];

/**
 * A registered task with parameters `P` and result `R`.
 *
 * @example
 * ```ts
 * import { ActantApp, chain } from "@actant/actant";
 *
 * const app = new ActantApp("math", { durability: "memory" });
 * const add = app.task("add", (a: number, b: number) => a + b);
 * await add.call(2, 3); // 5
 * await app.submit(chain(add.s(2, 2), add.s(10)));   // add(add(2, 2), 10) = 14
 * ```
 */
export interface Task<P extends unknown[], R> {
  /** The registered name. */
  readonly name: string;
  /** The options it was registered with. */
  readonly options: Readonly<TaskOptions>;
  /**
   * A complete signature: all arguments given, for the first step of a workflow. Each argument
   * may be an `ObjectRef` of its value (from `app.put`): the task gets the value.
   */
  s(...args: ValuesOrRefs<P>): TaskSignature<NoInput, R>;
  /**
   * A partial signature: the previous step's result becomes the first argument (a ref of the
   * value fits too, and is resolved to it before the task runs).
   */
  s(...args: ValuesOrRefs<Rest<P>>): TaskSignature<P[0] | RefTo<P[0]>, R>;
  /** An immutable signature: it ignores the previous step's result. */
  si(...args: ValuesOrRefs<P>): TaskSignature<unknown, R>;
  /** Submits one call at once: `task.call(x)` is `app.submit(task.s(x))`; a ref argument is resolved to its value. */
  call(...args: ValuesOrRefs<P>): RunHandle<R>;
}

/** Builds the typed face of a registered task; `submit` is the app's. */
export function createTask<P extends unknown[], R>(
  definition: TaskDefinition,
  submit: (signature: TaskSignature<NoInput, R>) => RunHandle<R>,
): Task<P, R> {
  const name = definition.name;
  return {
    name,
    options: definition.options,
    s: (...args: unknown[]) => ({ kind: "task", task: name, args, immutable: false }),
    si: (...args: unknown[]) => ({ kind: "task", task: name, args, immutable: true }),
    call: (...args: unknown[]) => submit({ kind: "task", task: name, args, immutable: false }),
  } as unknown as Task<P, R>;
}
