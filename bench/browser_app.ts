/**
 * The app module `actant worker --app bench/browser_app.ts` loads for bench/browser.ts, and the
 * tasks its light workers (a tab, a Node process) register too: `add`, the chain's `inc` and
 * `double`, and `work(ms)`, which waits `ms` and answers 1; and the actor class `Counter`, whose
 * `host()` says where it lives.
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

/** Registers the benchmark's actor class on `app`: its instances live at `where`. */
export function registerBenchActor(app: ActantApp, where: string) {
  return app.actor(
    "Counter",
    class {
      total = 0;
      add(n: number) {
        return (this.total += n);
      }
      host() {
        return where;
      }
    },
  );
}

const app = new ActantApp("bench_browser", { durability: "memory" });
registerBenchTasks(app);
registerBenchActor(app, "server");
export default app;
