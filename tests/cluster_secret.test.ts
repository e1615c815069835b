// A worker started with a cluster secret: a client with the secret submits; a client without it
// (or with another) cannot connect, so cannot submit; `actant status` needs it too.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import { runCli, startWorker, type WorkerProcess } from "./support/actant_cli.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;

describe("cluster secret", { timeout: 120_000 }, () => {
  let worker: WorkerProcess;
  let address: string;
  let work: string;
  let secretFile: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "actant-secret-"));
    secretFile = join(work, "secret");
    writeFileSync(secretFile, "correct horse battery staple\n");
    worker = await startWorker([
      "--app",
      appModule,
      "--listen",
      "/ip4/127.0.0.1/tcp/0/ws",
      "--data",
      join(work, "data"),
      "--secret-file",
      secretFile,
    ]);
    address = worker.address;
  });

  after(async () => {
    await worker?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("a client with the secret submits and gets the result", async () => {
    const client = new ActantApp("c", { address, secret: "correct horse battery staple" });
    try {
      assert.equal(await client.submit(signature<number>("add", [20, 22])), 42);
    } finally {
      await client.close();
    }
  });

  it("actant status needs the secret too", async () => {
    const withSecret = await runCli(["status", "--address", address, "--json", "--secret-file", secretFile]);
    assert.equal(withSecret.code, 0, withSecret.stderr);
    assert.equal(JSON.parse(withSecret.stdout).peers.length, 1);
    const without = await runCli(["status", "--address", address, "--json"]);
    assert.equal(without.code, 1);
    assert.equal(without.stdout, "");
    assert.match(without.stderr, /^actant status: PeerUnreachableError: /m);
    const wrongFile = join(work, "wrong-secret");
    writeFileSync(wrongFile, "wrong secret\n");
    const wrong = await runCli(["status", "--address", address, "--json", "--secret-file", wrongFile]);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, "");
    assert.match(wrong.stderr, /^actant status: PeerUnreachableError: /m);
  });
  it("a client without the secret, or with another, cannot connect and so cannot submit", async () => {
    for (const secret of [undefined, "wrong secret"]) {
      const client = new ActantApp("c", { address, secret });
      try {
        await assert.rejects(client.submit(signature("add", [1, 2])).get(), (error: Error) => {
          assert.equal(error.name, "PeerUnreachableError", `${error.name}: ${error.message}`);
          assert.equal((error as Error & { code?: string }).code, "PEER_UNREACHABLE");
          assert.equal((error as Error & { address?: string }).address, address);
          return true;
        });
      } finally {
        await client.close();
      }
    }
  });
});
