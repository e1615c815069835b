/**
 * Opening the durable storage of an app: the data directory (created, checked, locked), the LMDB
 * backend in it, and the event log on top.
 *
 * @module
 */
import { openDataDir } from "../runtime/data_dir.ts";
import { type Backend, EventLog, openLmdbBackend } from "../store/mod.ts";

/** How durable acknowledged work is. */
export type Durability = "sync" | "batched" | "memory";

/** Options of {@linkcode openStorage}. */
export interface StorageOptions {
  durability: "sync" | "batched";
  /** The data directory (ignored when `backend` is given). */
  dataDir: string;
  /** A backend to use instead of LMDB in `dataDir`. */
  backend?: Backend;
  warn: (message: string) => void;
}

/** An open event log and how to let go of it. */
export interface Storage {
  readonly log: EventLog;
  /** Flushes and closes the log and releases the data directory's lock. */
  close(): Promise<void>;
}

/** Opens (or creates) the app's storage; fails with a clear error if the directory is unusable. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (options.backend !== undefined) {
    const log = await EventLog.open(options.backend, { durability: options.durability, warn: options.warn });
    return { log, close: () => log.close() };
  }
  const dir = await openDataDir(options.dataDir);
  try {
    const backend = await openLmdbBackend(`${dir.path}/log`);
    const log = await EventLog.open(backend, { durability: options.durability, warn: options.warn });
    return {
      log,
      async close() {
        try {
          await log.close();
        } finally {
          await dir.release();
        }
      },
    };
  } catch (error) {
    await dir.release();
    throw error;
  }
}
