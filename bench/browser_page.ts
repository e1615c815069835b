/**
 * The page of bench/browser.ts (bundled with esbuild, run in headless Chromium): the same
 * measurements as the Node side, driven through `globalThis.actantBench` by `page.evaluate`.
 *
 * @module
 */
import { ActantApp, chain } from "../mod.ts";
import { webRtc } from "../webrtc.ts";
import { registerBenchActor, registerBenchTasks } from "./browser_app.ts";
import { actorCalls, clientChain, clientTasks } from "./browser_rounds.ts";

let light: ActantApp | undefined;

(globalThis as { actantBench?: unknown }).actantBench = {
  /** Tasks/s of `count` trivial tasks submitted at once by a client of `address`, one round per `rounds`. */
  async tasks(address: string, count: number, rounds: number): Promise<number[]> {
    const client = new ActantApp("bench_browser", { address });
    try {
      return await clientTasks(client, registerBenchTasks(client).add, count, rounds);
    } finally {
      await client.close();
    }
  },
  /** Latencies in ms of `samples` 3-step chains, one after the other. */
  async chain(address: string, samples: number): Promise<number[]> {
    const client = new ActantApp("bench_browser", { address });
    try {
      const { inc, double } = registerBenchTasks(client);
      return await clientChain(client, () => chain(inc.s(1), double.s(), inc.s()), samples);
    } finally {
      await client.close();
    }
  },
  /** Joins `address`'s cluster as a light worker of `concurrency`. */
  async light(address: string, concurrency: number): Promise<void> {
    light = new ActantApp("bench_browser", { address, worker: true, concurrency });
    registerBenchTasks(light);
    await light.start();
  },
  /** Joins `address`'s cluster as a light worker that runs WebRTC, hosting Counters that live at `where`. */
  async webRtcLight(address: string, where: string): Promise<void> {
    light = new ActantApp("bench_browser", { address, worker: true, webrtc: webRtc() });
    registerBenchTasks(light);
    registerBenchActor(light, where);
    await light.start();
  },
  /** Calls/s to a Counter that lives at `where` (another tab), from a client that runs WebRTC. */
  async webRtcCalls(address: string, where: string, count: number, rounds: number): Promise<number[]> {
    const client = new ActantApp("bench_browser", { address, webrtc: webRtc() });
    try {
      return await actorCalls(client, registerBenchActor(client, "client"), where, { count, rounds });
    } finally {
      await client.close();
    }
  },
  async leave(): Promise<void> {
    await light?.close();
    light = undefined;
  },
};
(globalThis as { actantBenchReady?: boolean }).actantBenchReady = true;
