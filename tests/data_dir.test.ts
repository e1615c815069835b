/**
 * The data directory: created on demand, refused with a clear error when unusable, locked against
 * a second live process, and taken over from a dead one.
 */
import { withTempDir } from "./support/temp_dir.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { openDataDir, processIsAlive } from "../src/runtime/data_dir.ts";
import { runtimeName } from "../src/runtime/mod.ts";

function expectDataDirError(code: string, ...mentions: (string | number)[]) {
  return (error: Error & { code?: string; path?: string }) => {
    assert.equal(error.name, "DataDirError");
    assert.equal(error.code, code);
    for (const mention of mentions) {
      assert.ok(error.message.includes(String(mention)), `"${error.message}" names ${mention}`);
    }
    return true;
  };
}

/** The command that runs a script file on the runtime running these tests. */
function scriptCommand(script: string, args: string[]): string[] {
  return runtimeName() === "deno" ? ["run", "-A", script, ...args] : [script, ...args];
}

/** A real process that opens `dir` as its data directory and holds it until killed. */
async function startHolder(scratch: string, dir: string) {
  const script = join(scratch, "holder.mjs");
  const module = new URL("../src/runtime/data_dir.ts", import.meta.url).href;
  await writeFile(
    script,
    `import process from "node:process";
     const { openDataDir } = await import(${JSON.stringify(module)});
     await openDataDir(process.argv[2]);
     process.stdout.write("locked\\n");
     setInterval(() => {}, 1000);`,
  );
  const child = spawn(process.execPath, scriptCommand(script, [dir]), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = once(child, "exit");
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => String(chunk).includes("locked") && resolve());
    exited.then(([code]) => reject(new Error(`holder exited with ${code}: ${output}`)));
  });
  return {
    pid: child.pid!,
    async kill() {
      child.kill("SIGKILL"); // no chance to release: the lock it leaves is stale
      await exited;
    },
  };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["--version"], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid!;
}

describe("openDataDir", () => {
  it("creates a missing directory, locks it with our pid and releases it", () =>
    withTempDir("datadir", async (scratch) => {
      const path = join(scratch, "a", "b", "data");
      const dir = await openDataDir(path);
      assert.equal(dir.path, path);
      assert.ok((await stat(path)).isDirectory());
      assert.equal((await readFile(join(path, "LOCK"), "utf8")).trim(), String(process.pid));
      await dir.release();
      await assert.rejects(stat(join(path, "LOCK")), { code: "ENOENT" });
      await dir.release(); // twice is fine
      const again = await openDataDir(path);
      await again.release();
    }));

  it("refuses a path under a regular file with DATA_DIR_UNUSABLE naming the path and reason", () =>
    withTempDir("datadir", async (scratch) => {
      const file = join(scratch, "file");
      await writeFile(file, "not a directory");
      const path = join(file, "data");
      await assert.rejects(openDataDir(path), expectDataDirError("DATA_DIR_UNUSABLE", path, "ENOTDIR"));
      await assert.rejects(openDataDir(file), expectDataDirError("DATA_DIR_UNUSABLE", file));
    }));

  // Root writes through any mode bits, so this check only means something for other users; as
  // root it shows as skipped rather than vanishing from the report.
  const asRoot = process.getuid?.() === 0;
  it(
    "refuses a directory it cannot write with DATA_DIR_UNUSABLE",
    { skip: asRoot && "root writes through mode bits" },
    () =>
      withTempDir("datadir", async (scratch) => {
        const path = join(scratch, "readonly");
        await mkdir(path);
        await chmod(path, 0o500);
        try {
          await assert.rejects(openDataDir(path), expectDataDirError("DATA_DIR_UNUSABLE", path, "EACCES"));
        } finally {
          await chmod(path, 0o700);
        }
      }),
  );

  it("refuses a directory a live process holds with DATA_DIR_LOCKED naming the pid, then takes it over once that process is killed", () =>
    withTempDir("datadir", async (scratch) => {
      const path = join(scratch, "data");
      const holder = await startHolder(scratch, path);
      try {
        await assert.rejects(openDataDir(path), expectDataDirError("DATA_DIR_LOCKED", holder.pid, path));
      } finally {
        await holder.kill();
      }
      const dir = await openDataDir(path);
      assert.equal((await readFile(join(path, "LOCK"), "utf8")).trim(), String(process.pid));
      await dir.release();
    }));

  it("refuses a second open from the same process until the first is released", () =>
    withTempDir("datadir", async (scratch) => {
      const path = join(scratch, "data");
      const first = await openDataDir(path);
      await assert.rejects(openDataDir(path), expectDataDirError("DATA_DIR_LOCKED", process.pid));
      await first.release();
      const second = await openDataDir(path);
      await second.release();
    }));

  it("takes over a stale LOCK whose process is gone, or that holds no pid", () =>
    withTempDir("datadir", async (scratch) => {
      const path = join(scratch, "data");
      await mkdir(path);
      for (const stale of [`${await deadPid()}\n`, "", "garbage"]) {
        await writeFile(join(path, "LOCK"), stale);
        const dir = await openDataDir(path);
        assert.equal((await readFile(join(path, "LOCK"), "utf8")).trim(), String(process.pid), JSON.stringify(stale));
        await dir.release();
      }
    }));
});

describe("processIsAlive", () => {
  it("tells a live process from a gone one", async () => {
    assert.equal(await processIsAlive(process.pid), true);
    assert.equal(await processIsAlive(await deadPid()), false);
    assert.equal(await processIsAlive(1), true, "init: alive, even when signalling it is not permitted (EPERM)");
    assert.equal(await processIsAlive(-1), false);
  });
});
