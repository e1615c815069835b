/**
 * The client half of the network layer bundles for browsers: `src/net/mod.ts` with libp2p,
 * WebSockets, Noise and Yamux, and no Node built-ins (listening stays out via the packages'
 * `browser` mappings and runtime-only dynamic imports).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const BUILTIN_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](?:node|bun):[^"']*["']/g;

describe("Browser bundle of src/net/mod.ts", () => {
  it("bundles for the browser with no errors and no Node built-ins", { timeout: 60_000 }, async () => {
    try {
      const result = await build({
        entryPoints: [join(root, "src", "net", "mod.ts")],
        absWorkingDir: root,
        platform: "browser",
        bundle: true,
        format: "esm",
        minify: true,
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      assert.deepEqual(result.errors, []);
      const code = result.outputFiles[0].text;
      assert.deepEqual([...code.matchAll(BUILTIN_IMPORT)].map((match) => match[0]), []);
      const inputs = Object.keys(result.metafile.inputs);
      assert.deepEqual(inputs.filter((input) => /^(?:node|bun):/.test(input)), []);
      for (
        const part of [
          "src/net/node.ts",
          "src/net/channel.ts",
          "@libp2p/websockets",
          "@chainsafe/libp2p-noise",
          "@chainsafe/libp2p-yamux",
        ]
      ) {
        assert.ok(inputs.some((input) => input.includes(part)), `${part} is in the bundle`);
      }
      // The server half stays out: the WebSocket listener (node:http) and the ws package.
      assert.equal(inputs.some((input) => input.includes("@libp2p/websockets/dist/src/listener.js")), false);
      assert.equal(inputs.some((input) => input.includes("node_modules/ws/lib/")), false);
      assert.match(code, /export\s*\{[^}]*\bcreateNetNode\b/);
    } finally {
      await stop();
    }
  });
});
