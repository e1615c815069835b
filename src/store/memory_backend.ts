/**
 * An in-memory {@linkcode Backend}: the store of a browser tab and of the `"memory"` durability
 * setting, and the reference the LMDB backend is tested against.
 *
 * @module
 */

import { StorageError } from "../common/errors.ts";
import {
  assertKey,
  assertOps,
  type Backend,
  type BackendEntry,
  failedWrite,
  type RangeOptions,
  type WriteOp,
  type WriteResult,
} from "./backend.ts";

/** Shared, already settled: a memory write has nothing to wait for. */
const DONE: WriteResult = { committed: Promise.resolve(), durable: Promise.resolve() };

/**
 * A {@linkcode Backend} held in memory. Writes apply synchronously, so both of their promises are
 * resolved at once. Values are copied in and out, so no caller can change stored bytes.
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * backend.write([{ type: "put", key: "k", value: new TextEncoder().encode("v") }]);
 * [...backend.range({ start: "a", end: "z" })].length; // 1
 * ```
 */
export class MemoryBackend implements Backend {
  #values = new Map<string, Uint8Array>();
  /** Kept sorted, so ranges are a binary search plus a walk. */
  #keys: string[] = [];
  #closed = false;

  get(key: string): Uint8Array | undefined {
    this.#checkOpen();
    assertKey(key);
    return this.#values.get(key)?.slice();
  }

  range(options: RangeOptions = {}): Iterable<BackendEntry> {
    this.#checkOpen();
    return this.#walk(options);
  }

  write(ops: readonly WriteOp[]): WriteResult {
    // Validate the whole batch first: a batch applies completely or not at all.
    assertOps(ops);
    // Like LMDB's, a write to a closed store fails through its promises.
    if (this.#closed) return failedWrite(closedError());
    for (const op of ops) {
      if (op.type === "put") this.#put(op.key, op.value.slice());
      else this.#delete(op.key);
    }
    return DONE;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#values.clear();
    this.#keys = [];
    return Promise.resolve();
  }

  /**
   * Walks the keys lazily. Each step searches for the key after the last one yielded rather than
   * keeping an index, so writes made while a caller iterates cannot shift it onto a wrong key.
   */
  *#walk(options: RangeOptions): Generator<BackendEntry> {
    const { start, end, reverse = false, limit = Infinity } = options;
    let count = 0;
    let i = reverse
      ? (end === undefined ? this.#keys.length : this.#lowerBound(end)) - 1
      : (start === undefined ? 0 : this.#lowerBound(start));
    while (count < limit && i >= 0 && i < this.#keys.length) {
      const key = this.#keys[i];
      if (reverse ? start !== undefined && key < start : end !== undefined && key >= end) return;
      const value = this.#values.get(key);
      if (value !== undefined) {
        count++;
        yield { key, value: value.slice() };
      }
      this.#checkOpen();
      i = reverse ? this.#lowerBound(key) - 1 : this.#upperBound(key);
    }
  }

  #put(key: string, value: Uint8Array): void {
    if (!this.#values.has(key)) this.#keys.splice(this.#lowerBound(key), 0, key);
    this.#values.set(key, value);
  }

  #delete(key: string): void {
    if (!this.#values.delete(key)) return;
    this.#keys.splice(this.#lowerBound(key), 1);
  }

  /** Index of the first key >= `key`. */
  #lowerBound(key: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key > `key`. */
  #upperBound(key: string): number {
    const i = this.#lowerBound(key);
    return this.#keys[i] === key ? i + 1 : i;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}

function closedError(): StorageError {
  return new StorageError("Cannot use the memory backend: it is closed");
}
