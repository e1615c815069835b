/**
 * The Node light worker of bench/browser.ts: `node bench/browser_light_node.ts <address>
 * <concurrency> [webrtc]` joins the cluster of the worker at `address` as a light worker (that
 * runs WebRTC, through node-datachannel, with `webrtc`; its Counters live at "light"), prints
 * `light ready`, and leaves on SIGTERM.
 *
 * @module
 */
import process from "node:process";
import { ActantApp } from "../mod.ts";
import { webRtc } from "../webrtc.ts";
import { registerBenchActor, registerBenchTasks } from "./browser_app.ts";

const [address, concurrency, webrtc] = [process.argv[2], Number(process.argv[3]), process.argv[4] === "webrtc"];
const light = new ActantApp("bench_browser", {
  address,
  worker: true,
  concurrency,
  webrtc: webrtc ? webRtc({ bindAddress: "127.0.0.1" }) : undefined,
});
registerBenchTasks(light);
registerBenchActor(light, "light");
await light.start();
console.log("light ready");
process.once("SIGTERM", () => void light.close().then(() => process.exit(0)));
