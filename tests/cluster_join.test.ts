// Joining is robust: a worker whose bootstrap peer is not listening yet keeps dialling it with a
// backoff instead of exiting, and ten workers started at once on one host (more inbound
// connections per second from one address than libp2p's default of 5 allows) form one cluster.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ONCE_UNDER_NODE, startWorker, WORKER_RUNTIMES, type WorkerProcess } from "./support/actant_cli.ts";
import { waitForMembers } from "./support/cluster.ts";
import { plannedPeer } from "./support/planned_peer.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;

describe("joining a cluster (workers on Node, Deno, Bun)", { timeout: 180_000, skip: ONCE_UNDER_NODE }, () => {
  let work: string;
  /** Workers started so far: each next one runs on the next runtime. */
  let starts = 0;

  before(() => {
    work = mkdtempSync(join(tmpdir(), "actant-join-"));
  });
  const workers: WorkerProcess[] = [];

  after(() => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  const start = async (name: string, extra: string[]) => {
    const dataDir = join(work, name);
    const runtime = WORKER_RUNTIMES[starts++ % WORKER_RUNTIMES.length];
    const worker = await startWorker(["--app", appModule, "--data", dataDir, "--node-id", name, ...extra], runtime);
    workers.push(worker);
    return worker;
  };

  it("a worker whose bootstrap peer is not listening yet retries until it is", async () => {
    const firstDir = join(work, "early-1");
    mkdirSync(firstDir, { recursive: true });
    const first = await plannedPeer(firstDir);
    const second = start("early-2", ["--bootstrap", first.address]);
    second.catch(() => {});
    // The second worker dials a port nobody listens on for a while before the first one starts.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const [w1, w2] = await Promise.all([start("early-1", ["--listen", first.listen]), second]);
    await waitForMembers([w1.address, w2.address], 2);
  });

  it("ten workers started at once on one host form one cluster", async () => {
    const firstDir = join(work, "burst-1");
    mkdirSync(firstDir, { recursive: true });
    const first = await plannedPeer(firstDir);
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i + 1}`);
    const started = await Promise.all(
      names.map((name, i) => start(name, i === 0 ? ["--listen", first.listen] : ["--bootstrap", first.address])),
    );
    await waitForMembers(started.map((worker) => worker.address), 10);
    for (const worker of started) {
      assert.equal(worker.child.exitCode, null, `${worker.address} exited:\n${worker.output()}`);
    }
  });
});
