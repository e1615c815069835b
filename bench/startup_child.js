/**
 * The process that bench/startup.ts spawns and times, spawn to exit. It loads one thing, does at
 * most one task, and then exits on its own (no `process.exit`: a handle left open would keep it
 * alive, and the benchmark would see that).
 *
 * Plain JavaScript, not TypeScript, so that Node strips no types: the process costs what a user's
 * own `.js` file importing the built package costs.
 *
 * Usage: `<node | deno run -A | bun> bench/startup_child.js <mode> [dataDir]`, with mode one of
 * - `bare`: imports nothing (the runtime's own start-up, like `node -e ''`);
 * - `bullmq`: imports `bullmq` from node_modules;
 * - `import`: imports the built package (dist/mod.js);
 * - `memory`: imports it, runs one task on a local app with durability "memory", closes it;
 * - `durable`: the same with the default durable log in `dataDir`.
 * Prints one JSON line (except `bare`): milliseconds the import and the work took inside the process.
 *
 * @module
 */

const [mode, dataDir] = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const modes = ["bare", "bullmq", "import", "memory", "durable"];
if (!modes.includes(mode)) throw new TypeError(`mode must be one of ${modes.join(", ")}, got ${String(mode)}`);
if (mode === "durable" && !dataDir) throw new TypeError("mode durable needs a dataDir argument");

if (mode !== "bare") {
  const start = performance.now();
  const module = mode === "bullmq" ? await import("bullmq") : await import("../dist/mod.js");
  const imported = performance.now();
  if (mode === "memory" || mode === "durable") {
    const app = new module.ActantApp("startup", mode === "memory" ? { durability: "memory" } : { dataDir });
    const inc = app.task("inc", (n) => n + 1);
    const result = await inc.call(1);
    await app.close();
    if (result !== 2) throw new Error(`inc(1) returned ${String(result)}, expected 2`);
  }
  console.log(JSON.stringify({ importMs: imported - start, workMs: performance.now() - imported }));
}
