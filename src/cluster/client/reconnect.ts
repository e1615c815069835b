/**
 * How a client rides out a restart of its owner: after the connection breaks it dials the owner
 * again (the same peer id) up to `retries` times, waiting an exponentially growing delay before
 * each attempt, on the injected clock.
 *
 * @module
 */
import { type BackoffOptions, checkOptionKeys, validateBackoff } from "../../common/mod.ts";

/** Options of a client's reconnection to its owner (`new ActantApp(name, { address, reconnect })`). */
export interface ReconnectOptions {
  /** Reconnection attempts after the connection breaks, before giving up; 0 gives up at once. Default 10. */
  retries?: number;
  /**
   * The delay before each attempt. Default `{ initial: 100, factor: 2, max: 5_000, jitter: true }`:
   * 0.1, 0.2, 0.4 … 5 s (each in [d/2, d]), about 26 s of waiting over the 10 attempts at most.
   */
  backoff?: BackoffOptions;
}

/** Reconnect options with every default filled in. */
export interface ReconnectPolicy {
  retries: number;
  backoff: Required<BackoffOptions>;
}

/** The default reconnection: enough to ride out a worker restart of several seconds, bounded at ~30 s. */
export const DEFAULT_RECONNECT: ReconnectPolicy = Object.freeze({
  retries: 10,
  backoff: Object.freeze({ initial: 100, factor: 2, max: 5_000, jitter: true }),
});

const RECONNECT_KEYS = ["retries", "backoff"];
const BACKOFF_KEYS = ["initial", "factor", "max", "jitter"];

/**
 * `options` checked and completed with the defaults: a `TypeError` for something that is not an
 * object, an unknown option or a wrong type, a `RangeError` for a number out of range.
 */
export function reconnectPolicy(options: ReconnectOptions | undefined): ReconnectPolicy {
  if (options === undefined) return DEFAULT_RECONNECT;
  checkOptionKeys("reconnect", options, RECONNECT_KEYS);
  const { retries, backoff } = options;
  if (retries !== undefined) {
    if (typeof retries !== "number") throw new TypeError(`reconnect.retries must be a number, got ${typeof retries}`);
    if (!(Number.isInteger(retries) && retries >= 0)) {
      throw new RangeError(`reconnect.retries must be an integer >= 0 (a bound: Infinity is not one), got ${retries}`);
    }
  }
  if (backoff !== undefined) {
    checkOptionKeys("reconnect.backoff", backoff, BACKOFF_KEYS);
    validateBackoff("reconnect", backoff);
    if (backoff.jitter !== undefined && typeof backoff.jitter !== "boolean") {
      throw new TypeError(`reconnect.backoff.jitter must be a boolean, got ${typeof backoff.jitter}`);
    }
  }
  return {
    retries: retries ?? DEFAULT_RECONNECT.retries,
    backoff: { ...DEFAULT_RECONNECT.backoff, ...stripUndefined(backoff ?? {}) },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
