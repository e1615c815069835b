/**
 * Local-mode benchmark: tasks/s, actor calls/s (1:1 and many:many), a 3-step chain's latency and a
 * chord of 100, each beside a bare-runtime baseline doing the same work with plain async calls.
 * The tuned rows use concurrency 4,096, a mailbox of 4,096 and batches of 1,000; the default-options
 * rows are the pattern users write: an app with no options but `"memory"` durability (concurrency
 * 1,024, mailboxes of 1,024), bursts of 1,000 and of 10,000 in flight, each awaited with `.get()`.
 * A burst of 10,000 is more than a mailbox holds, so most of its callers wait for room.
 * Writes bench/results/local-<runtime>.json and prints a Markdown table.
 *
 * Run: `node bench/local.ts` (or `deno run -A bench/local.ts`, `bun bench/local.ts`).
 */
// The bare-runtime baselines are async functions that never await, on purpose: plain async calls.
// deno-lint-ignore-file require-await
import { mkdir, writeFile } from "node:fs/promises";
import { ActantApp, chain, chord } from "../mod.ts";
import { fmt, median, medianOf, percentile, runtime } from "./stats.ts";

const ROUNDS = 5;
const TASKS = 200_000;
const CALLS = 200_000;
const BATCH = 1_000;
const BURSTS = [1_000, 10_000];
/** More rounds for the burst rows: their ratio is a target, and this machine is shared. */
const BURST_ROUNDS = 9;
const CHAIN_SAMPLES = 20_000;
const CHORD_SAMPLES = 300;

const app = new ActantApp("bench", { durability: "memory", concurrency: 4096 });
const inc = app.task("inc", (n: number) => n + 1);
const double = app.task("double", (n: number) => n * 2);
const sum = app.task("sum", (ns: number[]) => ns.reduce((a, b) => a + b, 0));

class CounterClass {
  count = 0;
  add(n: number) {
    this.count += n;
    return this.count;
  }
}
const Counter = app.actor("Counter", CounterClass, { mailboxCapacity: 4096 });

const bareInc = async (n: number) => n + 1;
const bareDouble = async (n: number) => n * 2;
const bareSum = async (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/** Runs `count` operations in batches of `batch` concurrent ones; returns operations per second. */
async function rate(count: number, batch: number, op: (i: number) => PromiseLike<unknown>): Promise<number> {
  const start = performance.now();
  const inflight: PromiseLike<unknown>[] = new Array(batch);
  for (let done = 0; done < count; done += batch) {
    for (let j = 0; j < batch; j++) inflight[j] = op(done + j);
    await Promise.all(inflight);
  }
  return (count / (performance.now() - start)) * 1000;
}

/**
 * The median of `rounds` runs of each of `runs`, taken in turn (all of them once, then again, …) so
 * that a busy minute on a shared machine weighs on every one of them alike.
 */
async function interleavedMedians(rounds: number, runs: (() => Promise<number>)[]): Promise<number[]> {
  const results: number[][] = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < runs.length; i++) results[i].push(await runs[i]());
  }
  return results.map(median);
}

/** Latencies in µs of `samples` sequential runs of `op`. */
async function latencies(samples: number, op: () => PromiseLike<unknown>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await op();
    result.push((performance.now() - start) * 1000);
  }
  return result;
}

interface Row {
  metric: string;
  actant: number;
  baseline: number;
  unit: string;
}
const rows: Row[] = [];

// Warm up both paths so the JIT has seen them.
await rate(50_000, BATCH, (i) => inc.call(i));
await rate(50_000, BATCH, (i) => bareInc(i));

rows.push({
  metric: "trivial tasks (submit + result)",
  actant: await medianOf(ROUNDS, () => rate(TASKS, BATCH, (i) => app.submit(inc.s(i)))),
  baseline: await medianOf(ROUNDS, () => rate(TASKS, BATCH, (i) => bareInc(i))),
  unit: "ops/s",
});

const counter = await app.createActor(Counter);
const bareCounter = new CounterClass();
const bareCall = async (n: number) => bareCounter.add(n);
rows.push({
  metric: "actor calls, 1 caller : 1 actor",
  actant: await medianOf(ROUNDS, () => rate(CALLS, BATCH, () => counter.add(1))),
  baseline: await medianOf(ROUNDS, () => rate(CALLS, BATCH, () => bareCall(1))),
  unit: "ops/s",
});

const ACTORS = 16;
const counters = await Promise.all(Array.from({ length: ACTORS }, () => app.createActor(Counter)));
const bareCounters = Array.from({ length: ACTORS }, () => new CounterClass());
async function manyToMany(call: (actor: number) => PromiseLike<unknown>): Promise<number> {
  // ACTORS callers, each pipelining to every actor in turn.
  const start = performance.now();
  const perCaller = CALLS / ACTORS;
  await Promise.all(Array.from({ length: ACTORS }, async (_, caller) => {
    const inflight: PromiseLike<unknown>[] = [];
    for (let i = 0; i < perCaller; i++) {
      inflight.push(call((caller + i) % ACTORS));
      if (inflight.length === Math.floor(BATCH / ACTORS)) {
        await Promise.all(inflight);
        inflight.length = 0;
      }
    }
    await Promise.all(inflight);
  }));
  return (CALLS / (performance.now() - start)) * 1000;
}
rows.push({
  metric: `actor calls, ${ACTORS} callers : ${ACTORS} actors`,
  actant: await medianOf(ROUNDS, () => manyToMany((a) => counters[a].add(1))),
  baseline: await medianOf(ROUNDS, () => manyToMany(async (a) => bareCounters[a].add(1))),
  unit: "ops/s",
});

// The pattern users write: default options (memory durability), bursts awaited with `.get()`.
const defaults = new ActantApp("bench-defaults", { durability: "memory" });
const defaultInc = defaults.task("inc", (n: number) => n + 1);
const defaultCounter = await defaults.createActor(defaults.actor("Counter", CounterClass));
const defaultBareCounter = new CounterClass();
const defaultBareCall = async (n: number) => defaultBareCounter.add(n);
for (const burst of BURSTS) {
  await rate(50_000, burst, (i) => defaultInc.call(i).get());
  await rate(50_000, burst, () => defaultCounter.add(1).get());
}
const burstRates: Record<string, number[]> = {};
const kinds = [
  { kind: "tasks", label: "trivial tasks", how: "`task.call().get()`", count: TASKS },
  { kind: "calls", label: "actor calls", how: "`.get()`", count: CALLS },
] as const;
const kindOps = {
  tasks: { actant: (i: number) => defaultInc.call(i).get(), bare: (i: number) => bareInc(i) },
  calls: { actant: () => defaultCounter.add(1).get(), bare: () => defaultBareCall(1) },
};
for (const { kind, label, how, count } of kinds) {
  // Both bursts and both sides in turn, so the ratio of the bursts is taken in the same minutes.
  const ops = kindOps[kind];
  const medians = await interleavedMedians(
    BURST_ROUNDS,
    BURSTS.flatMap((burst) => [() => rate(count, burst, ops.actant), () => rate(count, burst, ops.bare)]),
  );
  burstRates[kind] = BURSTS.map((_, b) => medians[2 * b]);
  BURSTS.forEach((burst, b) => {
    rows.push({
      metric: `${label}, default options, ${fmt(burst)} in flight (${how})`,
      actant: medians[2 * b],
      baseline: medians[2 * b + 1],
      unit: "ops/s",
    });
  });
}
await defaults.close();
const [small, large] = BURSTS;
/** Throughput with bursts of 10,000 in flight over that with bursts of 1,000 (1 = no cliff). */
const bursts = {
  tasks: burstRates.tasks[1] / burstRates.tasks[0],
  calls: burstRates.calls[1] / burstRates.calls[0],
};

const workflow = chain(inc.s(1), double.s(), inc.s());
const chainLat = await latencies(CHAIN_SAMPLES, () => app.submit(workflow));
const bareChainLat = await latencies(CHAIN_SAMPLES, async () => bareInc(await bareDouble(await bareInc(1))));
rows.push({ metric: "3-step chain latency p50", actant: median(chainLat), baseline: median(bareChainLat), unit: "µs" });
rows.push({
  metric: "3-step chain latency p99",
  actant: percentile(chainLat, 99),
  baseline: percentile(bareChainLat, 99),
  unit: "µs",
});

const header = Array.from({ length: 100 }, (_, i) => inc.s(i));
const chordFlow = chord(header, sum.s());
const chordLat = await latencies(CHORD_SAMPLES, () => app.submit(chordFlow));
const bareChordLat = await latencies(
  CHORD_SAMPLES,
  async () => bareSum(await Promise.all(Array.from({ length: 100 }, (_, i) => bareInc(i)))),
);
rows.push({
  metric: "chord of 100, latency p50",
  actant: median(chordLat),
  baseline: median(bareChordLat),
  unit: "µs",
});

await app.close();

const result = { benchmark: "local", runtime: runtime(), date: new Date().toISOString(), rows, bursts };
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
const name = runtime().split(" ")[0];
await writeFile(new URL(`./results/local-${name}.json`, import.meta.url), JSON.stringify(result, null, 2) + "\n");

console.log(`Actant local mode, ${result.runtime} (median of ${ROUNDS} rounds; baseline = plain async calls)\n`);
console.log("| metric | Actant | bare runtime | Actant / bare |");
console.log("|---|---:|---:|---:|");
for (const row of rows) {
  const ratio = row.unit === "ops/s" ? row.actant / row.baseline : row.actant / row.baseline;
  console.log(
    `| ${row.metric} | ${fmt(row.actant, row.unit === "µs" ? 1 : 0)} ${row.unit} | ${
      fmt(row.baseline, row.unit === "µs" ? 1 : 0)
    } ${row.unit} | ${fmt(ratio, 2)}× |`,
  );
}
console.log(
  `\nDefault options, ${fmt(large)} in flight over ${fmt(small)} in flight: tasks ${fmt(bursts.tasks, 2)}×, ` +
    `actor calls ${fmt(bursts.calls, 2)}×`,
);
