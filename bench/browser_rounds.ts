/**
 * The measured rounds of bench/browser.ts, the same code on Node and in the tab.
 *
 * @module
 */
import type { ActantApp, RunnableStep, Task } from "../mod.ts";
import type { registerBenchActor } from "./browser_app.ts";

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

/**
 * Calls/s of `count` calls `add(1)` made at once to one Counter that lives at `where` (created
 * through `client`'s server until one lands there), all awaited, `rounds` times (a warm-up first).
 */
export async function actorCalls(
  client: ActantApp,
  Counter: ReturnType<typeof registerBenchActor>,
  where: string,
  options: { count: number; rounds: number },
): Promise<number[]> {
  let counter = await client.createActor(Counter);
  for (let i = 0; i < 8 && await counter.host() !== where; i++) counter = await client.createActor(Counter);
  if (await counter.host() !== where) throw new Error(`no Counter was placed at ${where}`);
  await Promise.all(Array.from({ length: Math.min(options.count, 1_000) }, () => counter.add(1)));
  const rates: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const start = performance.now();
    await Promise.all(Array.from({ length: options.count }, () => counter.add(1)));
    rates.push((options.count / (performance.now() - start)) * 1000);
  }
  return rates;
}
