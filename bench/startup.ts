/**
 * Start-up benchmark: how long a process that imports Actant takes, spawn to exit, on Node, Deno
 * and Bun, beside baselines measured in the same run (the bare runtime; a process importing
 * `bullmq`), and how big a local-mode browser bundle is.
 *
 * Every measured process is bench/startup_child.js in a fresh process, run by the runtimes in
 * node_modules/.bin; the clock is this process's `performance.now()` from just before `spawn` to
 * the child's `exit` event. Scenarios are interleaved (one round runs each once, in an order that
 * rotates every round) so that the machine's drift spreads over all of them; a first round warms
 * the file cache and Deno's and Bun's caches and is not counted. The child also reports how long
 * its `import` and its task took inside the process. A child that does not exit by itself within
 * CHILD_TIMEOUT_MS is killed and the benchmark fails: a process that cannot exit is a finding.
 *
 * The browser bundle: esbuild from dist/mod.js, platform browser, ESM, minified, with code
 * splitting so that dynamically imported modules land in chunks of their own. What a local-mode
 * page loads is the entry chunk and every chunk it imports statically; the total counts all chunks.
 *
 * dist/ is built first (`npm run build`) when it is missing or older than a source file.
 * Writes bench/results/startup.json and prints the README's tables.
 *
 * Run: `node bench/startup.ts` (about a minute here).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { browserBundle, type Sizes } from "./bundle_size.ts";
import { fmt, median, percentile, runtime } from "./stats.ts";

const ROUNDS = 11;
const WARMUP_ROUNDS = 1;
const CHILD_TIMEOUT_MS = 30_000;
const DEADLINE_MS = 150_000; // after this, no new round starts (the result notes the shorter run)

const root = fileURLToPath(new URL("..", import.meta.url));
const child = join(root, "bench", "startup_child.js");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const RUNTIMES = {
  node: { label: "Node", command: bin("node"), args: [] as string[] },
  deno: { label: "Deno", command: bin("deno"), args: ["run", "-A"] },
  bun: { label: "Bun", command: bin("bun"), args: [] as string[] },
};
type RuntimeName = keyof typeof RUNTIMES;
type Mode = "bare" | "bullmq" | "import" | "memory" | "durable";
/** Each scenario's name in the results, and in the README's table (Markdown). */
const MODES: { mode: Mode; metric: string; readme: string }[] = [
  { mode: "bare", metric: "bare runtime start-up (baseline)", readme: "bare runtime start-up (baseline)" },
  { mode: "bullmq", metric: 'import "bullmq" (baseline)', readme: "`import` BullMQ 6 (baseline)" },
  { mode: "import", metric: "import Actant (dist/mod.js)", readme: "`import` Actant (dist/mod.js)" },
  {
    mode: "memory",
    metric: 'import + one task, local, durability "memory"',
    readme: '`import` + one task, local, `"memory"`',
  },
  {
    mode: "durable",
    metric: "import + one task, local, default durable log",
    readme: "`import` + one task, local, durable log (default)",
  },
];
const scenarios = MODES.flatMap(({ mode }) => (Object.keys(RUNTIMES) as RuntimeName[]).map((rt) => ({ mode, rt })));
const notes: string[] = [];

/** The newest modification time (ms) of the files the build reads. */
function newestSource(): number {
  const files = ["mod.ts", "cluster.ts", "tsconfig.json", "tsconfig.build.json"].map((f) => join(root, f));
  for (const entry of readdirSync(join(root, "src"), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
  }
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

/** Builds dist/ when dist/mod.js is missing or older than a source file; says which it did. */
function ensureBuilt(): string {
  const entry = join(root, "dist", "mod.js");
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestSource()) return "dist/ was up to date";
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  return "dist/ was built by this run (`npm run build`)";
}

for (const [name, rt] of Object.entries(RUNTIMES)) {
  if (!existsSync(rt.command)) {
    throw new Error(`${rt.command} is missing: the ${name} package must be installed (npm ci)`);
  }
}
const versions = {
  node: execFileSync(RUNTIMES.node.command, ["--version"], { encoding: "utf8" }).trim(),
  deno: execFileSync(RUNTIMES.deno.command, ["--version"], { encoding: "utf8" }).split("\n")[0].trim(),
  bun: execFileSync(RUNTIMES.bun.command, ["--version"], { encoding: "utf8" }).trim(),
};
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
const built = ensureBuilt();

const running = new Set<ChildProcess>();
process.once("exit", () => running.forEach((c) => c.kill("SIGKILL")));

interface Sample {
  wallMs: number;
  importMs: number;
  workMs: number;
}

/** Spawns one child and times it, spawn to exit; throws with its output when it fails. */
function runOnce(rt: RuntimeName, mode: Mode, dataDir: string): Promise<Sample> {
  const { command, args } = RUNTIMES[rt];
  const argv = [...args, child, mode, ...(mode === "durable" ? [dataDir] : [])];
  return new Promise((resolve, reject) => {
    let out = "";
    let exitedAt = NaN;
    const start = performance.now();
    const proc = spawn(command, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    running.add(proc);
    const timer = setTimeout(() => proc.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    proc.stdout.on("data", (chunk) => (out += chunk));
    proc.stderr.on("data", (chunk) => (out += chunk));
    proc.once("exit", () => (exitedAt = performance.now()));
    proc.once("error", (error) => (clearTimeout(timer), running.delete(proc), reject(error)));
    proc.once("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(proc);
      const what = `${rt} bench/startup_child.js ${mode}`;
      if (signal === "SIGKILL") return reject(new Error(`${what} did not exit within ${CHILD_TIMEOUT_MS} ms:\n${out}`));
      if (code !== 0) return reject(new Error(`${what} exited with ${code ?? signal}:\n${out}`));
      const inner = mode === "bare" ? { importMs: 0, workMs: 0 } : JSON.parse(out.trim().split("\n").at(-1)!);
      resolve({ wallMs: exitedAt - start, importMs: inner.importMs, workMs: inner.workMs });
    });
  });
}

const samples = new Map(scenarios.map(({ mode, rt }) => [`${mode}/${rt}`, [] as Sample[]]));
const tmp = await mkdtemp(join(tmpdir(), "actant-bench-startup-"));
const began = performance.now();
const loadBefore = loadavg()[0];
let rounds = 0;
try {
  let dirs = 0;
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    if (performance.now() - began > DEADLINE_MS) {
      notes.push(`stopped after ${rounds} counted rounds of ${ROUNDS}: the run passed ${DEADLINE_MS / 1000} s`);
      break;
    }
    for (let i = 0; i < scenarios.length; i++) {
      const { mode, rt } = scenarios[(i + round) % scenarios.length];
      const sample = await runOnce(rt, mode, join(tmp, `d${dirs++}`));
      if (round >= WARMUP_ROUNDS) samples.get(`${mode}/${rt}`)!.push(sample);
    }
    if (round >= WARMUP_ROUNDS) rounds++;
    process.stdout.write(`round ${round + 1}/${WARMUP_ROUNDS + ROUNDS}${round < WARMUP_ROUNDS ? " (warm-up)" : ""}\r`);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
const bundle = await browserBundle(root, "dist/mod.js");
const elapsedS = (performance.now() - began) / 1000;
const load = { before: loadBefore, after: loadavg()[0], cores: availableParallelism() };
if (Math.max(load.before, load.after) > load.cores) {
  notes.push(
    `the machine was busy: 1-minute load average ${fmt(load.before, 1)} before, ${
      fmt(load.after, 1)
    } after, on ${load.cores} cores (trust the minimums more than the medians)`,
  );
}

const summary = (list: number[]) => ({
  median: median(list),
  p90: percentile(list, 90),
  min: Math.min(...list),
  max: Math.max(...list),
});
const rows = scenarios.map(({ mode, rt }) => {
  const list = samples.get(`${mode}/${rt}`)!;
  const wall = summary(list.map((s) => s.wallMs));
  const bare = median(samples.get(`bare/${rt}`)!.map((s) => s.wallMs));
  const metric = MODES.find((m) => m.mode === mode)!.metric;
  return {
    metric,
    mode,
    runtime: rt,
    unit: "ms",
    ...wall,
    overBare: mode === "bare" ? null : wall.median - bare,
    inProcessImport: mode === "bare" ? null : median(list.map((s) => s.importMs)),
    inProcessWork: mode === "memory" || mode === "durable" ? median(list.map((s) => s.workMs)) : null,
    samples: list.map((s) => s.wallMs),
  };
});
const row = (mode: Mode, rt: RuntimeName) => rows.find((r) => r.mode === mode && r.runtime === rt)!;
/**
 * Actant's import cost over the bare runtime, against BullMQ's on the same runtime (target ≤ 1), from
 * the medians and from the fastest runs (noise on a shared machine only ever adds time).
 */
const ratio = (rt: RuntimeName, of: "median" | "min") =>
  (row("import", rt)[of] - row("bare", rt)[of]) / (row("bullmq", rt)[of] - row("bare", rt)[of]);
const ratios = {
  median: Object.fromEntries((Object.keys(RUNTIMES) as RuntimeName[]).map((rt) => [rt, ratio(rt, "median")])),
  min: Object.fromEntries((Object.keys(RUNTIMES) as RuntimeName[]).map((rt) => [rt, ratio(rt, "min")])),
};
const settings = {
  rounds,
  warmupRounds: WARMUP_ROUNDS,
  clock: "parent performance.now(), spawn → child exit",
  child: "bench/startup_child.js (plain JS), cwd = repository root; deno run -A",
  commit,
  dist: built,
  versions,
  elapsedSeconds: elapsedS,
  loadAverage1m: load,
};
const result = {
  benchmark: "startup",
  runtime: runtime(),
  date: new Date().toISOString(),
  settings,
  notes,
  rows,
  ratios,
  bundle,
};
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(new URL("./results/startup.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");

const ms = (value: number) => `${fmt(value, value < 100 ? 1 : 0)} ms`;
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
const chunks = (n: number) => `${n} chunk${n === 1 ? "" : "s"}`;
const line = (cells: string[]) => console.log(`| ${cells.join(" | ")} |`);
/** A table's rule line, as the README writes it: `text` columns first, the rest right-aligned. */
const rule = (text: number, numbers: number) => console.log(`|${"---|".repeat(text)}${"---:|".repeat(numbers)}`);
const rtNames = Object.keys(RUNTIMES) as RuntimeName[];
console.log(`\nStart-up, spawn → exit, ${rounds} rounds (+${WARMUP_ROUNDS} warm-up), commit ${commit}; ${built}`);
console.log(`${versions.node}, ${versions.deno}, bun ${versions.bun}; ${fmt(elapsedS, 0)} s in all\n`);
line(["scenario", "runtime", "median", "p90", "min", "max", "over bare", "import in process", "task in process"]);
rule(2, 7);
const maybe = (value: number | null) => (value === null ? "" : ms(value));
for (const r of rows) {
  const wall = [r.median, r.p90, r.min, r.max].map(ms);
  line([r.metric, r.runtime, ...wall, maybe(r.overBare), maybe(r.inProcessImport), maybe(r.inProcessWork)]);
}

// The README's table, ready to paste: medians, and the cost over the bare runtime in brackets.
console.log("\nFor the README (median, spawn → exit; in brackets: over the bare runtime):\n");
const major = (version: string) => /\d+\.\d+/.exec(version)![0];
line([
  "metric",
  `Node ${major(versions.node).split(".")[0]}`,
  `Deno ${major(versions.deno)}`,
  `Bun ${major(versions.bun)}`,
  "target",
]);
rule(1, 4);
for (const { mode, readme } of MODES) {
  const cells = rtNames.map((rt) => {
    const r = row(mode, rt);
    return r.overBare === null ? ms(r.median) : `${ms(r.median)} (+${fmt(r.overBare, 0)})`;
  });
  line([readme, ...cells, mode === "import" ? "≤ BullMQ's" : ""]);
}
line(["Actant's import ÷ BullMQ's, each over bare", ...rtNames.map((rt) => `${fmt(ratios.median[rt], 1)}×`), "≤ 1×"]);
line(["the same, from the fastest runs", ...rtNames.map((rt) => `${fmt(ratios.min[rt], 1)}×`), "≤ 1×"]);

console.log("");
line(["browser bundle", "minified", "gzip", "of it libp2p, `@libp2p/*`, `@chainsafe/*`"]);
rule(1, 3);
const sizes = (s: Sizes) => [kb(s.minified), kb(s.gzip), kb(s.libp2p)];
line([`local-mode page: entry + static imports (${chunks(bundle.localChunks.length)})`, ...sizes(bundle.localPage)]);
line([`all chunks (${chunks(bundle.chunks)})`, ...sizes(bundle.all)]);
for (const text of notes) console.log(`\nnote: ${text}`);
