/**
 * The only layer that knows which runtime it is on.
 *
 * @module
 */

/** The JavaScript runtimes Actant runs on. */
export type RuntimeName = "node" | "deno" | "bun" | "browser";

/** Which runtime this code is running on. */
export function runtimeName(): RuntimeName {
  const g = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string } } };
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  if (g.process?.versions?.node !== undefined) return "node";
  return "browser";
}
export { onPageLeaving } from "./page_lifecycle.ts";
