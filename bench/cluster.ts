/**
 * Cluster-mode benchmark: Actant workers in separate processes, driven by a client process over
 * libp2p (WebSockets on 127.0.0.1), beside BullMQ on a private `redis-server` in the same run.
 *
 * Both sides run two worker processes; the client (this process) submits and awaits the results:
 * 1. trivial tasks/s: TASKS `add(a, b)` submitted at once, all awaited (end to end, median of ROUNDS);
 * 2. a 3-step chain `inc(1) → double → inc`, run one after the other: latency p50/p99;
 * 3. a chord of 100 (`inc` ×100, then `sum` of their results), one after the other: median latency.
 * Actant: `actant worker --app bench/cluster_worker_app.ts` as w1, and w2 with `--bootstrap <w1>`
 * when the CLI has that option; the client connects to w1. Run twice: with the default durability
 * ("batched": acknowledged once in the log) and with "memory" (no log, like this redis-server).
 * BullMQ: `redis-server --save '' --appendonly no` (in memory), two processes each running a
 * `Worker` (BULL_CONCURRENCY), results read by the client from `QueueEvents` ("completed").
 * Tasks: `addBulk` in chunks of 1,000. Chain and chord: one `FlowProducer.add` each (the flow's
 * parent runs after its children and reads their values), the closest equivalent of a workflow
 * submitted once; the chain is the flow inc ← double ← inc(1) (children run first).
 * Baseline (bench/raw_echo.ts), in each Actant run between the same two processes (this client and
 * w1): TASKS small messages echoed over a bare libp2p stream, all sent at once (median of ROUNDS),
 * and one message's round trip, CHAIN_SAMPLES times one after the other (p50/p99); both ends are
 * `createNetNode` nodes (Actant's libp2p configuration) with length-prefixed frames and nothing of
 * Actant's channel, so it is what the transport itself does between these processes.
 * Also reported: CPU seconds each process used (from /proc), to show where the work ran.
 * Every loop is bounded in count and time. Writes bench/results/cluster-<runtime>.json.
 *
 * Run: `node bench/cluster.ts` (needs `redis-server` on PATH for the BullMQ column).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FlowJobNode, type FlowParentJob, FlowProducer, type Job, Queue, QueueEvents, Worker } from "bullmq";
import { ActantApp, chain, chord, group } from "../mod.ts";
import { createNetNode } from "../src/net/mod.ts";
import { fmt, median, percentile, runtime } from "./stats.ts";
import { children, cpuSeconds, freePort, start, startMatch, stopAll, within } from "./processes.ts";
import { MESSAGE_BYTES, RawEchoClient } from "./raw_echo.ts";

const TASKS = 50_000;
const ROUNDS = 3;
const CHAIN_SAMPLES = 1_000;
const CHORD_SAMPLES = 50;
const BULL_CONCURRENCY = 100;
const ROUND_LIMIT_MS = 120_000; // one throughput round, and one chain or chord, must finish within this
const SERIES_LIMIT_MS = 30_000; // a latency series stops early (fewer samples) after this
const QUEUE = "bench_cluster";
/** A step of a round, bounded by ROUND_LIMIT_MS. */
const withinLimit = <T>(promise: PromiseLike<T>, what: string) => within(promise, what, ROUND_LIMIT_MS);
const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;
const appModule = new URL("./cluster_worker_app.ts", import.meta.url).pathname;

/** A BullMQ worker process (started by main): runs the same tasks as cluster_worker_app.ts. */
async function bullWorker(port: number, concurrency: number): Promise<void> {
  const childValues = async (job: Job) => Object.values(await job.getChildrenValues()) as number[];
  const worker = new Worker(QUEUE, async (job: Job) => {
    if (job.name === "add") return job.data.a + job.data.b;
    if (job.name === "sum") return (await childValues(job)).reduce((a, b) => a + b, 0);
    const n = typeof job.data.n === "number" ? job.data.n : (await childValues(job))[0];
    return job.name === "inc" ? n + 1 : n * 2;
  }, { connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, concurrency });
  await worker.waitUntilReady();
  console.log("ready");
  process.once("SIGTERM", () => void worker.close().finally(() => process.exit(0)));
}

const notes: string[] = [];
const note = (text: string) => (notes.push(text), console.log(`note: ${text}`));

/** Whether `actant worker` accepts `--<option>` (it rejects unknown options before loading an app). */
function workerAccepts(option: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, "worker", `--${option}`, "1"], { timeout: 30_000 }, (_error, stdout, stderr) => {
      resolve(!/unknown option/i.test(`${stdout}${stderr}`));
    });
  });
}

/** Tasks/s of TASKS `submit`ted at once and all awaited, median of ROUNDS (after a warm-up). */
async function rate(submitAll: (round: number, count: number) => Promise<number[]>): Promise<number> {
  const check = (results: number[], count: number) => {
    if (results.length !== count || results.some((r, i) => r !== i + 1)) throw new Error("wrong results");
  };
  check(await withinLimit(submitAll(-1, 5_000), "warm-up"), 5_000);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const results = await withinLimit(submitAll(round, TASKS), `round ${round} of ${TASKS} tasks`);
    rates.push((TASKS / (performance.now() - started)) * 1000);
    check(results, TASKS);
  }
  return median(rates);
}

/** Latencies in ms of up to `samples` sequential runs of `op` (stops after SERIES_LIMIT_MS). */
async function latencies(
  what: string,
  samples: number,
  expected: number,
  op: (i: number) => PromiseLike<number>,
): Promise<number[]> {
  for (let i = 0; i < 5; i++) {
    if ((await withinLimit(op(-1 - i), what)) !== expected) throw new Error(`${what}: wrong result`);
  }
  const result: number[] = [];
  const deadline = performance.now() + SERIES_LIMIT_MS;
  for (let i = 0; i < samples && performance.now() < deadline; i++) {
    const started = performance.now();
    const value = await withinLimit(op(i), what);
    result.push(performance.now() - started);
    if (value !== expected) throw new Error(`${what}: got ${value}, expected ${expected}`);
  }
  if (result.length < samples) {
    note(`${what}: ${result.length} of ${samples} samples within ${SERIES_LIMIT_MS / 1000} s`);
  }
  return result;
}

interface Measured {
  tasks: number;
  chain: number[];
  chord: number[];
  cpu: Record<string, number>;
  /** The bare-stream baseline between the same processes (Actant runs only). */
  raw?: { rate: number; roundTrips: number[] };
}

/** The bare-stream baseline from this process to the echo node at `address` (in w1's process). */
async function measureRaw(address: string): Promise<{ rate: number; roundTrips: number[] }> {
  const node = await createNetNode(); // a node of its own: nothing shared with the Actant client
  try {
    const echo = await withinLimit(RawEchoClient.open(node, address), "raw echo: open");
    const rates: number[] = [];
    await withinLimit(echo.burst(5_000), "raw echo: warm-up");
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await withinLimit(echo.burst(TASKS), `raw echo: round ${round}`);
      rates.push((TASKS / (performance.now() - started)) * 1000);
    }
    const roundTrips = await latencies("raw echo round trip", CHAIN_SAMPLES, 0, (i) => echo.roundTrip(i).then(() => 0));
    await echo.close();
    return { rate: median(rates), roundTrips };
  } finally {
    await node.stop();
  }
}

async function measureActant(root: string, durability: string, twoWorkers: boolean): Promise<Measured> {
  const since = process.cpuUsage();
  const worker = (id: string, extra: string[], env: Record<string, string> = {}) => {
    const args = [
      "worker",
      "--app",
      appModule,
      "--listen",
      "/ip4/127.0.0.1/tcp/0/ws",
      "--data",
      join(root, `${durability}-${id}`),
      "--node-id",
      id,
    ];
    return startMatch(`actant worker ${id}`, process.execPath, [cli, ...args, ...extra], ready(env), {
      ACTANT_BENCH_DURABILITY: durability,
      ...env,
    });
  };
  // w1 also serves the bare-stream baseline: wait for both its addresses, in whichever order.
  const ready = (env: Record<string, string>) =>
    env.ACTANT_BENCH_RAW_ECHO === "1"
      ? /^(?=[\s\S]*?listening (\S+\/p2p\/\S+)\s)(?=[\s\S]*?raw-echo (\S+)\n)/
      : /listening (\S+\/p2p\/\S+)/;
  const [, address, rawAddress] = await worker("w1", [], { ACTANT_BENCH_RAW_ECHO: "1" });
  if (twoWorkers) await worker("w2", ["--bootstrap", address]);
  const client = new ActantApp("bench_cluster", { address });
  const add = client.task("add", (a: number, b: number) => a + b);
  const inc = client.task("inc", (n: number) => n + 1);
  const double = client.task("double", (n: number) => n * 2);
  const sum = client.task("sum", (ns: number[]) => ns.reduce((a, b) => a + b, 0));
  try {
    const raw = await measureRaw(rawAddress);
    const tasks = await rate((_, count) =>
      Promise.all(Array.from({ length: count }, (_, i) => client.submit(add.s(i, 1))))
    );
    const chainFlow = chain(inc.s(1), double.s(), inc.s());
    const chainLat = await latencies("Actant chain", CHAIN_SAMPLES, 5, () => client.submit(chainFlow));
    const chordFlow = chord(group(...Array.from({ length: 100 }, (_, i) => inc.s(i))), sum.s());
    const chordLat = await latencies("Actant chord", CHORD_SAMPLES, 5050, () => client.submit(chordFlow));
    const cpu = await cpuSeconds(since);
    const [w1, w2] = [cpu["actant worker w1"], cpu["actant worker w2"]];
    if (w2 < w1 / 4) {
      note(`Actant "${durability}": w2 used ${fmt(w2, 1)} CPU s, w1 ${fmt(w1, 1)} s: the work ran on w1`);
    }
    return { tasks, chain: chainLat, chord: chordLat, cpu, raw };
  } finally {
    await client.close();
  }
}

async function measureBullmq(root: string): Promise<Measured | undefined> {
  const since = process.cpuUsage();
  const port = await freePort();
  try {
    await start("redis-server", "redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      root,
    ], /Ready to accept connections/);
  } catch (error) {
    note(`no BullMQ column: redis-server did not start (${(error as Error).message.split("\n")[0]})`);
    return undefined;
  }
  const connection = { host: "127.0.0.1", port };
  const queue = new Queue(QUEUE, { connection, streams: { events: { maxLen: 4 * TASKS } } });
  const events = new QueueEvents(QUEUE, { connection });
  const flows = new FlowProducer({ connection });
  const waiting = new Map<string, PromiseWithResolvers<number>>();
  const waitFor = (jobId: string) => {
    const pending = Promise.withResolvers<number>();
    waiting.set(jobId, pending);
    return pending.promise;
  };
  events.on("completed", ({ jobId, returnvalue }) => {
    const value = typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue;
    waiting.get(jobId)?.resolve(value as number);
    waiting.delete(jobId);
  });
  events.on(
    "failed",
    ({ jobId, failedReason }) => (waiting.get(jobId)?.reject(new Error(failedReason)), waiting.delete(jobId)),
  );
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), flows.waitUntilReady()]);
    for (const n of [1, 2]) {
      await start(`BullMQ worker ${n}`, process.execPath, [
        new URL(import.meta.url).pathname,
        "--bullmq-worker",
        String(port),
        String(BULL_CONCURRENCY),
      ], /ready/);
    }
    const keep = { removeOnComplete: { count: 10_000 } }; // like an Actant app's keepResults default
    const tasks = await rate(async (round, count) => {
      const ids = Array.from({ length: count }, (_, i) => `t${round}-${i}`);
      const results = Promise.all(ids.map(waitFor));
      const chunks = [];
      for (let i = 0; i < count; i += 1_000) {
        chunks.push(
          queue.addBulk(
            ids.slice(i, i + 1_000).map((jobId, j) => ({
              name: "add",
              data: { a: i + j, b: 1 },
              opts: { ...keep, jobId },
            })),
          ),
        );
      }
      await Promise.all(chunks);
      return results;
    });
    const leaf = (name: string, data: object): FlowJobNode => ({ name, queueName: QUEUE, data, opts: keep });
    const parent = (name: string, children: FlowJobNode[]): FlowParentJob => ({
      name,
      queueName: QUEUE,
      data: {},
      children,
      opts: keep,
    });
    const chainLat = await latencies("BullMQ chain", CHAIN_SAMPLES, 5, async (i) => {
      const jobId = `chain${i}`;
      const done = waitFor(jobId);
      await flows.add({ ...parent("inc", [parent("double", [leaf("inc", { n: 1 })])]), opts: { ...keep, jobId } });
      return done;
    });
    const chordLat = await latencies("BullMQ chord", CHORD_SAMPLES, 5050, async (i) => {
      const jobId = `chord${i}`;
      const done = waitFor(jobId);
      await flows.add({
        ...parent("sum", Array.from({ length: 100 }, (_, j) => leaf("inc", { n: j }))),
        opts: { ...keep, jobId },
      });
      return done;
    });
    return { tasks, chain: chainLat, chord: chordLat, cpu: await cpuSeconds(since) };
  } finally {
    await Promise.allSettled([queue.close(), events.close(), flows.close()]);
  }
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "actant-bench-cluster-"));
  const onSignal = () =>
    void stopAll().finally(() => rm(root, { recursive: true, force: true }).finally(() => process.exit(130)));
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  process.once("exit", () => children.forEach((_, child) => child.kill("SIGKILL")));
  let actant: Measured;
  let memory: Measured;
  let bull: Measured | undefined;
  const twoWorkers = await workerAccepts("bootstrap");
  if (!twoWorkers) note("actant worker has no --bootstrap yet: Actant ran with ONE worker process (w1)");
  try {
    actant = await measureActant(root, "batched", twoWorkers);
    await stopAll(); // one system at a time: they would share the cores
    memory = await measureActant(root, "memory", twoWorkers);
    await stopAll();
    bull = await measureBullmq(root);
  } finally {
    await stopAll();
    await rm(root, { recursive: true, force: true });
  }
  const row = (metric: string, unit: string, target: string, get: (m: Measured) => number | undefined) => ({
    metric,
    unit,
    target,
    actant: get(actant) ?? null,
    actantMemory: get(memory) ?? null,
    bullmq: bull === undefined ? null : get(bull) ?? null,
  });
  const roundTrips = (m: Measured, p: number) => m.raw && percentile(m.raw.roundTrips, p);
  const rows = [
    row(`trivial tasks, ${fmt(TASKS)} submitted at once, end to end`, "tasks/s", "≥ 100,000/s", (m) => m.tasks),
    row("3-step chain latency p50", "ms", "< 0.5 ms", (m) => median(m.chain)),
    row("3-step chain latency p99", "ms", "", (m) => percentile(m.chain, 99)),
    row("chord of 100 (+ sum), latency median", "ms", "< 5 ms", (m) => median(m.chord)),
    row(
      `baseline: bare libp2p stream, ${fmt(TASKS)} small messages echoed, sent at once`,
      "msgs/s",
      "",
      (m) => m.raw?.rate,
    ),
    row("baseline: bare libp2p stream, one small message's round trip p50", "ms", "", (m) => roundTrips(m, 50)),
    row("baseline: bare libp2p stream, one small message's round trip p99", "ms", "", (m) => roundTrips(m, 99)),
  ];
  const settings = {
    tasks: TASKS,
    rounds: ROUNDS,
    chainSamples: actant.chain.length,
    chordSamples: actant.chord.length,
    rawRoundTrips: actant.raw?.roundTrips.length ?? 0,
    actant: `${
      twoWorkers ? "2 `actant worker` processes (w2 --bootstrap w1)" : "1 `actant worker` process"
    }, default concurrency (1,024 per worker); client → w1; durability "batched" (default), and "memory"`,
    baseline: `${fmt(TASKS)} and single messages of ${MESSAGE_BYTES} bytes echoed over a bare libp2p stream ` +
      "(createNetNode's configuration, length-prefixed frames) between the client and w1's process, in each Actant run",
    bullmq:
      `2 Worker processes, concurrency ${BULL_CONCURRENCY} each; redis-server in memory; chain and chord as FlowProducer flows`,
  };
  const cpu = { actantBatched: actant.cpu, actantMemory: memory.cpu, bullmq: bull?.cpu ?? null };
  const result = {
    benchmark: "cluster",
    runtime: runtime(),
    date: new Date().toISOString(),
    settings,
    notes,
    rows,
    cpuSeconds: cpu,
  };
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  const name = runtime().split(" ")[0];
  await writeFile(new URL(`./results/cluster-${name}.json`, import.meta.url), JSON.stringify(result, null, 2) + "\n");

  console.log(`\nActant cluster mode vs BullMQ, ${result.runtime} (tasks/s: median of ${ROUNDS} rounds)\n`);
  console.log(`Actant: ${settings.actant}\nBullMQ: ${settings.bullmq}\nBaseline: ${settings.baseline}\n`);
  console.log('| metric | Actant ("batched") | Actant ("memory") | BullMQ | target |');
  console.log("|---|---:|---:|---:|---:|");
  const show = (
    value: number | null,
    unit: string,
  ) => (value === null ? "—" : `${fmt(value, unit === "ms" ? 2 : 0)} ${unit}`);
  for (const r of rows) {
    console.log(
      `| ${r.metric} | ${show(r.actant, r.unit)} | ${show(r.actantMemory, r.unit)} | ${
        show(r.bullmq, r.unit)
      } | ${r.target} |`,
    );
  }
  console.log("\nCPU seconds used per process (each system's whole run, startup included):");
  for (const [system, used] of Object.entries(cpu)) {
    if (used !== null) {
      console.log(`- ${system}: ${Object.entries(used).map(([name, s]) => `${name} ${fmt(s, 1)} s`).join(", ")}`);
    }
  }
  for (const text of notes) console.log(`\nnote: ${text}`);
}

if (process.argv[2] === "--bullmq-worker") await bullWorker(Number(process.argv[3]), Number(process.argv[4]));
else await main();
