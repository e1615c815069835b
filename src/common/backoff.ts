/**
 * Exponential backoff with jitter, for task retries and actor restarts.
 *
 * @module
 */
import { checkOptionKeys } from "./options.ts";

/** Exponential backoff with jitter. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 100. */
  initial?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
  /** Upper bound of any delay, in ms. Default 30,000. */
  max?: number;
  /** Randomise each delay within [delay/2, delay] so retries of many tasks spread out. Default true. */
  jitter?: boolean;
}

/**
 * Delay before retry number `retry` (1 for the first retry).
 *
 * @param random a source of numbers in [0, 1), injected for tests
 */
export function backoffDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initial ?? 100;
  const factor = options.factor ?? 2;
  const max = options.max ?? 30_000;
  const delay = Math.min(max, initial * factor ** (retry - 1));
  return options.jitter === false ? delay : delay / 2 + (delay / 2) * random();
}

/** Checks a backoff option object, throwing a `RangeError` that names the bad field; `owner` names its user. */
export function validateBackoff(owner: string, options: BackoffOptions | undefined): void {
  if (options === undefined) return;
  checkOptionKeys(`${owner}: backoff`, options, ["initial", "factor", "max", "jitter"]);
  for (const key of ["initial", "factor", "max"] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === "number" && value >= 0 && Number.isFinite(value))) {
      throw new RangeError(`${owner}: backoff.${key} must be a finite number >= 0, got ${String(value)}`);
    }
  }
}
