/**
 * The app module `actant worker --app bench/cluster_worker_app.ts` loads for bench/cluster.ts: the
 * trivial tasks the cluster benchmark submits (`add`, the chain's `inc`/`double`, the chord's `sum`).
 * `ACTANT_BENCH_DURABILITY` (`batched` | `sync` | `memory`) overrides the app's default durability.
 * With `ACTANT_BENCH_RAW_ECHO=1` the worker's process also runs a second, bare libp2p node serving
 * the raw-transport baseline (bench/raw_echo.ts) and prints `raw-echo <multiaddr>`: the baseline
 * then runs between the same two processes as the Actant figures.
 *
 * @module
 */
import { ActantApp } from "../mod.ts";
import { createNetNode } from "../src/net/mod.ts";
import { serveRawEcho } from "./raw_echo.ts";

const durability = process.env.ACTANT_BENCH_DURABILITY as "batched" | "sync" | "memory" | undefined;
const app = new ActantApp("bench_cluster", durability === undefined ? {} : { durability });
app.task("add", (a: number, b: number) => a + b);
app.task("inc", (n: number) => n + 1);
app.task("double", (n: number) => n * 2);
app.task("sum", (ns: number[]) => ns.reduce((a, b) => a + b, 0));
export default app;

if (process.env.ACTANT_BENCH_RAW_ECHO === "1") {
  // Stopped with the process: `actant worker` exits once its own node has stopped.
  const node = await createNetNode({ listen: ["/ip4/127.0.0.1/tcp/0/ws"] });
  await serveRawEcho(node);
  console.log(`raw-echo ${node.addresses()[0]}`);
}
