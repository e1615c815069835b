/**
 * Task signatures: a task name plus arguments, as plain data (Celery's `signature`).
 *
 * @module
 */
import type { Step } from "./step.ts";

/**
 * A call of task `task` with `args`. Unless `immutable`, a signature placed after another step
 * receives that step's result as its first argument, before `args`.
 */
export interface TaskSignature<In = unknown, Out = unknown> extends Step<In, Out> {
  readonly kind: "task";
  readonly task: string;
  readonly args: readonly unknown[];
  readonly immutable: boolean;
}

/** Options of {@linkcode signature}. */
export interface SignatureOptions {
  /** Ignore the previous step's result (like `task.si()`). */
  immutable?: boolean;
}

/**
 * A signature of a task by name, for tasks this code does not import (Celery's `send_task`).
 * It is untyped: its input and output are `unknown`.
 *
 * @example
 * ```ts
 * import { ActantApp, signature } from "@actant/actant";
 *
 * // A client names a task its worker registers, without the task's code.
 * const app = new ActantApp("my_app", { address: "/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN" });
 * await app.submit(signature("report", [{ sentiment: 0.8 }]));
 * ```
 */
export function signature<Out = unknown>(
  task: string,
  args: readonly unknown[] = [],
  options: SignatureOptions = {},
): TaskSignature<unknown, Out> {
  if (typeof task !== "string" || task === "") {
    throw new TypeError(`signature() expects a task name (a non-empty string), got ${String(task)}`);
  }
  if (!Array.isArray(args)) {
    throw new TypeError(`signature("${task}") expects its arguments as an array, got ${typeof args}`);
  }
  return { kind: "task", task, args, immutable: options.immutable ?? false };
}

/** True when `value` is a task signature. */
export function isSignature(value: unknown): value is TaskSignature {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "task";
}
