// The seed's examples on a cluster: two workers join over libp2p (on 127.0.0.1), a client
// submits to one of them, which places the work; the actor lives on whichever worker hosts fewest.
// In production each worker is its own process: `actant worker --app ./app.ts --bootstrap …`.
// Run: node examples/cluster.ts | deno run -A examples/cluster.ts | bun examples/cluster.ts
import { ActantApp, chain, chord, group } from "../mod.ts";

/** What every worker loads: the same tasks and actor classes (code never crosses the wire). */
function defineApp(options: ConstructorParameters<typeof ActantApp>[1] = {}) {
  const app = new ActantApp("my_app", options);
  const fetch = app.task("fetch", async (url: string) => `data from ${url}`);
  const analyze = app.task("analyze", (_data: string) => ({ sentiment: 0.8, topics: ["tech", "ai"] }));
  const report = app.task("report", (r: { sentiment: number }) => `Report: sentiment=${r.sentiment}`);
  const square = app.task("square", async (n: number) => n * n);
  const sum = app.task("sum", (ns: number[]) => ns.reduce((a, b) => a + b, 0));
  const ModelRegistry = app.actor(
    "ModelRegistry",
    class {
      models: Record<string, string> = {};
      register(name: string, version: string) {
        this.models[name] = version;
        return `Registered ${name}@${version}`;
      }
      list() {
        return { ...this.models };
      }
    },
  );
  return { app, fetch, analyze, report, square, sum, ModelRegistry };
}

const w1 = defineApp({ durability: "memory" }).app;
const w2 = defineApp({ durability: "memory" }).app;
const first = await w1.join({ nodeId: "w1" });
await w2.join({ nodeId: "w2", bootstrap: first.node.addresses() });

const { app: client, fetch, analyze, report, square, sum, ModelRegistry } = defineApp({
  address: first.node.addresses()[0],
});
console.log(await client.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s()))); // Report: sentiment=0.8
console.log(await client.submit(chord(group(...[1, 2, 3, 4].map((n) => square.s(n))), sum.s()))); // 30

const registry = await client.createActor(ModelRegistry);
await registry.register("gpt", "v1.0");
console.log(await registry.list()); // { gpt: "v1.0" }

await client.close();
await w2.close();
await w1.close();
