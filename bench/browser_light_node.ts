/**
 * The Node light worker of bench/browser.ts: `node bench/browser_light_node.ts <address> <concurrency>`
 * joins the cluster of the worker at `address` as a light worker, prints `light ready`, and
 * leaves on SIGTERM.
 *
 * @module
 */
import process from "node:process";
import { ActantApp } from "../mod.ts";
import { registerBenchTasks } from "./browser_app.ts";

const [address, concurrency] = [process.argv[2], Number(process.argv[3])];
const light = new ActantApp("bench_browser", { address, worker: true, concurrency });
registerBenchTasks(light);
await light.start();
console.log("light ready");
process.once("SIGTERM", () => void light.close().then(() => process.exit(0)));
