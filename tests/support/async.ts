// Small async tools the tests share: hand-opened promises, settling the microtask queue,
// watching a promise without awaiting it, bounding a wait against hangs.
// (Not a test file: no runner picks it up.)
import { afterTurn } from "../../src/runtime/next_turn.ts";

/** A promise the test resolves by hand. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets queued promise callbacks run (a bounded number of microtask turns). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/**
 * Resolves once the current turn of the event loop is over and what was queued to run after it
 * (the event log closes its open record then) has run: callbacks queued this way run in order.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => afterTurn(resolve));
}

/** Records whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>): () => string {
  let state = "pending";
  promise.then(
    (value) => void (state = `resolved: ${JSON.stringify(value)}`),
    (error: Error) => void (state = `rejected: ${error.name}`),
  );
  return () => state;
}

/** Rejects if `promise` has not settled within `ms` (a bound against hangs, not a timing check). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every 10 ms until it holds; fails after `limitMs` (default 10 s: a bound against
 * hangs, not a timing check). `step`, when given, runs before each check (e.g. a message sent
 * again until it lands).
 */
export async function until(
  check: () => boolean,
  what: string,
  options: { limitMs?: number; step?: () => Promise<unknown> } = {},
): Promise<void> {
  const { limitMs = 10_000, step } = options;
  for (let waited = 0;; waited += 10) {
    await step?.();
    if (check()) return;
    if (waited >= limitMs) throw new Error(`timed out after ${limitMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
