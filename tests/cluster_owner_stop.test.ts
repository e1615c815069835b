// An owner stopped for 10 s (SIGSTOP, then SIGCONT) while its attempts run on other workers: on
// waking, it finds its members silent past the failure bound, loses them, hears of them again
// through gossip at once, and used to place the lost attempts on them again and again from
// microtasks (a lost member shows 0 in flight), wedged for good. Now it answers `actant status`
// within a bound and the work completes, on the members once they are proven reachable again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import { type PeerStatus, requestStatus } from "../src/cluster/mod.ts";
import { createNetNode, type NetNode } from "../src/net/mod.ts";
import { ONCE_UNDER_NODE, runCli, startWorker, WORKER_RUNTIMES, type WorkerProcess } from "./support/actant_cli.ts";
import { waitForMembers, waitUntilRunning } from "./support/cluster.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;
const RUNS = 200;

describe("an owner stopped for 10 s and resumed (workers on Node, Deno, Bun)", {
  timeout: 180_000,
  skip: ONCE_UNDER_NODE,
}, () => {
  let work: string;
  /** Workers started so far: each next one runs on the next runtime. */
  let starts = 0;
  const workers: WorkerProcess[] = [];
  const clients: ActantApp[] = [];
  let probe: NetNode;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "actant-owner-stop-"));
    const start = async (name: string, bootstrap?: string) => {
      // A low concurrency keeps runs queued on the owner while it is stopped, to be placed when it wakes.
      const args = ["--app", appModule, "--data", join(work, name), "--node-id", name, "--concurrency", "2"];
      const runtime = WORKER_RUNTIMES[starts++ % WORKER_RUNTIMES.length];
      const worker = await startWorker(bootstrap === undefined ? args : [...args, "--bootstrap", bootstrap], runtime);
      workers.push(worker);
      return worker;
    };
    const w1 = await start("w1");
    await Promise.all([start("w2", w1.address), start("w3", w1.address)]);
    await waitForMembers(workers.map((worker) => worker.address), 3);
    probe = await createNetNode();
  });

  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    for (const worker of workers) worker.child.kill("SIGKILL");
    await probe?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** The owner's own status row, polled until `ready` holds (bounded: 40 × 500 ms, each ask by the dial timeout). */
  async function ownerStatus(ready: (self: PeerStatus) => boolean, what: string): Promise<PeerStatus> {
    let last = "no answer";
    for (let i = 0; i < 40; i++) {
      try {
        const [self] = await requestStatus(probe, workers[0].address);
        if (ready(self)) return self;
        last = JSON.stringify(self.tasks);
      } catch (error) {
        last = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.fail(`the owner never reached: ${what} (last: ${last})\n${workers[0].output().slice(-4_000)}`);
  }

  it("answers status within a bound and completes its work", async () => {
    const [w1, w2] = workers;
    const client = new ActantApp("cluster_test", { address: w1.address });
    clients.push(client);
    for (let i = 0; i < RUNS; i++) client.submit(signature<number>("where", [150])).get().catch(() => {});
    await waitUntilRunning(w2.address);
    // process.kill, not child.kill: Deno's ChildProcess.kill does not send SIGCONT.
    process.kill(w1.child.pid!, "SIGSTOP");
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    process.kill(w1.child.pid!, "SIGCONT");

    await ownerStatus(() => true, "a status answer");
    // The owner's succeeded count is its own runs': every one of them is done.
    const self = await ownerStatus((row) => row.tasks.succeeded >= RUNS && row.tasks.queued === 0, "all runs done");
    assert.equal(self.tasks.failed, 0);
    // Once its members are proven back, it places work on them again, and new work completes.
    const { code, stdout } = await runCli(["status", "--address", w1.address, "--json"]);
    assert.equal(code, 0);
    assert.deepEqual((JSON.parse(stdout) as { peers: PeerStatus[] }).peers.map((peer) => peer.nodeId).sort(), [
      "w1",
      "w2",
      "w3",
    ]);
    const fresh = new ActantApp("cluster_test", { address: w1.address });
    clients.push(fresh);
    const pids = await Promise.all(
      Array.from({ length: 30 }, () => fresh.submit(signature<number>("where", [100])).get()),
    );
    assert.equal(pids.length, 30);
    assert.equal(w1.child.exitCode, null, w1.output());
  });
});
