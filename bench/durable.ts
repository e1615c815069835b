/**
 * Durable-mode benchmark: tasks/s and actor calls/s under "batched" and "sync", and recovery time
 * of a 100,000-event log, beside a raw `lmdb` baseline in the same run (the same number of puts,
 * batched in transactions, and individually fsynced). Also: a 3-step chain's latency in "batched"
 * beside the same chain in "memory" and three raw fsynced puts (interleaved), and a burst of BURST tasks
 * submitted at once (memory and batched), each in a child process that reports its peak RSS.
 * Writes bench/results/durable-<runtime>.json.
 *
 * Run: `node bench/durable.ts` (or `deno run -A bench/durable.ts`, `bun bench/durable.ts`).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import process from "node:process";
import { ActantApp, chain } from "../mod.ts";
import { fmt, median, medianOf, percentile, runtime, throughput } from "./stats.ts";

const ROUNDS = 3;
const BATCH = 1_000;
const TASKS = { batched: 100_000, sync: 40_000 } as const;
const RECOVERY_EVENTS = 100_000;
const CHAIN_SAMPLES = 300;
const FSYNC_SAMPLES = 300;
const BURST = 1_000_000;
const BURST_LIMIT_MS = 300_000; // a burst child that runs longer is killed, and the row says so

const root = await mkdtemp(join(tmpdir(), "actant-bench-"));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

/** Operations per second with BATCH operations in flight at all times. */
function rate(count: number, op: (i: number) => PromiseLike<unknown>): Promise<number> {
  return throughput(count, BATCH, op);
}

class CounterClass {
  count = 0;
  add(n: number) {
    this.count += n;
    return this.count;
  }
}

async function durableRates(durability: "batched" | "sync"): Promise<{ tasks: number; calls: number }> {
  const app = new ActantApp("bench", { dataDir: freshDir(), durability });
  const inc = app.task("inc", (n: number) => n + 1);
  const Counter = app.actor("Counter", CounterClass, { mailboxCapacity: 4096 });
  await app.start();
  const counter = await app.createActor(Counter);
  const count = TASKS[durability];
  await rate(BATCH * 5, (i) => inc.call(i)); // warm-up
  const tasks = await medianOf(ROUNDS, () => rate(count, (i) => inc.call(i)));
  const calls = await medianOf(ROUNDS, () => rate(count, () => counter.add(1)));
  await app.close();
  return { tasks, calls };
}

/** Time to open a log of `events` events and replay it (no checkpoint: every event is read). */
async function recoveryMs(): Promise<number> {
  const dataDir = freshDir();
  const writer = new ActantApp("bench", { dataDir, checkpointInterval: 10_000_000, keepResults: 1_000_000 });
  const inc = writer.task("inc", (n: number) => n + 1);
  await writer.start();
  await rate(RECOVERY_EVENTS / 2, (i) => inc.call(i)); // submitted + succeeded: two events per task
  await writer.close();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const reader = new ActantApp("bench", { dataDir, checkpointInterval: 10_000_000, keepResults: 1_000_000 });
    reader.task("inc", (n: number) => n + 1);
    const start = performance.now();
    await reader.start();
    times.push(performance.now() - start);
    await reader.close();
  }
  return median(times);
}

/** Raw lmdb: `count` small puts, BATCH per transaction (awaited), and `synced` puts each awaited to disk. */
async function rawLmdb(count: number, synced: number): Promise<{ batched: number; synced: number }> {
  const db = open({ path: freshDir(), encoding: "binary" });
  const value = new Uint8Array(64);
  const batched = await medianOf(ROUNDS, () => rate(count, (i) => db.put(`k${i}`, value)));
  const start = performance.now();
  for (let i = 0; i < synced; i++) {
    await db.put(`s${i}`, value);
    await db.flushed;
  }
  const syncedRate = (synced / (performance.now() - start)) * 1000;
  await db.close();
  return { batched, synced: syncedRate };
}

/** An app with the chain's two tasks, started. */
async function chainApp(durability: "batched" | "memory") {
  const app = new ActantApp("bench", durability === "memory" ? { durability } : { dataDir: freshDir(), durability });
  const inc = app.task("inc", (n: number) => n + 1);
  const double = app.task("double", (n: number) => n * 2);
  await app.start();
  const run = async (i: number) => {
    if ((await app.submit(chain(inc.s(i), double.s(), inc.s()))) !== (i + 1) * 2 + 1) {
      throw new Error("wrong chain result");
    }
  };
  return { app, run };
}

/**
 * Latencies (ms) of CHAIN_SAMPLES 3-step chains in "batched" and in "memory", each run one after
 * the other, and of FSYNC_SAMPLES raw lmdb puts each awaited until it is on disk: interleaved in
 * rounds of 10, so that the chain and the puts it is compared with meet the same disk (a shared
 * disk's fsync time changes from one minute to the next).
 */
async function chainAndFsyncLatencies(): Promise<{ batched: number[]; memory: number[]; fsynced: number[] }> {
  const batched = await chainApp("batched");
  const memory = await chainApp("memory");
  const db = open({ path: freshDir(), encoding: "binary" });
  const value = new Uint8Array(64);
  const samples = { batched: [] as number[], memory: [] as number[], fsynced: [] as number[] };
  const time = async (into: number[] | undefined, op: () => Promise<unknown>) => {
    const start = performance.now();
    await op();
    into?.push(performance.now() - start);
  };
  for (let round = -2; round < CHAIN_SAMPLES / 10; round++) { // two rounds of warm-up
    const keep = round >= 0;
    for (let i = 0; i < 10; i++) await time(keep ? samples.batched : undefined, () => batched.run(i));
    for (let i = 0; i < 10; i++) await time(keep ? samples.memory : undefined, () => memory.run(i));
    for (let i = 0; i < FSYNC_SAMPLES / (CHAIN_SAMPLES / 10); i++) {
      await time(keep ? samples.fsynced : undefined, async () => {
        await db.put(`f${round}-${i}`, value);
        await db.flushed;
      });
    }
  }
  await Promise.all([batched.app.close(), memory.app.close(), db.close()]);
  return samples;
}

/** One burst in a child process of this runtime (see durable_burst_child.ts); `undefined` if it did not finish. */
function burst(
  durability: "memory" | "batched",
): Promise<{ rate: number; peakRssMB: number; seconds: number } | undefined> {
  const child = new URL("./durable_burst_child.ts", import.meta.url).pathname;
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const args = [...(deno ? ["run", "-A"] : []), child, durability, String(BURST)];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: BURST_LIMIT_MS, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) {
        console.log(`note: the ${durability} burst did not finish: ${error.message.split("\n")[0]}`);
        return resolve(undefined);
      }
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)!));
    });
  });
}

const batched = await durableRates("batched");
const sync = await durableRates("sync");
const recovery = await recoveryMs();
const raw = await rawLmdb(TASKS.batched, 2_000);
const { batched: chainBatched, memory: chainMemory, fsynced } = await chainAndFsyncLatencies();
const burstMemory = await burst("memory");
const burstBatched = await burst("batched");
await rm(root, { recursive: true, force: true });
const chainBudget = (median(chainMemory) + 3 * median(fsynced)) * 1.2;

const rows = [
  { metric: 'trivial tasks, durability "batched"', actant: batched.tasks, unit: "ops/s", target: "≥ 200,000/s" },
  { metric: 'actor calls, durability "batched"', actant: batched.calls, unit: "ops/s", target: "" },
  { metric: 'trivial tasks, durability "sync"', actant: sync.tasks, unit: "ops/s", target: "≥ 50,000/s" },
  { metric: 'actor calls, durability "sync"', actant: sync.calls, unit: "ops/s", target: "" },
  { metric: `recovery of a ${fmt(RECOVERY_EVENTS)}-event log`, actant: recovery, unit: "ms", target: "< 1,000 ms" },
  { metric: "raw lmdb puts, batched transactions (baseline)", actant: raw.batched, unit: "ops/s", target: "" },
  { metric: "raw lmdb puts, each fsynced (baseline)", actant: raw.synced, unit: "ops/s", target: "" },
  {
    metric: '3-step chain latency p50, durability "batched"',
    actant: median(chainBatched),
    unit: "ms",
    target: `≤ ${fmt(chainBudget, 2)} ms`,
  },
  {
    metric: '3-step chain latency p99, durability "batched"',
    actant: percentile(chainBatched, 99),
    unit: "ms",
    target: "",
  },
  {
    metric: '3-step chain latency p50, durability "memory" (baseline)',
    actant: median(chainMemory),
    unit: "ms",
    target: "",
  },
  { metric: "raw lmdb put, fsynced, latency p50 (baseline)", actant: median(fsynced), unit: "ms", target: "" },
  ...(["memory", "batched"] as const).flatMap((durability) => {
    const measured = durability === "memory" ? burstMemory : burstBatched;
    return [
      {
        metric: `${fmt(BURST)} tasks submitted at once, "${durability}": peak RSS`,
        actant: measured?.peakRssMB ?? NaN,
        unit: "MB",
        target: "≤ 500 MB",
      },
      {
        metric: `${fmt(BURST)} tasks submitted at once, "${durability}": tasks/s`,
        actant: measured?.rate ?? NaN,
        unit: "ops/s",
        target: durability === "batched" ? `≥ 0.5 × ${fmt(batched.tasks)}` : "",
      },
    ];
  }),
];
const result = { benchmark: "durable", runtime: runtime(), date: new Date().toISOString(), rows };
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
const name = runtime().split(" ")[0];
await writeFile(new URL(`./results/durable-${name}.json`, import.meta.url), JSON.stringify(result, null, 2) + "\n");

console.log(`Actant durable mode, ${result.runtime} (median of ${ROUNDS} rounds)\n`);
console.log("| metric | value | target |");
console.log("|---|---:|---:|");
for (const row of rows) {
  console.log(`| ${row.metric} | ${fmt(row.actant, row.unit === "ms" ? 2 : 0)} ${row.unit} | ${row.target} |`);
}
