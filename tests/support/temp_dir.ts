// A temporary directory for one test, removed afterwards whatever the test did.
// (Not a test file: no runner picks it up.)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `test` with a fresh directory under the system's temp dir named `actant-<prefix>-…`, then removes it. */
export async function withTempDir(prefix: string, test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `actant-${prefix}-`));
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
