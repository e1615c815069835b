/**
 * What a task function returns or throws, as the scheduler and the attempt runner read it.
 *
 * @module
 */
import { describe } from "../common/mod.ts";

/** Whether `value` is a promise (or any thenable): the attempt goes on until it settles. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** `value` as an `Error`: a thrown non-error is described in a plain one. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(describe(value));
}
