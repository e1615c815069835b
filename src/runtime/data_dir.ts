/**
 * The data directory of a node: created on first use and held by one process at a time through a
 * `LOCK` file holding the owner's pid. `LOCK` is not the only proof: the LMDB backend also refuses
 * a store another live process has open (LMDB's reader table), and a running node stops when its
 * `LOCK` goes away (`data_dir_watch.ts`), so deleting `LOCK` does not let a second node in.
 *
 * @module
 */

import { DataDirError, describe } from "../common/errors.ts";
import { importModule } from "./import_module.ts";

type Fs = typeof import("node:fs/promises");
type Process = typeof import("node:process");

/** A data directory this process holds; `release()` gives it up. */
export interface DataDir {
  /** The directory, as given to {@linkcode openDataDir}. */
  readonly path: string;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

/** The name of the lock file inside a data directory. */
export const LOCK_FILE = "LOCK";

/**
 * Creates `path` (recursively) if needed and locks it for this process.
 *
 * A `LOCK` left by a process that is gone (after a crash) is taken over. The pid check cannot
 * tell a reused pid from the original owner: if an unrelated process now has that pid, the
 * directory reads as locked and the message says which file to remove.
 *
 * @example
 * ```ts
 * const dir = await openDataDir("./.actant");
 * try {
 *   // … use dir.path …
 * } finally {
 *   await dir.release();
 * }
 * ```
 * @throws {DataDirError} `DATA_DIR_UNUSABLE` when the directory cannot be created or written,
 *   `DATA_DIR_LOCKED` when a live process holds it.
 */
export async function openDataDir(path: string): Promise<DataDir> {
  const fs = await importModule<Fs>("node:fs/promises");
  const { pid } = await importModule<Process>("node:process");
  const lock = `${path}/${LOCK_FILE}`;

  try {
    await fs.mkdir(path, { recursive: true });
  } catch (cause) {
    throw unusable(path, "it cannot be created", cause);
  }
  // The lock is written in full under a private name, then linked into place: link() fails if
  // LOCK exists (like O_EXCL) and, unlike an open with "wx" then a write, no reader ever sees
  // a LOCK without its pid.
  const draft = `${path}/${LOCK_FILE}.${pid}.${crypto.randomUUID()}`;
  try {
    await fs.writeFile(draft, `${pid}\n`, { flag: "wx" });
  } catch (cause) {
    throw unusable(path, "it is not writable", cause);
  }
  try {
    await takeLock(fs, path, lock, draft);
  } finally {
    await fs.rm(draft, { force: true });
  }
  return {
    path,
    async release() {
      if (await readPid(fs, lock) === pid) await fs.rm(lock, { force: true });
    },
  };
}

/** `DATA_DIR_UNUSABLE` for `path`: `what` went wrong, because of `cause`. */
function unusable(path: string, what: string, cause: unknown): DataDirError {
  return new DataDirError(path, `${what} (${describe(cause)})`, { cause, code: "DATA_DIR_UNUSABLE" });
}

async function takeLock(fs: Fs, path: string, lock: string, draft: string): Promise<void> {
  // A few rounds: each failed link means another process touched LOCK in between.
  for (let round = 0; round < 5; round++) {
    try {
      await fs.link(draft, lock);
      return;
    } catch (cause) {
      if ((cause as { code?: string }).code !== "EEXIST") {
        throw unusable(path, `cannot create ${lock}`, cause);
      }
    }
    const holder = await readPid(fs, lock);
    if (holder !== undefined && (await processIsAlive(holder))) {
      throw new DataDirError(
        path,
        `it is locked by process ${holder}, which is alive; stop it, or remove ${lock} if that process is not an Actant node`,
        { code: "DATA_DIR_LOCKED" },
      );
    }
    // The holder is gone (or the file is not a lock we wrote): a stale lock, take it over.
    await fs.rm(lock, { force: true });
  }
  throw new DataDirError(path, `another process keeps replacing ${lock}`, { code: "DATA_DIR_LOCKED" });
}

/** The pid in a lock file, or `undefined` when the file is missing or holds no pid. */
async function readPid(fs: Fs, lock: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(lock, "utf8");
  } catch {
    return undefined;
  }
  return /^\d+\s*$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/**
 * Whether a process with this pid exists. Signal 0 checks without signalling; `EPERM` means it
 * exists but belongs to another user.
 */
export async function processIsAlive(pid: number): Promise<boolean> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  const process = await importModule<Process>("node:process");
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
