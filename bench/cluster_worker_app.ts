/**
 * The app module `actant worker --app bench/cluster_worker_app.ts` loads for bench/cluster.ts: the
 * trivial tasks the cluster benchmark submits (`add`, the chain's `inc`/`double`, the chord's `sum`).
 * `ACTANT_BENCH_DURABILITY` (`batched` | `sync` | `memory`) overrides the app's default durability.
 *
 * @module
 */
import { ActantApp } from "../mod.ts";

const durability = process.env.ACTANT_BENCH_DURABILITY as "batched" | "sync" | "memory" | undefined;
const app = new ActantApp("bench_cluster", durability === undefined ? {} : { durability });
app.task("add", (a: number, b: number) => a + b);
app.task("inc", (n: number) => n + 1);
app.task("double", (n: number) => n * 2);
app.task("sum", (ns: number[]) => ns.reduce((a, b) => a + b, 0));
export default app;
