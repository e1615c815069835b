/**
 * A node in a child process (the runtime running these tests) on 127.0.0.1, dialled from this one.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { actantProtocol, createNetNode } from "../src/net/mod.ts";
import { runtimeName } from "../src/runtime/mod.ts";

const fixture = fileURLToPath(new URL("./fixtures/net_echo.ts", import.meta.url));

/** Starts the fixture and resolves with the child and the multiaddr it prints. */
async function startEchoProcess() {
  const args = runtimeName() === "deno" ? ["run", "-A", fixture] : [fixture];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = once(child, "exit");
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed within 15 s; stderr: ${stderr}`)), 15_000);
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const match = /^listening (\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`the node process exited with ${code}: ${stderr}`));
    });
  });
  return { child, address, exited };
}

describe("Node in another process", () => {
  it("is dialled by its printed multiaddr and echoes messages over a channel", { timeout: 30_000 }, async () => {
    const { child, address, exited } = await startEchoProcess();
    const client = await createNetNode({});
    try {
      assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/[1-9]\d*\/ws\/p2p\/12D3KooW\w+$/);
      await client.dial(address);
      const channel = await client.openChannel(address, actantProtocol("echo", "1"), { window: 4096 });
      const messages = Array.from({ length: 5_000 }, (_, i) => (i % 3 === 0 ? { i, at: new Date(i) } : `message ${i}`));
      const writing = (async () => {
        const writer = channel.writable.getWriter();
        for (const message of messages) await writer.write(message);
        await writer.close();
      })();
      const replies: unknown[] = [];
      for await (const reply of channel.readable) replies.push(reply);
      await writing;
      await channel.closed;
      assert.deepEqual(replies, messages);
      assert.ok(channel.stats.peakInFlight <= 4096);
    } finally {
      await client.stop();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  });
});
