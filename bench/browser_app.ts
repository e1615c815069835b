/**
 * The app module `actant worker --app bench/browser_app.ts` loads for bench/browser.ts, and the
 * tasks its light workers (a tab, a Node process) register too: `add`, the chain's `inc` and
 * `double`, and `work(ms)`, which waits `ms` and answers 1.
 *
 * @module
 */
import { ActantApp } from "../mod.ts";

/** Registers the benchmark's tasks on `app`. */
export function registerBenchTasks(app: ActantApp) {
  return {
    add: app.task("add", (a: number, b: number) => a + b),
    inc: app.task("inc", (n: number) => n + 1),
    double: app.task("double", (n: number) => n * 2),
    work: app.task("work", async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 1;
    }),
  };
}

const app = new ActantApp("bench_browser", { durability: "memory" });
registerBenchTasks(app);
export default app;
