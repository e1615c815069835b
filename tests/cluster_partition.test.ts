// A member in the owner's membership view that cannot be reached on `/actant/exec/1` (its exec
// channel fails at once, while its heartbeats keep arriving): the owner used to pick it again and
// again from microtasks (0 in flight), appending a `task.dispatched` event each turn, and never
// let a timer, a status request or a signal run. Now the member is out of placement until a
// direct ping proves it back (on a timer with backoff), the owner keeps answering, and the work
// completes on another member with a bounded number of dispatches.
//
// The same through a real partial partition (root only): three workers, each in its own network
// namespace, w1 (the owner) and w3 cut from each other while both still reach w2, which relays
// their announcements; then healed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import { EXEC_PROTOCOL, type PeerStatus, requestStatus } from "../src/cluster/mod.ts";
import { createNetNode, type NetNode } from "../src/net/mod.ts";
import { ONCE_UNDER_NODE, runCli, WORKER_RUNTIMES } from "./support/actant_cli.ts";
import { until, within } from "./support/async.ts";
import { waitForMembers, waitUntilRunning } from "./support/cluster.ts";
import { KeptBackend, loggedEvents } from "./support/kept_backend.ts";
import { netnsUnavailable, type NetnsWorker, TestNetwork } from "./support/netns.ts";

describe("a member whose exec channel fails while membership still lists it", { timeout: 60_000 }, () => {
  const apps: ActantApp[] = [];
  const keys = mkdtempSync(join(tmpdir(), "actant-partition-"));

  after(async () => {
    for (const app of apps) await app.close().catch(() => {});
    rmSync(keys, { recursive: true, force: true });
  });

  it("is left out of placement: the owner keeps answering, timers fire, the work completes elsewhere", async () => {
    const backend = new KeptBackend();
    const owner = new ActantApp("partition", { backend, dataDir: keys }); // its peer key goes there
    const broken = new ActantApp("partition", { durability: "memory" });
    const healthy = new ActantApp("partition", { durability: "memory" });
    apps.push(owner, broken, healthy);
    broken.task("work", (n: number) => `broken:${n}`);
    healthy.task("work", (n: number) => `healthy:${n}`);
    const ownerMember = await owner.join({ heartbeatMs: 100, nodeId: "owner" });
    const brokenMember = await broken.join({
      bootstrap: ownerMember.node.addresses(),
      heartbeatMs: 100,
      nodeId: "broken",
    });
    await until(
      () => ownerMember.membership.get(brokenMember.node.peerId) !== undefined,
      "the owner knows the broken member",
    );
    // Its exec channel now fails at once; it still heartbeats and answers pings.
    await brokenMember.node.unhandle(EXEC_PROTOCOL);

    const handles = Array.from({ length: 5 }, (_, i) => owner.submit(signature<string>("work", [i])));
    // The event loop still runs: a timer fires and the owner answers a status request.
    let fired = 0;
    await within(new Promise((resolve) => setTimeout(() => resolve(++fired), 300)), 20_000, "a 300 ms timer");
    assert.equal(fired, 1);
    const probe = await createNetNode();
    try {
      const peers = await within(requestStatus(probe, ownerMember.node.addresses()[0]), 20_000, "a status answer");
      assert.deepEqual(peers.map((peer) => peer.nodeId).sort(), ["broken", "owner"]);
    } finally {
      await probe.stop();
    }
    assert.ok(
      ownerMember.membership.get(brokenMember.node.peerId) !== undefined,
      "membership still lists the broken member",
    );

    // A member that can be reached joins: the queued work goes there.
    await healthy.join({ bootstrap: ownerMember.node.addresses(), heartbeatMs: 100, nodeId: "healthy" });
    const results = await within(Promise.all(handles.map((handle) => handle.get())), 30_000, "the work");
    assert.deepEqual(results, [0, 1, 2, 3, 4].map((i) => `healthy:${i}`));

    await owner.close();
    const events = await loggedEvents(backend);
    const dispatched = events.filter((event) => event.type === "task.dispatched");
    const succeeded = events.filter((event) => event.type === "task.succeeded");
    assert.equal(succeeded.length, 5);
    // Each run went to the broken member once per time a probe let it back in (a few), then to the healthy one.
    assert.ok(dispatched.length < 100, `${dispatched.length} task.dispatched events for 5 runs`);
    assert.ok(dispatched.some((event) => event.peer === brokenMember.node.peerId), "the broken member was tried");
    // A lost attempt is not a failed one: every run succeeded at its first counted attempt.
    assert.deepEqual(succeeded.map((event) => event.attempts), [1, 1, 1, 1, 1]);
  });
});

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;
const RUNS = 150;
/** How long w1 and w3 stay cut: past libp2p's connection monitor (10 s), which drops their connection. */
const CUT_MS = 15_000;

describe("a partial partition between three workers (Node, Deno, Bun) in network namespaces", {
  timeout: 180_000,
  skip: netnsUnavailable() ?? ONCE_UNDER_NODE,
}, () => {
  let work: string;
  const network = new TestNetwork(3);
  const workers: NetnsWorker[] = [];
  const clients: ActantApp[] = [];
  let probe: NetNode;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "actant-netns-"));
    network.create();
    const start = async (i: number, bootstrap?: string) => {
      const args = ["--app", appModule, "--data", join(work, `w${i}`), "--node-id", `w${i}`, "--concurrency", "2"];
      const runtime = WORKER_RUNTIMES[(i - 1) % WORKER_RUNTIMES.length];
      const worker = await network.startWorker(
        i,
        bootstrap === undefined ? args : [...args, "--bootstrap", bootstrap],
        runtime,
      );
      workers.push(worker);
      return worker;
    };
    const w1 = await start(1);
    await Promise.all([start(2, w1.address), start(3, w1.address)]);
    await waitForMembers(workers.map((worker) => worker.address), 3);
    probe = await createNetNode();
  });

  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await probe?.stop();
    await Promise.all(workers.map((worker) => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
      const exited = new Promise((resolve) => worker.child.once("exit", resolve));
      worker.child.kill("SIGKILL");
      return exited;
    }));
    network.destroy();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** The owner's own row (each ask bounded: a wedged owner accepts the connection but never answers). */
  const ownerRow = async (): Promise<PeerStatus> =>
    (await within(requestStatus(probe, workers[0].address), 10_000, "w1's status answer"))[0];

  it("the owner keeps answering status through the cut and after the heal, and its work completes", async () => {
    const [w1, , w3] = workers;
    const client = new ActantApp("cluster_test", { address: w1.address });
    clients.push(client);
    for (let i = 0; i < RUNS; i++) client.submit(signature<number>("where", [100])).get().catch(() => {});
    await waitUntilRunning(w3.address);
    network.cut(1, 3);
    // Work keeps coming in through the cut, so the owner has runs to place whenever it relearns w3.
    let submitted = RUNS;
    const feeder = setInterval(() => {
      submitted++;
      client.submit(signature<number>("where", [100])).get().catch(() => {});
    }, 50);
    try {
      for (const until = Date.now() + CUT_MS; Date.now() < until;) {
        await ownerRow();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    } finally {
      clearInterval(feeder);
      network.heal(1, 3);
    }
    let self = await ownerRow();
    for (let i = 0; i < 120 && !(self.tasks.succeeded >= submitted && self.tasks.queued === 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      self = await ownerRow();
    }
    assert.ok(
      self.tasks.succeeded >= submitted && self.tasks.queued === 0,
      `w1's runs (${submitted} submitted): ${JSON.stringify(self.tasks)}`,
    );
    assert.equal(self.tasks.failed, 0);
    const { code, stdout } = await runCli(["status", "--address", w1.address, "--json"]);
    assert.equal(code, 0, stdout);
    const fresh = new ActantApp("cluster_test", { address: w1.address });
    clients.push(fresh);
    const pids = await within(
      Promise.all(Array.from({ length: 20 }, () => fresh.submit(signature<number>("where", [50])).get())),
      30_000,
      "new work",
    );
    assert.equal(pids.length, 20);
    for (const worker of workers) assert.equal(worker.child.exitCode, null, worker.output());
  });
});
