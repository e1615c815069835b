/**
 * Where the `lmdb` package is loaded. It works on Node, Deno and Bun; in a browser loading fails
 * with a `StorageError` that points at the memory backend.
 *
 * @module
 */

import { describe, StorageError } from "../common/errors.ts";
import { runtimeName } from "./mod.ts";
import { importModule } from "./import_module.ts";

/** A promise from an LMDB write; with `separateFlushed` it carries a second one for the fsync. */
export type LmdbWritePromise = Promise<boolean> & { flushed?: Promise<unknown> };

/** The part of an LMDB database Actant uses (the package's own types are much wider). */
export interface LmdbDatabase {
  get(key: string): Uint8Array | undefined;
  getRange(options: { start?: string; end?: string; reverse?: boolean; limit?: number }): Iterable<{
    key: unknown;
    value: Uint8Array;
  }>;
  put(key: string, value: Uint8Array): LmdbWritePromise;
  remove(key: string): LmdbWritePromise;
  /** Runs `action` now; the writes it makes are committed together in one transaction. */
  batch(action: () => void): LmdbWritePromise;
  /** Settles when every write so far is flushed to disk. */
  readonly flushed: PromiseLike<unknown>;
  close(): Promise<void>;
  /**
   * LMDB's reader table (in `lock.mdb`), as text: a line per slot with the pid holding it. LMDB
   * clears the slots of dead processes when a store is opened.
   */
  readerList(): string;
}

/** Options Actant passes to LMDB's `open`. */
export interface LmdbOpenOptions {
  path: string;
  encoding: "binary";
  separateFlushed: boolean;
  eventTurnBatching: boolean;
}

/** The part of the `lmdb` module Actant uses. */
export interface LmdbModule {
  open(options: LmdbOpenOptions): LmdbDatabase;
}

let loading: Promise<LmdbModule> | undefined;

/**
 * The `lmdb` module, imported once on first use.
 *
 * @throws {StorageError} when the runtime cannot load it (a browser, or the package is missing).
 */
export function loadLmdb(): Promise<LmdbModule> {
  loading ??= importModule<LmdbModule>("lmdb").catch((cause: unknown) =>
    // Deno running the package from JSR has no package.json mapping "lmdb": ask npm for it.
    runtimeName() === "deno" ? importModule<LmdbModule>("npm:lmdb@^3.5.6") : Promise.reject(cause)
  ).catch((cause: unknown) => {
    loading = undefined; // let a later call retry, e.g. after the package is installed
    throw new StorageError(
      `Cannot load the lmdb package on ${runtimeName()}: ${describe(cause)}; ` +
        "install lmdb (server runtimes) or use MemoryBackend (browsers)",
      { cause },
    );
  });
  return loading;
}
