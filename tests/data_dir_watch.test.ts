/**
 * A data directory vanishing under a running node (issue 8, finding 4): the node notices within
 * a bounded poll and stops acknowledging (pending work rejects, new work is refused, with
 * `DataDirError` `DATA_DIR_GONE`), `actant worker` exits non-zero; and with its LOCK deleted, a
 * second worker still cannot run on the same data dir while the first lives.
 */
import { withTempDir } from "./support/temp_dir.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { runCli, startWorker } from "./support/actant_cli.ts";
import { until, within } from "./support/async.ts";
import { integrityApp } from "./fixtures/integrity_app.ts";

/** {@linkcode until} with this file's bound (a worker process and its client start). */
const untilWithin = (check: () => boolean, what: string) => until(check, what, { limitMs: 20_000 });

const appModule = new URL("./fixtures/integrity_app.ts", import.meta.url).pathname;
const loadScript = new URL("./fixtures/integrity_load.ts", import.meta.url).pathname;
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("a data directory vanishing under a running node", { timeout: 120_000 }, () => {
  it("a local app stops acknowledging once its data dir is deleted: pending and new work get DATA_DIR_GONE", () =>
    withTempDir("watch", async (scratch) => {
      const dataDir = join(scratch, "data");
      const { app, double } = integrityApp({ dataDir });
      await app.start();
      let acks = 0;
      const failures: { name: string; code?: string }[] = [];
      let running = true;
      const loops = Array.from({ length: 16 }, async () => {
        for (let i = 0; running; i++) {
          try {
            await double.call(i);
            acks++;
          } catch (error) {
            failures.push(error as { name: string; code?: string });
            return;
          }
        }
      });
      await untilWithin(() => acks >= 200, "200 acknowledgements");
      await rm(dataDir, { recursive: true, force: true });
      const lost = await within(app.dataDirLost(), 10_000, "noticing the data dir is gone");
      const acksAtDetection = acks;
      running = false;
      await within(Promise.all(loops), 10_000, "every pending call settling");
      assert.equal(lost.name, "DataDirError");
      assert.equal(lost.code, "DATA_DIR_GONE");
      assert.equal(lost.path, dataDir);
      assert.equal(acks, acksAtDetection, "nothing is acknowledged after the loss is detected");
      assert.equal(failures.length, 16, "every loop's pending call rejected");
      for (const failure of failures) assert.equal(failure.code, "DATA_DIR_GONE", JSON.stringify(failure));
      assert.throws(() => double.call(1), { name: "DataDirError", code: "DATA_DIR_GONE" });
      await app.close();
    }));

  it("a data.mdb replaced by a copy, or a LOCK naming another process, stops the app the same way", () =>
    withTempDir("watch", async (scratch) => {
      const cases: [string, (dataDir: string) => Promise<void>, RegExp][] = [
        ["replaced", async (dataDir) => {
          const file = join(dataDir, "log", "data.mdb");
          await copyFile(file, `${file}.copy`);
          await rename(`${file}.copy`, file);
        }, /log\/data\.mdb was replaced/],
        ["relocked", (dataDir) => writeFile(join(dataDir, "LOCK"), "1\n"), /LOCK file now names "1"/],
      ];
      for (const [name, damage, reason] of cases) {
        const dataDir = join(scratch, name);
        const { app, double } = integrityApp({ dataDir });
        assert.equal(await double.call(2), 4);
        await damage(dataDir);
        const lost = await within(app.dataDirLost(), 10_000, `noticing the ${name} file`);
        assert.equal(lost.code, "DATA_DIR_GONE");
        assert.match(lost.message, reason);
        await assert.rejects(async () => await double.call(3), { name: "DataDirError", code: "DATA_DIR_GONE" });
        await app.close();
      }
    }));

  it("`actant worker` whose data dir is deleted exits non-zero with DATA_DIR_GONE; its client sees no ack after", () =>
    withTempDir("watch", async (scratch) => {
      const dataDir = join(scratch, "data");
      const worker = await startWorker(["--app", appModule, "--data", dataDir]);
      const argv = isDeno ? ["run", "-A", loadScript, worker.address] : [loadScript, worker.address];
      const load = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      load.stdout!.on("data", (chunk) => (out += chunk));
      try {
        await untilWithin(() => (out.match(/^ack /gm)?.length ?? 0) >= 100, "100 acknowledgements to the client");
        await rm(dataDir, { recursive: true, force: true });
        const { code, signal } = await within(exited(worker.child), 20_000, "the worker exiting");
        assert.equal(signal, null);
        assert.equal(code, 1, worker.output());
        assert.match(worker.output(), /stopping: DataDirError: .*the directory was removed.*\(DATA_DIR_GONE\)/);
        await untilWithin(() => /^error /m.test(out), "the client seeing a failure");
        const lines = out.split("\n").filter(Boolean);
        const first = lines.findIndex((line) => line.startsWith("error "));
        assert.ok(first > 0, out);
        assert.deepEqual(
          lines.slice(first).filter((line) => line.startsWith("ack ")),
          [],
          "no ack after the first failure",
        );
      } finally {
        load.kill("SIGKILL");
        await exited(load);
        await worker.stop();
      }
    }));

  it("with LOCK deleted, a second worker on the same --data is refused while the first lives; the first stops", () =>
    withTempDir("watch", async (scratch) => {
      const dataDir = join(scratch, "data");
      const first = await startWorker(["--app", appModule, "--data", dataDir]);
      try {
        await rm(join(dataDir, "LOCK"));
        // Frozen, the first cannot notice; LMDB's reader table still shows it has the store open.
        // process.kill, not child.kill: Deno's ChildProcess takes a stopped child for an exited one.
        process.kill(first.child.pid!, "SIGSTOP");
        const second = await runCli(["worker", "--app", appModule, "--data", dataDir]);
        assert.equal(second.code, 1, second.stdout + second.stderr);
        assert.match(
          second.stderr,
          new RegExp(`DataDirError: .*process ${first.child.pid} has its LMDB store open.*\\(DATA_DIR_LOCKED\\)`),
        );
        process.kill(first.child.pid!, "SIGCONT");
        const { code } = await within(exited(first.child), 20_000, "the first worker exiting");
        assert.equal(code, 1, first.output());
        assert.match(first.output(), /stopping: DataDirError: .*LOCK file was removed.*\(DATA_DIR_GONE\)/);
        // Once the first is gone, the data dir is free again, with everything it acknowledged.
        const third = await startWorker(["--app", appModule, "--data", dataDir]);
        assert.match(third.output(), /ready: app "integrity"/);
        await third.stop();
      } finally {
        if (first.child.exitCode === null) process.kill(first.child.pid!, "SIGCONT");
        await first.stop();
      }
    }));
});
