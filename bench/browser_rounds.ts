/**
 * The measured rounds of bench/browser.ts, the same code on Node and in the tab.
 *
 * @module
 */
import type { ActantApp, RunnableStep, Task } from "../mod.ts";

/** Tasks/s of `count` tasks `add(i, 1)` submitted at once, all awaited, `rounds` times (a warm-up first). */
export async function clientTasks(
  client: ActantApp,
  add: Task<[number, number], number>,
  count: number,
  rounds: number,
): Promise<number[]> {
  await Promise.all(Array.from({ length: Math.min(count, 2_000) }, (_, i) => client.submit(add.s(i, 1))));
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => client.submit(add.s(i, 1))));
    rates.push((count / (performance.now() - start)) * 1000);
  }
  return rates;
}

/** Latencies in ms of `samples` runs of `step()`, one after the other (a few warm-up runs first). */
export async function clientChain(
  client: ActantApp,
  step: () => RunnableStep<number>,
  samples: number,
): Promise<number[]> {
  for (let i = 0; i < 20; i++) await client.submit(step());
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await client.submit(step());
    latencies.push(performance.now() - start);
  }
  return latencies;
}
