// Crash recovery with real processes: a worker on a durable app is killed with SIGKILL at several
// points, restarted on the same data directory, and must finish with nothing acknowledged lost.
import { until } from "./support/async.ts";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

/** {@linkcode until} with this file's bound (worker processes start and recover under load). */
const untilWithin = (check: () => boolean, what: string) => until(check, what, { limitMs: 60_000 });

const worker = new URL("./fixtures/crash_worker.ts", import.meta.url).pathname;
const STEPS = 100;

function command(args: string[]): [string, string[]] {
  const g = globalThis as { Deno?: unknown };
  return g.Deno !== undefined
    ? [process.execPath, ["run", "-A", worker, ...args]]
    : [process.execPath, [worker, ...args]];
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Run {
  const [cmd, argv] = command(args);
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((line) => line !== "") : [];
}

async function crashAndRecover(killAfterEffects: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "actant-crash-"));
  const dataDir = join(work, "data");
  try {
    const first = start([dataDir, work, "first"]);
    await untilWithin(
      () => first.output().includes("ready") || first.child.exitCode !== null,
      "the first worker to start",
    );
    const effectsFile = join(work, "effects.log");
    const acksFile = join(work, "acks.log");
    // Killed only once there is something to check: an acknowledged task and actor call, and a
    // chain step whose successor has started (else the checks below would loop over nothing).
    await untilWithin(() => {
      if (first.child.exitCode !== null) throw new Error(`the first worker exited before the kill:\n${first.output()}`);
      const acks = lines(acksFile);
      return lines(effectsFile).length >= killAfterEffects && acks.some((line) => line.startsWith("job ")) &&
        acks.some((line) => line.startsWith("add ")) && lines(effectsFile).some((line) => line.startsWith("step 1 "));
    }, `${killAfterEffects} side effects`);
    first.child.kill("SIGKILL");
    await first.exited;
    const pid1 = String(first.child.pid);
    const effectsBefore = lines(effectsFile);
    const acksBefore = lines(acksFile);

    const second = start([dataDir, work, "resume"]);
    const code = await second.exited;
    const out = second.output();
    assert.equal(code, 0, `the resumed worker failed:\n${out}`);

    // The workflow finishes with the result it would have had without the crash.
    const result = /result (\d+) total (\d+)/.exec(out);
    assert.ok(result, `no result line in:\n${out}`);
    assert.equal(Number(result[1]), STEPS);

    const effects = lines(effectsFile);
    const pid2 = String(second.child.pid);
    const ranIn = (kind: string, label: string, pid: string) =>
      effects.some((line) => line === `${kind} ${label} ${pid}`);

    // No standalone task whose success was acknowledged ran again.
    const jobAcks = acksBefore.filter((line) => line.startsWith("job "));
    assert.ok(jobAcks.length > 0, "a task was acknowledged before the kill");
    for (const ack of jobAcks) {
      const id = ack.slice(4);
      assert.equal(ranIn("job", id, pid2), false, `acknowledged task ${id} ran again after the restart`);
    }
    // A chain step whose successor had started before the kill had recorded its success: it never reruns.
    assert.ok(ranIn("step", "1", pid1), "step 1 started before the kill");
    for (let i = 0; i < STEPS - 1; i++) {
      if (ranIn("step", String(i + 1), pid1)) {
        assert.equal(ranIn("step", String(i), pid2), false, `step ${i} ran again though step ${i + 1} had started`);
      }
    }
    // Every step ran, at least once.
    for (let i = 0; i < STEPS; i++) {
      assert.ok(ranIn("step", String(i), pid1) || ranIn("step", String(i), pid2), `step ${i} never ran`);
    }
    // The actor came back with the state its acknowledged calls imply: every acknowledged add is in it;
    // at most the one call in flight at the kill (logged, not yet answered) is in it too.
    const acked = acksBefore.filter((line) => line.startsWith("add ")).map((line) => Number(line.slice(4)));
    assert.ok(acked.length > 0, "an actor call was acknowledged before the kill");
    const lastAcked = Math.max(...acked);
    const recovered = Number(/recovered-total (\d+)/.exec(out)?.[1]);
    assert.ok(
      recovered >= lastAcked && recovered <= lastAcked + 1,
      `actor state ${recovered}, acknowledged ${lastAcked}`,
    );
    // The resumed process's own acknowledgements continue from there, without gaps or repeats.
    const after = lines(acksFile).slice(acksBefore.length).filter((line) => line.startsWith("add "));
    assert.ok(after.length > 0, "the resumed process made actor calls of its own");
    after.forEach((line, i) => assert.equal(Number(line.slice(4)), recovered + i + 1));
    assert.equal(Number(result[2]), recovered + after.length);
    assert.ok(effectsBefore.length >= killAfterEffects);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe("crash recovery (SIGKILL, then restart on the same data directory)", { timeout: 240_000 }, () => {
  // Several kill points: early (the workflow barely started), middle, late; each lands at whatever
  // the worker was doing then, commits included.
  for (const base of [5, 60, 200]) {
    it(`a worker killed after ${base} to ${base * 2} side effects finishes its workflow, reruns no acknowledged task and keeps its actor's state`, async () => {
      // A random point in the range: over runs, kills land everywhere, commits included.
      await crashAndRecover(base + Math.floor(Math.random() * (base + 1)));
    });
  }
});
