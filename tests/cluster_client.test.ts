// A client app submits to an `actant worker` process over libp2p (WebSocket, Noise, Yamux) on
// 127.0.0.1: the seed's chain runs on the worker, errors come back by name, bad addresses fail clearly.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActantApp, chain, group, signature } from "../mod.ts";
import { runCli, startWorker, type WorkerProcess } from "./support/actant_cli.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;

describe("client mode against an actant worker process", { timeout: 120_000 }, () => {
  let worker: WorkerProcess;
  let address: string;
  let work: string;
  let client: ActantApp;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "actant-cluster-"));
    worker = await startWorker([
      "--app",
      appModule,
      "--listen",
      "/ip4/127.0.0.1/tcp/0/ws",
      "--data",
      join(work, "data"),
      "--node-id",
      "w1",
    ]);
    address = worker.address;
    client = new ActantApp("cluster_test", { address });
  });

  after(async () => {
    await client?.close();
    await worker?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("runs the seed's chain on the worker and returns its result", async () => {
    const fetch = client.task("fetch", async (url: string) => `data from ${url} (client copy, never run here)`);
    const analyze = client.task("analyze", (_data: string) => ({ sentiment: 0, topics: [] as string[] }));
    const report = client.task("report", (result: { sentiment: number }) => `local ${result.sentiment}`);
    const handle = client.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s()));
    assert.equal(await handle, "Report: sentiment=0.8");
    assert.equal(await handle.status(), "succeeded");
  });

  it("runs tasks it only knows by name, and groups of them", async () => {
    assert.equal(await client.submit(signature<number>("add", [2, 3])), 5);
    assert.deepEqual(await client.submit(group(signature("add", [1, 1]), signature("add", [2, 2]))), [2, 4]);
  });

  it("a task that fails on the worker rejects the client's handle with the error's name, fields and cause", async () => {
    type Failure = Error & { code?: string; task?: string; attempts?: number; cause?: Error };
    await assert.rejects(client.submit(signature("fail", ["too far"])).get(), (error: Failure) => {
      assert.equal(error.name, "TaskError");
      assert.equal(error.code, "TASK_FAILED");
      assert.equal(error.task, "fail");
      assert.equal(error.attempts, 1);
      assert.equal(error.cause?.name, "RangeError");
      assert.equal(error.cause?.message, "too far");
      assert.match(error.message, /^Task "fail" \(\S+\) failed after 1 attempt: RangeError: too far$/);
      return true;
    });
  });

  it("a task the worker does not register is refused with UnknownTaskError naming it", async () => {
    await assert.rejects(client.submit(signature("nope", [])).get(), (error: Error & { code?: string }) => {
      assert.equal(error.name, "UnknownTaskError");
      assert.equal(error.code, "UNKNOWN_TASK");
      assert.equal((error as Error & { task?: string }).task, "nope");
      // The worker's names, as a list: the field survives the wire.
      assert.ok((error as Error & { known?: string[] }).known?.includes("add"));
      assert.match(error.message, /"nope"/);
      return true;
    });
  });

  it("run ids that read like actor request ids (r1, r2, …) do not take the actors' answers", async () => {
    // Actor requests are numbered r1, r2, … on the channel; a user may choose the same ids for runs.
    const runs = Array.from(
      { length: 20 },
      (_, i) => client.submit(signature<number>("where", [200]), { id: `r${i + 1}` }),
    );
    const Counter = client.actor(
      "Counter",
      class {
        add(_n: number) {
          return 0;
        }
      },
    );
    const counter = await client.createActor(Counter);
    const totals: number[] = [];
    for (let i = 0; i < 5; i++) totals.push(await counter.add(2));
    assert.deepEqual(totals, [2, 4, 6, 8, 10]);
    const pids = await Promise.all(runs.map((run) => run.get()));
    assert.ok(
      pids.every((pid) => typeof pid === "number" && pid > 0),
      `each run answers a pid, got ${pids.join(", ")}`,
    );
    await counter.stop();
  });

  it("actant status prints the worker as a table, and as JSON with --json", async () => {
    await client.submit(signature<number>("add", [40, 2]));
    const table = await runCli(["status", "--address", address]);
    assert.equal(table.code, 0, table.stderr);
    const peerId = address.slice(address.indexOf("/p2p/") + 5);
    assert.match(
      table.stdout,
      /^node\s+peer\s+runtime\s+queued\s+running\s+succeeded\s+failed\s+actors\s+load\s+uptime\s+addresses/m,
    );
    assert.match(table.stdout, new RegExp(`^w1\\s+${peerId.slice(0, 12)}`, "m"));
    const json = await runCli(["status", "--address", address, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const { peers } = JSON.parse(json.stdout);
    assert.equal(peers.length, 1);
    assert.equal(peers[0].peerId, peerId);
    assert.equal(peers[0].nodeId, "w1");
    assert.ok(peers[0].tasks.succeeded >= 1);
    assert.ok(peers[0].addresses.includes(address));
  });

  it("actant with a bad command or option exits non-zero with a message naming it", async () => {
    const unknown = await runCli(["launch"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "launch"/);
    const badOption = await runCli(["status", "--adress", address]);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /unknown option --adress; did you mean --address\?/);
    const missing = await runCli(["worker"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /option --app is required/);
  });

  it("an address without /p2p/ is a TypeError at construction; an address that does not answer fails with PeerUnreachableError", async () => {
    assert.throws(() => new ActantApp("x", { address: "/ip4/127.0.0.1/tcp/1/ws" }), TypeError);
    const peer = address.slice(address.indexOf("/p2p/"));
    const nobody = new ActantApp("x", { address: `/ip4/127.0.0.1/tcp/1/ws${peer}` });
    await assert.rejects(nobody.submit(signature("add", [1, 2])).get(), { name: "PeerUnreachableError" });
    await nobody.close();
  });
});
