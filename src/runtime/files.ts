/**
 * Small whole-file reads and writes (key files and the like) for server runtimes. In a browser
 * every call rejects, since `node:fs` cannot be loaded there.
 *
 * @module
 */
import { importModule } from "./import_module.ts";

type Fs = typeof import("node:fs/promises");

/** The bytes of the file at `path`, or `undefined` when there is no such file. */
export async function readFileBytes(path: string): Promise<Uint8Array | undefined> {
  const fs = await importModule<Fs>("node:fs/promises");
  try {
    const bytes = await fs.readFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Options of {@linkcode writeFileOnce}. */
export interface WriteFileOnceOptions {
  /** File mode of the new file, e.g. `0o600` for a secret. */
  mode?: number;
}

/**
 * Creates the file at `path` holding `bytes`, unless it exists; returns whether it was created.
 * The parent directory is created if needed. The file is written in full under a private name and
 * linked into place, so no reader ever sees it half written and two writers cannot both win.
 */
export async function writeFileOnce(path: string, bytes: Uint8Array, options?: WriteFileOnceOptions): Promise<boolean> {
  const fs = await importModule<Fs>("node:fs/promises");
  const slash = path.lastIndexOf("/");
  if (slash > 0) await fs.mkdir(path.slice(0, slash), { recursive: true });
  const draft = `${path}.${crypto.randomUUID()}.tmp`;
  await fs.writeFile(draft, bytes, { flag: "wx", mode: options?.mode ?? 0o644 });
  try {
    const handle = await fs.open(draft, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.link(draft, path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return false;
    throw error;
  } finally {
    await fs.rm(draft, { force: true });
  }
}
