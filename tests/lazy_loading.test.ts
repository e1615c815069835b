/**
 * A local-mode app loads no network stack: the client and worker engines, with `net/` and
 * `cluster/` (libp2p, gossipsub, Noise), are imported on demand, and LMDB only by a durable app.
 * Checked here as what a Node process really loads (module hooks); what a browser page loads is
 * checked in browser_local.test.ts (esbuild's metafile of a split bundle, and the page's requests).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
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
});
