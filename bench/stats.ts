/**
 * Small helpers for benchmarks: percentiles, rates, result files.
 *
 * @module
 */

/** The p-th percentile (0–100) of `samples`. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** The median of `samples`. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Runs `fn` `rounds` times and returns the median of its results (a rate or a latency). */
export async function medianOf(rounds: number, fn: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < rounds; i++) values.push(await fn());
  return median(values);
}

/** Which runtime runs this benchmark. */
export function runtime(): string {
  const g = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    process?: { version: string };
  };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${g.process?.version}`;
}

/** Formats a number with thousands separators. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * Operations per second of `count` calls of `op`, keeping `window` of them in flight at all
 * times (a new one starts as soon as one finishes), like a queue consumer with that concurrency.
 */
export async function throughput(
  count: number,
  window: number,
  op: (i: number) => PromiseLike<unknown>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
  return (count / (performance.now() - start)) * 1000;
}
