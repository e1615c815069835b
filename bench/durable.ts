/**
 * Durable-mode benchmark: tasks/s and actor calls/s under "batched" and "sync", and recovery time
 * of a 100,000-event log, beside a raw `lmdb` baseline in the same run (the same number of puts,
 * batched in transactions, and individually fsynced). Writes bench/results/durable-<runtime>.json.
 *
 * Run: `node bench/durable.ts` (or `deno run -A bench/durable.ts`, `bun bench/durable.ts`).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { ActantApp } from "../mod.ts";
import { fmt, median, medianOf, runtime, throughput } from "./stats.ts";

const ROUNDS = 3;
const BATCH = 1_000;
const TASKS = { batched: 100_000, sync: 40_000 } as const;
const RECOVERY_EVENTS = 100_000;

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

const batched = await durableRates("batched");
const sync = await durableRates("sync");
const recovery = await recoveryMs();
const raw = await rawLmdb(TASKS.batched, 2_000);
await rm(root, { recursive: true, force: true });

const rows = [
  { metric: 'trivial tasks, durability "batched"', actant: batched.tasks, unit: "ops/s", target: "≥ 200,000/s" },
  { metric: 'actor calls, durability "batched"', actant: batched.calls, unit: "ops/s", target: "" },
  { metric: 'trivial tasks, durability "sync"', actant: sync.tasks, unit: "ops/s", target: "≥ 50,000/s" },
  { metric: 'actor calls, durability "sync"', actant: sync.calls, unit: "ops/s", target: "" },
  { metric: `recovery of a ${fmt(RECOVERY_EVENTS)}-event log`, actant: recovery, unit: "ms", target: "< 1,000 ms" },
  { metric: "raw lmdb puts, batched transactions (baseline)", actant: raw.batched, unit: "ops/s", target: "" },
  { metric: "raw lmdb puts, each fsynced (baseline)", actant: raw.synced, unit: "ops/s", target: "" },
];
const result = { benchmark: "durable", runtime: runtime(), date: new Date().toISOString(), rows };
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
const name = runtime().split(" ")[0];
await writeFile(new URL(`./results/durable-${name}.json`, import.meta.url), JSON.stringify(result, null, 2) + "\n");

console.log(`Actant durable mode, ${result.runtime} (median of ${ROUNDS} rounds)\n`);
console.log("| metric | value | target |");
console.log("|---|---:|---:|");
for (const row of rows) {
  console.log(`| ${row.metric} | ${fmt(row.actant, row.unit === "ms" ? 1 : 0)} ${row.unit} | ${row.target} |`);
}
