/**
 * One burst for bench/durable.ts, in a process of its own so its peak RSS is its own: a local app
 * (durability from argv[2]) gets `argv[3]` trivial tasks submitted at once, all awaited. Prints
 * one JSON line: tasks, seconds, tasks/s and the peak RSS sampled every 20 ms.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ActantApp } from "../mod.ts";

const durability = process.argv[2] as "memory" | "batched";
const count = Number(process.argv[3]);
if (!["memory", "batched"].includes(durability) || !(count > 0)) {
  throw new Error("usage: durable_burst_child.ts memory|batched <count>");
}
const dataDir = join(tmpdir(), `actant-bench-burst-${process.pid}`);
const app = new ActantApp("burst", durability === "memory" ? { durability } : { durability, dataDir });
const inc = app.task("inc", (n: number) => n + 1);
await app.start();
let peak = process.memoryUsage().rss;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const start = performance.now();
const handles = [];
for (let i = 0; i < count; i++) handles.push(app.submit(inc.s(i)));
peak = Math.max(peak, process.memoryUsage().rss);
let wrong = 0;
for (let i = 0; i < count; i++) if ((await handles[i]) !== i + 1) wrong++;
const seconds = (performance.now() - start) / 1000;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
await app.close();
rmSync(dataDir, { recursive: true, force: true });
if (wrong > 0) throw new Error(`${wrong} wrong results`);
console.log(JSON.stringify({ durability, tasks: count, seconds, rate: count / seconds, peakRssMB: peak / 2 ** 20 }));
