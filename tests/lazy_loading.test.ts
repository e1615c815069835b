/**
 * A local-mode app loads no network stack: the client and worker engines, with `net/` and
 * `cluster/` (libp2p, gossipsub, Noise), are imported on demand, and LMDB only by a durable app.
 * Checked two ways: what a Node process really loads (module hooks), and what a browser bundle's
 * entry pulls in statically (esbuild's metafile, with the dynamic imports split into chunks).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build, stop } from "esbuild";
import { withTempDir } from "./support/temp_dir.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
/** The packages of the network stack: none of them may load in local mode. */
const NETWORK = /^(?:libp2p|@libp2p\/|@chainsafe\/|@multiformats\/|it-|ws$|uint8arraylist$)/;

/** The packages a Node process loads for one app in `mode`. */
async function packagesLoaded(mode: string, dataDir = ""): Promise<string[]> {
  const node = join(root, "node_modules", ".bin", "node");
  const { stdout } = await run(node, [join(root, "tests", "fixtures", "module_trace.ts"), mode, dataDir], {
    cwd: root,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

describe("Lazy loading of the network stack and LMDB", () => {
  it("a memory app on Node loads neither libp2p nor lmdb; a durable one loads lmdb only; a client loads libp2p", async () => {
    const memory = await packagesLoaded("memory");
    assert.deepEqual(
      memory.filter((name) => NETWORK.test(name) || name === "lmdb"),
      [],
      `loaded: ${memory.join(", ")}`,
    );
    assert.ok(memory.includes("superjson"), `loaded: ${memory.join(", ")}`);
    await withTempDir("lazy", async (dir) => {
      const durable = await packagesLoaded("durable", join(dir, "data"));
      assert.deepEqual(durable.filter((name) => NETWORK.test(name)), [], `loaded: ${durable.join(", ")}`);
      assert.ok(durable.includes("lmdb"), `loaded: ${durable.join(", ")}`);
    });
    const client = await packagesLoaded("client");
    assert.ok(client.includes("libp2p"), `loaded: ${client.join(", ")}`);
    assert.equal(client.includes("lmdb"), false, `loaded: ${client.join(", ")}`);
  });

  it("a browser bundle of mod.ts holds no network module in its entry or the chunks it imports statically", async () => {
    try {
      const result = await build({
        entryPoints: [join(root, "mod.ts")],
        absWorkingDir: root,
        platform: "browser",
        bundle: true,
        splitting: true,
        format: "esm",
        minify: true,
        write: false,
        outdir: join(root, ".scratch", "lazy-bundle"),
        metafile: true,
        logLevel: "silent",
      });
      const outputs = result.metafile.outputs;
      const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint === "mod.ts");
      assert.ok(entry !== undefined, `outputs: ${Object.keys(outputs).join(", ")}`);
      // What a local-mode page loads: the entry and, transitively, its static imports.
      const loaded = new Set<string>();
      const pending = [entry];
      while (pending.length > 0) {
        const path = pending.pop()!;
        if (loaded.has(path)) continue;
        loaded.add(path);
        for (const link of outputs[path].imports) if (link.kind === "import-statement") pending.push(link.path);
      }
      const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
      const inputsOf = (paths: Iterable<string>) => [...paths].flatMap((path) => Object.keys(outputs[path].inputs));
      const staticPackages = new Set(inputsOf(loaded).map(packageOf).filter((name) => name !== undefined));
      assert.deepEqual([...staticPackages].filter((name) => NETWORK.test(name!)), [], [...staticPackages].join(", "));
      assert.ok(inputsOf(loaded).includes("src/app/local_engine.ts"));
      // The network stack is in the bundle, in the chunks loaded on demand: the check checks something.
      const lazy = Object.keys(outputs).filter((path) => !loaded.has(path));
      const lazyPackages = new Set(inputsOf(lazy).map(packageOf));
      assert.ok(lazyPackages.has("libp2p"), [...lazyPackages].join(", "));
      assert.ok(inputsOf(lazy).includes("src/app/client_mode.ts"));
    } finally {
      await stop();
    }
  });
});
