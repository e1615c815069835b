/**
 * Results that are awaitable and also have `.get({ timeout })`, as the seed's API does.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import { ResultTimeoutError } from "./errors.ts";
import { checkOptionKeys } from "./options.ts";

/** Options of `get()`. */
export interface GetOptions {
  /** Give up waiting after this many milliseconds with a `ResultTimeoutError`. */
  timeout?: number;
  /** Stop waiting when this signal aborts. */
  signal?: AbortSignal;
}

/** An awaitable result with `get()`, e.g. of an actor call. */
export interface Pending<T> extends PromiseLike<T> {
  /** Waits for the value; rejects with `ResultTimeoutError` after `timeout` ms. */
  get(options?: GetOptions): Promise<T>;
}

/**
 * Waits for `promise` within the bounds of `options`. The awaited work is not cancelled when
 * waiting stops: like Celery's `AsyncResult.get(timeout=…)`, only the wait ends.
 */
export function waitFor<T>(promise: Promise<T>, id: string, clock: Clock, options?: GetOptions): Promise<T> {
  try {
    checkOptionKeys("get() options", options, ["timeout", "signal"]);
  } catch (error) {
    return Promise.reject(error);
  }
  const timeout = options?.timeout;
  const signal = options?.signal;
  if (timeout === undefined && signal === undefined) return promise;
  if (timeout !== undefined && !(timeout >= 0)) {
    return Promise.reject(new RangeError(`get({ timeout }) expects a number of milliseconds >= 0, got ${timeout}`));
  }
  return new Promise<T>((resolve, reject) => {
    const timer = timeout === undefined
      ? undefined
      : clock.setTimeout(() => done(() => reject(new ResultTimeoutError(id, timeout))), timeout);
    const onAbort = () => done(() => reject(signal!.reason));
    const done = (settle: () => void) => {
      timer?.cancel();
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then((value) => done(() => resolve(value)), (error) => done(() => reject(error)));
  });
}

/**
 * Turns a promise into a {@linkcode Pending}: the promise itself, so `await` takes V8's fast path,
 * with a `get()` method beside `then`.
 */
export function pending<T>(promise: Promise<T>, id: string, clock: Clock): Pending<T> & Promise<T> {
  const result = promise as Promise<T> & Pending<T>;
  result.get = (options?: GetOptions) => waitFor(promise, id, clock, options);
  return result;
}
