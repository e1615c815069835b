// The seed's first example: a chain whose steps pass data along.
// Run: node examples/chain.ts | deno run -RWE --allow-ffi examples/chain.ts | bun examples/chain.ts
import { ActantApp, chain } from "../mod.ts";

const app = new ActantApp("my_app");

const fetch = app.task("fetch", async (url: string) => `data from ${url}`);
const analyze = app.task("analyze", (_data: string) => ({ sentiment: 0.8, topics: ["tech", "ai"] }));
const report = app.task("report", (result: { sentiment: number }) => `Report: sentiment=${result.sentiment}`);

const workflow = chain(fetch.s("https://example.com"), analyze.s(), report.s());
const result = await app.submit(workflow).get();
console.log(result); // Report: sentiment=0.8
await app.close();
