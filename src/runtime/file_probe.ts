/**
 * Looking at files without trusting them: what a file is (size, inode), reading parts of it
 * before anything maps it, and replacing a small file atomically. Server runtimes only; in a
 * browser every call rejects, since `node:fs` cannot be loaded there.
 *
 * @module
 */
import { importModule } from "./import_module.ts";

type Fs = typeof import("node:fs");
type FsPromises = typeof import("node:fs/promises");

/** What a path names: its size and identity (device and inode), or `undefined` when it is absent. */
export interface FileIdentity {
  size: number;
  dev: number;
  ino: number;
  isDirectory: boolean;
}

/** The identity of the file or directory at `path`, or `undefined` when nothing is there. */
export async function identify(path: string): Promise<FileIdentity | undefined> {
  const fs = await importModule<FsPromises>("node:fs/promises");
  try {
    const stat = await fs.stat(path);
    return { size: stat.size, dev: stat.dev, ino: stat.ino, isDirectory: stat.isDirectory() };
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT" || (error as { code?: string }).code === "ENOTDIR") {
      return undefined;
    }
    throw error;
  }
}

/** A file opened for reading parts of it synchronously (a structural check reads many small parts). */
export interface FileReader {
  /** The size of the file when it was opened. */
  readonly size: number;
  /** `length` bytes from `offset`; fewer only at the end of the file. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

/** Opens the file at `path` for {@linkcode FileReader} reads, or `undefined` when it does not exist. */
export async function openFileReader(path: string): Promise<FileReader | undefined> {
  const fs = await importModule<Fs>("node:fs");
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, buffer, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
    close: () => fs.closeSync(fd),
  };
}

/**
 * Replaces the file at `path` with `bytes` atomically: written in full and fsynced under a
 * private name, then renamed over the old one (a reader sees the old file or the new, never
 * half of one), then the directory is fsynced so the rename itself survives a crash.
 */
export async function replaceFile(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await importModule<FsPromises>("node:fs/promises");
  const draft = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    const handle = await fs.open(draft, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(draft, path);
  } catch (error) {
    await fs.rm(draft, { force: true });
    throw error;
  }
  const slash = path.lastIndexOf("/");
  try {
    const dir = await fs.open(slash > 0 ? path.slice(0, slash) : ".", "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some file systems (and runtimes) refuse to fsync a directory; the rename is still atomic.
  }
}
