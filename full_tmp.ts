import { openLmdbBackend } from "./src/store/mod.ts";
process.on("unhandledRejection", (reason: any, promise) => { console.log("UNHANDLED:", reason?.message, "commitError" in (reason ?? {})); });
const backend = await openLmdbBackend("/tmp/actant-full/log");
const pad = new Uint8Array(10_000);
let i = 0;
try {
  for (; i < 10_000; i++) await backend.write([{ type: "put", key: "k" + String(i).padStart(6, "0"), value: pad }]).committed;
} catch (error: any) {
  console.log("write failed at", i, error.name, error.message, "cause:", error.cause?.message);
}
console.log("closing");
try { await backend.close(); console.log("closed"); } catch (e: any) { console.log("close failed", e.message); }
await new Promise((r) => setTimeout(r, 500));
console.log("end");
