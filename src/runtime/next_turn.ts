/**
 * Running a callback once the current turn of the event loop is over: after the synchronous code
 * and every microtask it queued, before timers and I/O further on.
 *
 * @module
 */

type Immediate = (callback: () => void) => unknown;

/**
 * Node, Deno (2+) and Bun have `setImmediate` (a few µs here, and it keeps the process alive until
 * it has run); a browser has `MessageChannel`. `setTimeout(fn, 0)` is the last resort only: Node
 * clamps it to 1 ms.
 */
const immediate: Immediate = (() => {
  const g = globalThis as { setImmediate?: Immediate };
  if (typeof g.setImmediate === "function") return g.setImmediate.bind(globalThis);
  if (typeof MessageChannel === "function") {
    const callbacks: Array<() => void> = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      for (const callback of callbacks.splice(0)) callback();
    };
    return (callback: () => void) => {
      if (callbacks.push(callback) === 1) channel.port2.postMessage(undefined);
    };
  }
  return (callback: () => void) => setTimeout(callback, 0);
})();

/**
 * Runs `callback` after the current turn: what the code running now and the microtasks it queued
 * do first (a task that finishes in a microtask, the `await` that follows it) all comes before.
 *
 * @example
 * ```ts
 * const order: string[] = [];
 * afterTurn(() => order.push("after the turn"));
 * queueMicrotask(() => order.push("microtask"));
 * order.push("now"); // order ends as ["now", "microtask", "after the turn"]
 * ```
 */
export function afterTurn(callback: () => void): void {
  immediate(callback);
}
