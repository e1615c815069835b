/**
 * Watching a data directory a node holds, so that it notices when the directory, its `LOCK` or
 * its log file vanish under it (deleted, replaced, the lock taken by another process) and stops
 * acknowledging work into files nobody will read again.
 *
 * Polling, not `fs.watch`: it works alike on Node, Deno and Bun and on every file system, and
 * one tick is three `stat` calls and a read of a 10-byte file.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../common/clock.ts";
import { describe } from "../common/errors.ts";
import { type FileIdentity, identify } from "./file_probe.ts";
import { importModule } from "./import_module.ts";

type FsPromises = typeof import("node:fs/promises");

/** How often a data directory is checked by default; a vanished one is seen within about this. */
export const DATA_DIR_CHECK_MS = 250;

/** Options of {@linkcode watchDataDir}. */
export interface WatchDataDirOptions {
  /** Files inside the directory (relative paths) that must stay the very files they are now. */
  files: readonly string[];
  /** Time between two checks (default {@linkcode DATA_DIR_CHECK_MS}). */
  intervalMs?: number;
  /** Timers; by default real ones that do not keep the process alive. */
  clock?: Clock;
  /** Told once, with what is wrong, when the directory is found gone; the watch then stops. */
  onGone(reason: string): void;
  /** Told after every check that found the directory intact. */
  onIntact?(): void;
}

/** A running watch. */
export interface DataDirWatch {
  /** Stops checking; safe to call more than once. */
  stop(): void;
}

/**
 * Starts watching the data directory at `path`: every `intervalMs` it checks that the
 * directory and each of `files` are still the same inodes as now, and that `LOCK` still holds
 * this process's pid.
 */
export async function watchDataDir(path: string, options: WatchDataDirOptions): Promise<DataDirWatch> {
  const fs = await importModule<FsPromises>("node:fs/promises");
  const { pid } = await importModule<{ pid: number }>("node:process");
  const clock = options.clock ?? backgroundClock;
  const intervalMs = options.intervalMs ?? DATA_DIR_CHECK_MS;
  const paths = [path, ...options.files.map((file) => `${path}/${file}`)];
  const names = ["the directory", ...options.files];
  const initial = await Promise.all(paths.map(identify));
  let stopped = false;
  let timer: TimerHandle | undefined;

  const check = async (): Promise<string | undefined> => {
    const now = await Promise.all(paths.map(identify));
    for (let i = 0; i < paths.length; i++) {
      const problem = changed(names[i], initial[i], now[i]);
      if (problem !== undefined) return problem;
    }
    let text: string;
    try {
      text = await fs.readFile(`${path}/LOCK`, "utf8");
    } catch (error) {
      return (error as { code?: string }).code === "ENOENT"
        ? "its LOCK file was removed"
        : `its LOCK file cannot be read (${describe(error)})`;
    }
    if (text.trim() !== String(pid)) {
      return `its LOCK file now names ${JSON.stringify(text.trim())}, not this process (${pid})`;
    }
    return undefined;
  };
  const tick = async () => {
    let problem: string | undefined;
    try {
      problem = await check();
    } catch (error) {
      problem = `it cannot be checked (${describe(error)})`;
    }
    if (stopped) return;
    if (problem !== undefined) {
      stopped = true;
      options.onGone(problem);
      return;
    }
    options.onIntact?.();
    if (!stopped) timer = clock.setTimeout(tick, intervalMs);
  };
  timer = clock.setTimeout(tick, intervalMs);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}

/** What changed about `name` between two looks, or `undefined` when it is the same. */
function changed(name: string, before: FileIdentity | undefined, after: FileIdentity | undefined): string | undefined {
  if (before === undefined) return undefined; // it did not exist at the start: nothing to compare
  if (after === undefined) return `${name} was removed`;
  if (after.dev !== before.dev || after.ino !== before.ino) return `${name} was replaced by another file`;
  return undefined;
}

/** Real timers that do not keep the process alive (a local app that is never closed still exits). */
const backgroundClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const id = setTimeout(fn, ms);
    unref(id);
    return { cancel: () => clearTimeout(id) };
  },
};

function unref(id: ReturnType<typeof setTimeout>): void {
  const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
  if (typeof id === "number") deno?.unrefTimer?.(id);
  else (id as { unref?(): void }).unref?.();
}
