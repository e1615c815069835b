// A temporary directory for one test (or one suite), removed afterwards whatever the test did.
// (Not a test file: no runner picks it up.)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under the system's temp dir, and how to remove it. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

/**
 * Makes a fresh directory under the system's temp dir named `actant-<prefix>-…`; for a suite's
 * `before`/`after` hooks, where one directory outlives a single test.
 */
export async function createTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `actant-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs `test` with a fresh directory under the system's temp dir named `actant-<prefix>-…`, then removes it. */
export async function withTempDir(prefix: string, test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await createTempDir(prefix);
  try {
    await test(dir.path);
  } finally {
    await dir.remove();
  }
}
