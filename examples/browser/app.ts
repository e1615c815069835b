/**
 * The app of the browser example: what the server worker and the tab both register (the tab runs
 * the same code, bundled into its page). `step(n)` takes a moment and says where it ran.
 *
 * @module
 */
import { ActantApp } from "../../mod.ts";

/** Where a step ran: "tab", or the server's node id. */
export interface StepResult {
  n: number;
  where: string;
}

/**
 * Registers the example's task on `app`: `step(n)` takes a moment and says it ran on `where`;
 * `onStep` hears when a step starts and ends here (the page shows it).
 */
export function registerTasks(app: ActantApp, where: string, onStep?: (n: number, done: boolean) => void) {
  const step = app.task("step", async (n: number): Promise<StepResult> => {
    onStep?.(n, false);
    await new Promise((resolve) => setTimeout(resolve, 300 + (n % 4) * 100));
    onStep?.(n, true);
    return { n, where };
  });
  return { step };
}

/** The server's app (`durability: "memory"`: the example leaves no files behind). */
const app = new ActantApp("browser_example", { durability: "memory" });
registerTasks(app, "server");
export default app;
