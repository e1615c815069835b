/**
 * Storage: the journal contract the layers record through, the {@linkcode Backend} contract with
 * its memory and LMDB implementations, and the {@linkcode EventLog} on top of them.
 *
 * `openLmdbBackend` is safe to export from here: it reaches `lmdb` only through a dynamic import
 * in `runtime/`, so browser bundles stay free of it.
 *
 * @module
 */
export * from "./journal.ts";
export * from "./backend.ts";
export * from "./memory_backend.ts";
export * from "./lmdb_backend.ts";
export * from "./event_log.ts";
export { crc32 } from "./crc32.ts";
