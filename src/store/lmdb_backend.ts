/**
 * The {@linkcode Backend} of server nodes: an LMDB environment on disk.
 *
 * LMDB commits a batch in one transaction on its write thread. With `separateFlushed`, the promise
 * of a write resolves at commit (visible, and safe from a process kill because the pages are in the
 * OS cache) and its `flushed` promise resolves once the OS has synced them to disk.
 *
 * @module
 */

import { freeBytes } from "./free_bytes.ts";
import { DataDirError, describe, StorageError } from "../common/errors.ts";
import { openFileReader } from "../runtime/file_probe.ts";
import { importModule } from "../runtime/import_module.ts";
import { type LmdbDatabase, loadLmdb } from "../runtime/lmdb.ts";
import { checkLmdbFile, LmdbFileDamage } from "./lmdb_file_check.ts";
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

/**
 * Opens (creating if needed) the LMDB store in directory `path`, which then holds `data.mdb` and
 * `lock.mdb`. Works on Node, Deno and Bun alike.
 *
 * @example
 * ```ts
 * const backend = await openLmdbBackend("./.actant/log");
 * await backend.write([{ type: "put", key: "k", value: new Uint8Array([1]) }]).durable;
 * await backend.close();
 * ```
 * @throws {DataDirError} `LOG_FILE_DAMAGED` when `data.mdb` is truncated or damaged (checked
 *   before LMDB maps it), `LOG_FILE_REPLACED` when it is empty, `DATA_DIR_LOCKED` when another
 *   live process has the store open.
 * @throws {StorageError} when lmdb cannot be loaded or the store cannot be opened.
 */
export async function openLmdbBackend(path: string): Promise<Backend> {
  const lmdb = await loadLmdb();
  await checkBeforeMapping(path);
  let db: LmdbDatabase;
  try {
    // Our batches are the transactions, so LMDB need not gather a turn's writes into one; with
    // that gathering on, a failed commit also rejects an internal promise nobody can handle.
    db = lmdb.open({ path, encoding: "binary", separateFlushed: true, eventTurnBatching: false });
  } catch (cause) {
    throw new StorageError(`Cannot open the LMDB store at ${path}: ${describe(cause)}`, { cause });
  }
  const holder = otherReader(db, await ownPid());
  if (holder !== undefined) {
    await db.close();
    throw new DataDirError(
      path,
      `process ${holder} has its LMDB store open (LMDB's reader table in lock.mdb says so), though it may have ` +
        "lost its LOCK file; stop that process first",
      { code: "DATA_DIR_LOCKED", file: `${path}/lock.mdb` },
    );
  }
  return new LmdbBackend(db, path);
}

/** This process's id (`node:process` is loaded on demand: this module is in the browser bundle too). */
async function ownPid(): Promise<number> {
  return (await importModule<{ pid: number }>("node:process")).pid;
}

/**
 * Refuses a `data.mdb` that LMDB would crash on or misread (see `lmdb_file_check.ts`), before
 * LMDB maps it.
 */
async function checkBeforeMapping(path: string): Promise<void> {
  const file = `${path}/data.mdb`;
  let reader;
  try {
    reader = await openFileReader(file);
  } catch (cause) {
    throw new StorageError(`Cannot read ${file}: ${describe(cause)}`, { cause });
  }
  if (reader === undefined) return;
  try {
    if (checkLmdbFile(reader) === undefined) {
      // LMDB writes its meta pages as it creates the file, so an empty one lost what it held.
      throw new DataDirError(
        path,
        `${file} is empty, but LMDB never leaves a store empty: its contents were lost; restore the data ` +
          "directory from a backup, or remove the file if this directory never held work",
        { code: "LOG_FILE_REPLACED", file },
      );
    }
  } catch (cause) {
    if (!(cause instanceof LmdbFileDamage)) throw cause;
    throw new DataDirError(path, `${file} is damaged: ${cause.message}; restore the data directory from a backup`, {
      code: "LOG_FILE_DAMAGED",
      file,
    });
  } finally {
    reader.close();
  }
}

/**
 * The pid of another live process holding a slot in the store's reader table, if any. This is
 * the lock's second proof: LMDB marks each slot's process with an fcntl lock on `lock.mdb` that
 * the kernel drops when the process dies, and clears dead ones on open, so a slot of another
 * pid means a live process has the store open, whatever happened to our `LOCK` file.
 */
function otherReader(db: LmdbDatabase, self: number): number | undefined {
  for (const line of db.readerList().split("\n")) {
    const match = /^\s*(\d+)\s+[0-9a-f]+\s+\S+\s*$/.exec(line);
    if (match !== null && Number(match[1]) !== self) return Number(match[1]);
  }
  return undefined;
}

class LmdbBackend implements Backend {
  #db: LmdbDatabase;
  #path: string;
  #closed = false;
  /** Settles when the last write issued is durable or has failed; close() waits for it. */
  #lastWrite: Promise<unknown> = Promise.resolve();
  /** A commit failed: LMDB's own flush and close promises would never settle after that. */
  #broken = false;

  constructor(db: LmdbDatabase, path: string) {
    this.#db = db;
    this.#path = path;
  }

  get(key: string): Uint8Array | undefined {
    this.#checkOpen("read");
    assertKey(key);
    try {
      const value = this.#db.get(key);
      return value === undefined ? undefined : plain(value);
    } catch (cause) {
      throw this.#storageError("read", cause);
    }
  }

  range(options: RangeOptions = {}): Iterable<BackendEntry> {
    this.#checkOpen("read");
    return this.#walk(options);
  }

  write(ops: readonly WriteOp[]): WriteResult {
    assertOps(ops);
    if (this.#closed) return failedWrite(this.#storageError("write", new Error("the store is closed")));
    // LMDB keeps a pointer to a value's buffer until its write thread copies it into the
    // transaction, so it gets private copies the caller cannot change in the meantime.
    const copies = ops.map((op) => (op.type === "put" ? { ...op, value: op.value.slice() } : op));
    let promise;
    try {
      // batch() runs the callback at once; everything it writes is committed in one transaction.
      promise = this.#db.batch(() => {
        for (const op of copies) {
          // Inside a batch these share the batch's outcome, which is handled below.
          quiet(op.type === "put" ? this.#db.put(op.key, op.value) : this.#db.remove(op.key));
        }
      });
    } catch (cause) {
      return failedWrite(this.#storageError("write", cause));
    }
    const flushed = promise.flushed ?? this.#db.flushed;
    const committed = promise.then(() => {
      // LMDB has copied them into the transaction: the copies (a megabyte per record in a burst) go at once.
      for (const op of copies) if (op.type === "put") freeBytes(op.value);
    }, async (cause: unknown) => {
      this.#broken = true;
      throw this.#storageError("write", await commitFailure(cause));
    });
    // The fsync promise never settles for a transaction that failed to commit, so chain it on the commit.
    const durable = committed.then(() => flushed).then(() => undefined);
    // Callers often await only one of the two; the other must not become an unhandled rejection.
    quiet(committed);
    quiet(durable);
    this.#lastWrite = durable.catch(ignore);
    return { committed, durable };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lastWrite;
    if (this.#broken && !(await this.#recovered())) {
      // After a failed commit LMDB's close() waits forever for a flush that will not come; let
      // it go unawaited (the environment is released when the process exits).
      quiet(this.#db.close());
      return;
    }
    try {
      await this.#db.close();
    } catch (cause) {
      throw this.#storageError("close", cause);
    }
  }

  /**
   * After a failed commit, LMDB's close() waits on that commit's flush, which never comes. An
   * empty transaction that commits gives it a fresh flush to wait on; it writes no pages, so it
   * can succeed even on a full disk.
   */
  async #recovered(): Promise<boolean> {
    try {
      const promise = this.#db.batch(() => {});
      await promise;
      await (promise.flushed ?? promise);
      return true;
    } catch {
      return false;
    }
  }

  *#walk(options: RangeOptions): Generator<BackendEntry> {
    const { start, end, reverse = false, limit = Infinity } = options;
    if (limit <= 0 || (start !== undefined && end !== undefined && start >= end)) return;
    // LMDB's reverse ranges start at an inclusive upper key and stop at an exclusive lower one,
    // the mirror of ours; so walk down from `end` and apply both of our bounds here.
    const query = reverse ? { start: end, reverse: true } : { start, end, limit };
    let count = 0;
    try {
      for (const { key, value } of this.#db.getRange(query)) {
        if (typeof key !== "string") continue; // only string keys are ours
        if (reverse && key === end) continue;
        if (reverse && start !== undefined && key < start) return;
        yield { key, value: plain(value) };
        if (++count >= limit) return;
      }
    } catch (cause) {
      throw this.#storageError("read", cause);
    }
  }

  #checkOpen(action: string): void {
    if (this.#closed) throw this.#storageError(action, new Error("the store is closed"));
  }

  #storageError(action: string, cause: unknown): StorageError {
    if (cause instanceof StorageError) return cause;
    const code = (cause as { code?: unknown } | null)?.code;
    // LMDB reports errno values as numbers: 28 is ENOSPC on Linux.
    const hint = code === "ENOSPC" || code === 28 || /MDB_MAP_FULL|ENOSPC|No space/i.test(describe(cause))
      ? " (the disk or the map is full; free space and restart)"
      : "";
    return new StorageError(`LMDB ${action} failed in ${this.#path}: ${describe(cause)}${hint}`, { cause });
  }
}

/** LMDB hands out Node `Buffer`s; callers get plain `Uint8Array`s over the same (private) bytes. */
function plain(value: Uint8Array): Uint8Array {
  return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * The error behind a failed LMDB commit. LMDB rejects with a generic "Commit failed" whose
 * `commitError` promise holds the real one (ENOSPC, EIO...); that promise is rejected in the same
 * callback, so it has settled by the time this runs. It may never settle in other cases, so this
 * waits for it only one turn of the microtask queue.
 */
async function commitFailure(cause: unknown): Promise<unknown> {
  const inner = (cause as { commitError?: unknown } | null)?.commitError;
  if (!(inner instanceof Promise)) return cause;
  let detail = cause;
  const noted = inner.then(ignore, (error: unknown) => {
    detail = error;
  });
  await Promise.race([noted, Promise.resolve()]);
  return detail;
}

/** Marks a promise's rejection as handled (its outcome reaches callers another way). */
function quiet(value: unknown): void {
  if (value instanceof Promise) value.catch(ignore);
}

function ignore(): void {}
