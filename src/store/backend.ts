/**
 * The contract every storage backend fulfils: a sorted key-value store with synchronous reads and
 * atomic, asynchronously acknowledged batch writes. {@linkcode MemoryBackend} and the LMDB backend
 * implement it; the event log is written only against this interface.
 *
 * @module
 */

/** One operation of an atomic batch. */
export type WriteOp = { type: "put"; key: string; value: Uint8Array } | { type: "delete"; key: string };

/** A key and its value, as a range yields them. */
export interface BackendEntry {
  key: string;
  value: Uint8Array;
}

/**
 * Which keys a range covers. Keys are compared as strings (backends accept ASCII keys only, so
 * string order and byte order agree).
 */
export interface RangeOptions {
  /** The smallest key included (inclusive); the first key when absent. */
  start?: string;
  /** The key where the range stops (exclusive); past the last key when absent. */
  end?: string;
  /** Yield the keys from the largest down; the bounds keep their meaning. */
  reverse?: boolean;
  /** Yield at most this many entries. */
  limit?: number;
}

/** The two moments a write is acknowledged. Both reject with a `StorageError` if the write fails. */
export interface WriteResult {
  /** The batch is visible to reads and survives a kill of this process. */
  committed: Promise<void>;
  /** The batch is fsynced: it survives a crash of the machine. */
  durable: Promise<void>;
}

/**
 * A sorted key-value store.
 *
 * @example
 * ```ts
 * import { MemoryBackend } from "./memory_backend.ts";
 *
 * const backend: Backend = new MemoryBackend();
 * await backend.write([{ type: "put", key: "a", value: new Uint8Array([1]) }]).committed;
 * backend.get("a"); // Uint8Array [1]
 * ```
 */
export interface Backend {
  /** The value stored under `key` (a copy the caller may keep), or `undefined`. */
  get(key: string): Uint8Array | undefined;
  /** The entries in key order (or reverse order) within the bounds; read lazily. */
  range(options?: RangeOptions): Iterable<BackendEntry>;
  /**
   * Applies every operation in call order as one atomic batch. The values are copied before this
   * returns, so the caller may reuse its buffers. Invalid keys or values throw a `TypeError`.
   */
  write(ops: readonly WriteOp[]): WriteResult;
  /** Waits for pending writes and releases the store; no method may be called afterwards. */
  close(): Promise<void>;
}

/**
 * The result of a write that failed before it started: both promises reject with `error`, and
 * neither rejection goes unhandled, since callers often await only one of the two.
 */
export function failedWrite(error: Error): WriteResult {
  const rejected = Promise.reject(error);
  rejected.catch(() => undefined);
  return { committed: rejected, durable: rejected };
}

/** LMDB's default limit on a key's size, which every backend enforces so they behave alike. */
export const MAX_KEY_LENGTH = 1978;

/**
 * Throws a `TypeError` unless `key` is a key every backend can store: a non-empty string of
 * printable ASCII (LMDB reserves NUL, and non-ASCII would make string and byte order disagree).
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new TypeError(
      `Invalid backend key ${JSON.stringify(key)}: expected 1 to ${MAX_KEY_LENGTH} printable ASCII characters`,
    );
  }
}

/** Throws a `TypeError` unless every operation of a batch is well formed. */
export function assertOps(ops: readonly WriteOp[]): void {
  if (!Array.isArray(ops)) throw new TypeError("Backend.write expects an array of operations");
  for (const op of ops) {
    assertKey(op?.key);
    if (op.type === "put") {
      if (!(op.value instanceof Uint8Array)) {
        throw new TypeError(`Invalid value for key "${op.key}": expected a Uint8Array`);
      }
    } else if (op.type !== "delete") {
      throw new TypeError(
        `Invalid operation type ${JSON.stringify((op as { type: unknown }).type)}: expected "put" or "delete"`,
      );
    }
  }
}
