// A cluster of real worker processes, one each on Node, Deno and Bun (whatever runs the test),
// joined through a bootstrap peer, and a client connected to one of them: the seed's examples
// run across it, a chord of 100 spreads over every worker, SIGKILLed workers lose nothing, a
// new worker gets work, a restarted one rejoins, and bad input gets clear errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActantApp, chain, chord, group, signature } from "../mod.ts";
import { createNetNode } from "../src/net/mod.ts";
import { ONCE_UNDER_NODE, runCli, startWorker, type WorkerProcess } from "./support/actant_cli.ts";
import { clusterClient, waitForMembers, waitUntilRunning } from "./support/cluster.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;

describe(
  "a cluster of three workers (Node, Deno, Bun) and a client",
  { timeout: 240_000, skip: ONCE_UNDER_NODE },
  () => {
    let work: string;
    const workers: WorkerProcess[] = [];
    let w1: WorkerProcess;
    let client: ActantApp;
    let api: ReturnType<typeof clusterClient>;

    const start = async (name: string, runtime?: "node" | "deno" | "bun", extra: string[] = []) => {
      const worker = await startWorker([
        "--app",
        appModule,
        "--data",
        join(work, name),
        "--node-id",
        name,
        ...(w1 === undefined ? [] : ["--bootstrap", w1.address]),
        ...extra,
      ], runtime);
      workers.push(worker);
      return worker;
    };

    before(async () => {
      work = mkdtempSync(join(tmpdir(), "actant-multi-"));
      w1 = await start("w1", "node");
      await Promise.all([start("w2", "deno"), start("w3", "bun")]);
      await waitForMembers(workers.map((worker) => worker.address), 3);
      client = new ActantApp("cluster_test", { address: w1.address });
      api = clusterClient(client);
    });

    after(async () => {
      await client?.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      rmSync(work, { recursive: true, force: true });
    });

    it("actant status lists every peer with its runtime, from any peer", async () => {
      const { code, stdout } = await runCli(["status", "--address", workers[2].address, "--json"]);
      assert.equal(code, 0);
      const { peers } = JSON.parse(stdout) as { peers: Array<{ nodeId: string; runtime: string }> };
      assert.deepEqual(peers.map((peer) => peer.nodeId).sort(), ["w1", "w2", "w3"]);
      assert.deepEqual(peers.map((peer) => peer.runtime).sort(), ["bun", "deno", "node"]);
    });

    it("runs the seed's chain and actor examples across the cluster", async () => {
      const { fetch, analyze, report, ModelRegistry } = api;
      assert.equal(
        await client.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s())),
        "Report: sentiment=0.8",
      );
      const registry = await client.createActor(ModelRegistry);
      assert.equal(await registry.register("gpt", "v1.0").get(), "Registered gpt@v1.0");
      assert.deepEqual(await registry.list(), { gpt: "v1.0" });
    });

    it("spreads a chord of 100 over all three workers", async () => {
      const members = Array.from({ length: 100 }, () => signature<number>("where", [30]));
      assert.equal(await client.submit(chord(group(...members), signature<number>("distinct", []))), 3);
    });

    it("a worker SIGKILLed mid-workflow: its members run again elsewhere and the workflow completes", async () => {
      const victim = await start("w4", undefined);
      await waitForMembers([w1.address], 4);
      await completesDespite(victim, () => void victim.child.kill("SIGKILL"));
    });

    it("a worker that joins while work runs gets new work; restarted on its data, it rejoins as the same peer", async () => {
      const running = client.submit(group(...Array.from({ length: 20 }, () => signature<number>("where", [200]))));
      const late = await start("w5", undefined);
      await waitForMembers([w1.address], 4);
      const pids = await client.submit(group(...Array.from({ length: 60 }, () => signature<number>("where", [50]))));
      assert.ok(pids.includes(late.child.pid!), "the new worker ran some of the new work");
      assert.equal((await running).length, 20);
      const peerId = late.address.split("/p2p/")[1];
      await late.stop();
      workers.splice(workers.indexOf(late), 1);
      const again = await start("w5", undefined);
      assert.equal(again.address.split("/p2p/")[1], peerId);
      await waitForMembers([w1.address], 4);
    });

    it("bad input: unknown names, actors that are gone, a dead bootstrap address, a bad --concurrency", async () => {
      await assert.rejects(client.submit(signature("nope", [])).get(), (error: Error & { code?: string }) => {
        assert.equal(error.code, "UNKNOWN_TASK");
        assert.match(error.message, /"nope".*where/);
        return true;
      });
      const { Counter, Unregistered } = api;
      await assert.rejects(client.getActor(Counter, "no-such-counter"), { name: "ActorNotFoundError" });
      await assert.rejects(client.createActor(Unregistered), { name: "ActorNotFoundError" });
      const counter = await client.createActor(Counter);
      await counter.stop();
      await assert.rejects(counter.add(1).get(), { name: "ActorStoppedError" });
      const deadPeer = w1.address.replace(/tcp\/\d+/, "tcp/1");
      const dead = await runCli(["worker", "--app", appModule, "--data", join(work, "dead"), "--bootstrap", deadPeer]);
      assert.equal(dead.code, 1);
      assert.match(dead.stderr, /PeerUnreachableError/);
      const taken = w1.address.split("/p2p/")[0];
      const busy = await runCli(["worker", "--app", appModule, "--data", join(work, "busy"), "--listen", taken]);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /AddressInUseError/);
      const zero = await runCli(["worker", "--app", appModule, "--concurrency", "0"]);
      assert.equal(zero.code, 2);
      assert.match(zero.stderr, /--concurrency expects an integer > 0/);
      const hasty = await runCli(["worker", "--app", appModule, "--heartbeat-ms", "1000", "--fail-after-ms", "500"]);
      assert.equal(hasty.code, 2);
      assert.match(hasty.stderr, /--fail-after-ms \(500\) must be longer than the heartbeat/);
    });

    it("a client reaches a worker by p2p://<peer id> through bootstrap addresses", async () => {
      const w3Id = workers[2].address.split("/p2p/")[1];
      const viaId = new ActantApp("cluster_test", { address: `p2p://${w3Id}`, bootstrap: [w1.address] });
      try {
        assert.equal(await viaId.submit(signature<number>("add", [2, 3])), 5);
      } finally {
        await viaId.close();
      }
      assert.throws(() => new ActantApp("x", { address: `p2p://${w3Id}` }), TypeError);
      assert.throws(() => new ActantApp("x", { address: "p2p://not-a-peer-id", bootstrap: [w1.address] }), TypeError);
      const stranger = await createNetNode();
      await stranger.stop();
      const unknown = new ActantApp("x", { address: `p2p://${stranger.peerId}`, bootstrap: [w1.address] });
      await assert.rejects(unknown.submit(signature("add", [1, 1])).get(), { name: "PeerUnreachableError" });
      await unknown.close();
    });

    it("a worker stopped with SIGTERM mid-workflow hands its attempts back, and the workflow completes", async () => {
      const leaving = await start("w6", undefined);
      await waitForMembers([w1.address], 5);
      await completesDespite(leaving, () => leaving.stop());
      workers.splice(workers.indexOf(leaving), 1);
      assert.match(leaving.output(), /w6 stopped/);
    });

    it("a worker that hangs (SIGSTOP) misses its heartbeats: it is taken as gone and its attempts run elsewhere", async () => {
      const hung = await start("w7", undefined);
      await waitForMembers([w1.address], 5);
      try {
        await completesDespite(hung, () => void hung.child.kill("SIGSTOP"));
        await waitForMembers([w1.address], 4);
      } finally {
        hung.child.kill("SIGKILL");
        workers.splice(workers.indexOf(hung), 1);
      }
    });

    it("a worker without the cluster secret cannot join", async () => {
      const secretFile = join(work, "secret");
      writeFileSync(secretFile, "not the cluster's secret");
      const outsider = await runCli([
        "worker",
        "--app",
        appModule,
        "--data",
        join(work, "outsider"),
        "--bootstrap",
        w1.address,
        "--secret-file",
        secretFile,
      ]);
      assert.equal(outsider.code, 1);
      assert.match(outsider.stderr, /PeerUnreachableError/);
    });

    it("the host of an actor SIGKILLed mid-call: the actor moves with its state and every call completes once", async () => {
      const { Counter } = api;
      const counter = await client.createActor(Counter, { name: "survivor" });
      for (let i = 0; i < 10; i++) await counter.add(1); // past checkpoints (every 3 calls) and calls after the last one
      const host = await counter.host();
      const victim = workers.find((worker) => worker.child.pid === host);
      assert.ok(victim !== undefined && victim !== w1, "the owner placed the actor on another worker");
      const slow = counter.slowAdd(5, 1_000);
      const queued = counter.add(100);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the slow call is inside the actor now
      victim.child.kill("SIGKILL");
      assert.equal(await slow, 15);
      assert.equal(await queued, 115);
      assert.notEqual(await counter.host(), host);
      assert.equal(await (await client.getActor(Counter, "survivor")).add(0), 115);
    });

    it("an owner SIGKILLed and restarted on its data brings back the actors it owned, reachable by name", async () => {
      const { Counter } = api;
      const counter = await client.createActor(Counter, { name: "kept" });
      for (let i = 0; i < 7; i++) await counter.add(2);
      w1.child.kill("SIGKILL");
      await new Promise((resolve) => w1.child.once("exit", resolve));
      workers.splice(workers.indexOf(w1), 1);
      const restarted = await startWorker([
        "--app",
        appModule,
        "--data",
        join(work, "w1"),
        "--node-id",
        "w1",
        "--bootstrap",
        workers[0].address,
      ], "node");
      workers.push(restarted);
      assert.equal(restarted.address.split("/p2p/")[1], w1.address.split("/p2p/")[1], "same peer id");
      const again = new ActantApp("cluster_test", { address: restarted.address });
      try {
        const kept = await again.getActor(clusterClient(again).Counter, "kept");
        assert.equal(await kept.add(0), 14);
      } finally {
        await again.close();
      }
    });

    /**
     * Runs a group of 40 slow members, does `disrupt` to `worker` once it runs some of them, and
     * checks the group still completes, none of its results coming from `worker`.
     */
    async function completesDespite(worker: WorkerProcess, disrupt: () => void | Promise<void>): Promise<void> {
      const handle = client.submit(group(...Array.from({ length: 40 }, () => signature<number>("where", [1_500]))));
      await waitUntilRunning(worker.address);
      await disrupt();
      const pids = await handle;
      assert.equal(pids.length, 40);
      assert.ok(pids.every((pid) => typeof pid === "number"));
      assert.ok(!pids.includes(worker.child.pid!), "every member the worker held ran again elsewhere");
    }
  },
);
