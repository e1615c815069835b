/**
 * Opening the durable storage of an app: the data directory (created, checked, locked), the LMDB
 * backend in it (its file checked before LMDB maps it), the event log on top, the seal that
 * records what must be there, and the watch that stops the log when the directory vanishes.
 *
 * @module
 */
import { type Clock, DataDirError, StorageError } from "../common/mod.ts";
import { openDataDir } from "../runtime/data_dir.ts";
import { DATA_DIR_CHECK_MS, type DataDirWatch, watchDataDir } from "../runtime/data_dir_watch.ts";
import { type Backend, EventLog, openLmdbBackend } from "../store/mod.ts";
import { checkSealedFile, checkSealedLog, LOG_FILE, readSeal, writeSeal } from "./log_seal.ts";

/** How durable acknowledged work is. */
export type Durability = "sync" | "batched" | "memory";

/** How often the seal is brought up to date while the log grows. */
const SEAL_EVERY_MS = 1000;

/** Options of {@linkcode openStorage}. */
export interface StorageOptions {
  durability: "sync" | "batched";
  /** The data directory (ignored when `backend` is given). */
  dataDir: string;
  /** A backend to use instead of LMDB in `dataDir`. */
  backend?: Backend;
  warn: (message: string) => void;
  /** Timers of the data directory's watch (default: real ones that let the process exit). */
  clock?: Clock;
  /** Time between two checks of the data directory (default 250 ms). */
  checkIntervalMs?: number;
}

/** An open event log and how to let go of it. */
export interface Storage {
  readonly log: EventLog;
  /**
   * Settles with a `DataDirError` (`DATA_DIR_GONE`) once the data directory is found gone: the
   * log has stopped and every write rejects with that error. Never settles otherwise.
   */
  readonly lost: Promise<DataDirError>;
  /** Flushes and closes the log and releases the data directory's lock. */
  close(): Promise<void>;
}

/** Opens (or creates) the app's storage; fails with a clear error if the directory is unusable. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (options.backend !== undefined) {
    const log = await EventLog.open(options.backend, { durability: options.durability, warn: options.warn });
    return { log, lost: new Promise(() => {}), close: () => log.close() };
  }
  const dir = await openDataDir(options.dataDir);
  let log: EventLog | undefined;
  try {
    const seal = await readSeal(dir.path);
    if (seal !== undefined) await checkSealedFile(dir.path, seal);
    const backend = await openLmdbBackend(`${dir.path}/log`);
    try {
      log = await EventLog.open(backend, {
        durability: options.durability,
        warn: options.warn,
        acknowledgedSeq: seal?.acknowledgedSeq,
      });
    } catch (error) {
      await backend.close();
      throw error;
    }
    if (seal !== undefined) checkSealedLog(dir.path, seal, log);
    await log.sync();
    await writeSeal(dir.path, log, log.lastSeq);
    return await watched(dir, log, options);
  } catch (error) {
    await log?.close();
    await dir.release();
    throw error;
  }
}

/** The storage of `log` in `dir`, watched until it closes. */
async function watched(
  dir: { path: string; release(): Promise<void> },
  log: EventLog,
  options: StorageOptions,
): Promise<Storage> {
  const lost = Promise.withResolvers<DataDirError>();
  const clock = options.clock;
  let sealedSeq = log.lastSeq;
  let sealedAt = clock?.now() ?? performance.now();
  let sealing: Promise<void> | undefined;
  // Brings the seal up to what is fsynced, at most once a second and one at a time.
  const reseal = () => {
    const now = clock?.now() ?? performance.now();
    if (sealing !== undefined || log.lastSeq === sealedSeq || now - sealedAt < SEAL_EVERY_MS) return;
    const seq = log.lastSeq;
    sealedAt = now;
    sealing = log.sync()
      .then(() => log.failure === undefined ? writeSeal(dir.path, log, seq) : undefined)
      .then(() => void (sealedSeq = seq), () => {})
      .finally(() => (sealing = undefined));
  };
  const watch: DataDirWatch = await watchDataDir(dir.path, {
    // lock.mdb too: a second process that made a new one would not see our reader slot.
    files: [LOG_FILE, "log/lock.mdb"],
    clock,
    intervalMs: options.checkIntervalMs ?? DATA_DIR_CHECK_MS,
    onIntact: reseal,
    onGone(reason) {
      const error = new DataDirError(dir.path, `${reason} while this node was running; it stopped acknowledging work`, {
        code: "DATA_DIR_GONE",
      });
      log.halt(error);
      lost.resolve(error);
    },
  });
  return {
    log,
    lost: lost.promise,
    async close() {
      watch.stop();
      try {
        await sealing;
        await log.close();
        // Everything acknowledged is on disk now (closing flushes); a stopped log seals nothing.
        if (log.failure === undefined) await writeSeal(dir.path, log, log.lastSeq).catch(() => {});
      } finally {
        await dir.release();
      }
    },
  };
}

/**
 * What new work is refused with once the log has failed: a storage failure, or a data dir that
 * vanished, as it is (callers catch them by name); anything else wrapped in a `StorageError`.
 */
export function refusalOf(failure: Error): Error {
  const named = failure instanceof StorageError || (failure as DataDirError).code === "DATA_DIR_GONE";
  return named ? failure : new StorageError(`Cannot record new work: ${failure.message}`, { cause: failure });
}
