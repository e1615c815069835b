// Shared by the task suites: an app on a manual clock for one test. (Not a test file.)
import { ActantApp, type LocalAppOptions, ManualClock } from "../../mod.ts";

/** Runs `body` with a fresh app on a manual clock and closes the app afterwards. */
export async function withApp(
  options: Omit<LocalAppOptions, "clock">,
  body: (app: ActantApp, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock();
  const app = new ActantApp("t", { durability: "memory", ...options, clock });
  try {
    await body(app, clock);
  } finally {
    await app.close();
  }
}

/** A promise that settles only when `signal` aborts, rejecting with its reason. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}
