/**
 * A light worker (`{ address, worker: true }`): a client of its server that also runs the
 * attempts the server places on it, within its own concurrency, and owns nothing. Apps in one
 * process over real libp2p connections on 127.0.0.1; where each attempt ran is told by the task
 * itself (each side registers its own function under the same name), never by timing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, group, type LightWorkerRefusedError, signature } from "../mod.ts";
import type { ClusterMember } from "../src/cluster/mod.ts";
import { until } from "./support/async.ts";
import { RoguePeer } from "./support/rogue_member.ts";
import { tallyClass } from "./fixtures/tally.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ONCE_UNDER_NODE, startWorker } from "./support/actant_cli.ts";
import { createTempDir } from "./support/temp_dir.ts";

/** A task `hold(label)` that runs until the test opens its gate, and says which side ran it. */
function gatedTask(app: ActantApp, side: string, started: string[], gates: Map<string, () => void>) {
  return app.task("hold", async (label: string) => {
    started.push(`${side}:${label}`);
    await new Promise<void>((resolve) => gates.set(`${side}:${label}`, resolve));
    return `${side}:${label}`;
  });
}

describe("a light worker", { timeout: 60_000 }, () => {
  let server: ActantApp;
  let member: ClusterMember;
  let light: ActantApp;
  const started: string[] = [];
  const gates = new Map<string, () => void>();

  before(async () => {
    server = new ActantApp("light", { durability: "memory" });
    gatedTask(server, "server", started, gates);
    member = await server.join({ concurrency: 1, heartbeatMs: 200 });
    light = new ActantApp("light", { address: member.node.addresses()[0], worker: true, concurrency: 2 });
    gatedTask(light, "light", started, gates);
    await light.start();
    await until(() => member.membership.members().some((m) => m.announcement.light), "the server sees it");
  });

  after(async () => {
    await light?.close();
    await server?.close();
  });

  it("runs attempts its server places on it, within its concurrency; what it submits, the server owns", async () => {
    const handle = light.submit(group(...["a", "b", "c"].map((label) => signature<string>("hold", [label]))));
    await until(() => started.length === 3, "one attempt on the server, two on the light worker");
    assert.deepEqual(started.filter((s) => s.startsWith("server:")).length, 1);
    assert.deepEqual(started.filter((s) => s.startsWith("light:")).length, 2);
    assert.equal(light.stats().running, 2, "the light worker runs within its concurrency");
    for (const open of gates.values()) open();
    assert.deepEqual((await handle).sort(), [...started].sort());
    // The server owns the run: its scheduler counts the group's three tasks as submitted there.
    assert.equal(server.stats().submitted, 3);
  });

  it("hands its attempts back when it closes: the server places them again, and the work completes", async () => {
    started.length = 0;
    gates.clear();
    const again = new ActantApp("light", { address: member.node.addresses()[0], worker: true, concurrency: 2 });
    gatedTask(again, "again", started, gates);
    await again.start();
    await until(() => member.membership.members().filter((m) => m.announcement.light).length === 2, "it joined");
    await light.close(); // only `again` takes light work now
    await until(() => member.membership.members().filter((m) => m.announcement.light).length === 1, "light left");
    const handles = ["x", "y"].map((label) => server.submit(signature<string>("hold", [label])));
    await until(() => started.length === 2, "one on the server, one on the light worker");
    const onLight = started.find((s) => s.startsWith("again:"))!;
    assert.ok(onLight !== undefined, `started: ${started}`);
    await again.close(); // mid-task: handed back, placed again (on the server, the only member left)
    gates.get(started.find((s) => s.startsWith("server:"))!)!();
    await until(() => started.length === 3, "the handed-back attempt started again on the server");
    for (const [key, open] of gates) if (key.startsWith("server:")) open();
    const results = await Promise.all(handles);
    assert.ok(results.every((r) => r.startsWith("server:")), `results: ${results}`);
    assert.deepEqual(results.map((r) => r.slice("server:".length)).sort(), ["x", "y"]);
  });
});

describe("an actor hosted in a light worker", { timeout: 60_000 }, () => {
  const tally = (side: string) => tallyClass(side);

  it("moves to the server with its logged state when the light worker closes", async () => {
    const server = new ActantApp("actors", { durability: "memory" });
    const Tally = server.actor("Tally", tally("server"));
    const member = await server.join({ heartbeatMs: 200 });
    const light = new ActantApp("actors", { address: member.node.addresses()[0], worker: true });
    light.actor("Tally", tally("light"));
    const client = new ActantApp("actors", { address: member.node.addresses()[0] });
    try {
      await light.start();
      await until(() => member.membership.members().some((m) => m.announcement.light), "the server sees it");
      // A client's actor is owned by its server, and placed on the member with fewest actors,
      // another member winning a tie with the server: the light worker.
      const counter = await client.createActor(Tally);
      assert.equal(await counter.host(), "light");
      for (let i = 1; i <= 3; i++) assert.equal(await counter.add(1), i);
      await light.close();
      assert.equal(await counter.host(), "server", "moved to the server");
      assert.equal(await counter.add(1), 4, "with the state its calls left");
    } finally {
      await client.close();
      await light.close();
      await server.close();
    }
  });
});

describe("a light worker that is not taken", { timeout: 60_000 }, () => {
  it("by a server it cannot reach: start() rejects with PeerUnreachableError", async () => {
    const server = new ActantApp("gone", { durability: "memory" });
    const member = await server.join({});
    const address = member.node.addresses()[0];
    await server.close(); // nothing listens there now
    const light = new ActantApp("gone", { address, worker: true });
    try {
      await assert.rejects(light.start(), { name: "PeerUnreachableError" });
    } finally {
      await light.close();
    }
  });

  it("by a server that takes no light workers: start() rejects with LightWorkerRefusedError", async () => {
    const server = new ActantApp("refuse", { durability: "memory" });
    server.task("hold", (x: string) => x);
    const member = await server.join({ lightWorkers: false, heartbeatMs: 200 });
    const light = new ActantApp("refuse", { address: member.node.addresses()[0], worker: true });
    light.task("hold", (x: string) => x);
    try {
      await assert.rejects(light.start(), (error: LightWorkerRefusedError) => {
        assert.equal(error.name, "LightWorkerRefusedError");
        assert.equal(error.code, "LIGHT_WORKER_REFUSED");
        assert.equal(error.server, member.node.peerId);
        assert.match(error.message, /no-light-workers/);
        return true;
      });
      assert.equal(member.membership.members().length, 0, "the server never counts it as a member");
    } finally {
      await light.close();
      await server.close();
    }
  });

  it("when it registers a task its server's app does not: start() rejects, naming the task", async () => {
    const server = new ActantApp("unknown", { durability: "memory" });
    server.task("known", (x: string) => x);
    const member = await server.join({ heartbeatMs: 200 });
    const light = new ActantApp("unknown", { address: member.node.addresses()[0], worker: true });
    light.task("known", (x: string) => x);
    light.task("rogue", (x: string) => x);
    try {
      await assert.rejects(light.start(), (error: LightWorkerRefusedError) => {
        assert.equal(error.code, "LIGHT_WORKER_REFUSED");
        assert.match(error.message, /task "rogue"/);
        return true;
      });
    } finally {
      await light.close();
      await server.close();
    }
  });

  for (
    const [what, join, registers, reason] of [
      ["registers a task its app does not", {}, { tasks: ["rogue"], actors: [] }, `task "rogue"`],
      ["registers an actor class its app does not", {}, { tasks: [], actors: ["Rogue"] }, `actor class "Rogue"`],
      ["takes no light workers", { lightWorkers: false }, { tasks: [], actors: [] }, "no-light-workers"],
    ] as const
  ) {
    it(`is ignored by a server, with a warning, when it ${what} (a tab that skips its own check)`, async () => {
      const warnings: string[] = [];
      const server = new ActantApp("trust", { durability: "memory", warn: (message) => warnings.push(message) });
      server.task("known", (x: string) => x);
      const member = await server.join({ heartbeatMs: 200, ...join });
      const rogue = await RoguePeer.start("trust", member.node.addresses());
      try {
        const announcement = rogue.announcement({ light: true, registers, status: { addresses: [] } });
        await until(() => warnings.some((w) => w.includes(reason)), "the server warns", {
          step: () => rogue.publish(announcement),
        });
        assert.equal(member.membership.members().length, 0, "it is no member: nothing is placed on it");
        assert.ok(warnings.some((w) => w.includes(rogue.node.peerId)), `warnings: ${warnings}`);
      } finally {
        await rogue.stop();
        await server.close();
      }
    });
  }

  it("of a cluster with a secret: joins with it, and cannot reach the server without it", async () => {
    const secret = "light workers know it too";
    const server = new ActantApp("secret", { durability: "memory" });
    server.task("hold", (x: string) => `server:${x}`);
    const member = await server.join({ secret, heartbeatMs: 200 });
    const address = member.node.addresses()[0];
    const light = new ActantApp("secret", { address, worker: true, secret });
    light.task("hold", (x: string) => `light:${x}`);
    const stranger = new ActantApp("secret", { address, worker: true });
    stranger.task("hold", (x: string) => x);
    try {
      await light.start();
      await until(() => member.membership.members().some((m) => m.announcement.light), "the server sees it");
      assert.match(await light.submit(signature<string>("hold", ["x"])), /^(server|light):x$/);
      await assert.rejects(stranger.start(), { name: "PeerUnreachableError" });
    } finally {
      await stranger.close();
      await light.close();
      await server.close();
    }
  });

  it("refuses options that make no light worker", () => {
    const address = "/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWGzBvuU9ZhHXLJ1ZBV1GL2FXkcDxZfYvq4YqNUZmYDwAb";
    const options = (value: object) => () => new ActantApp("bad", value as { address: string });
    assert.throws(options({ address, worker: "yes" }), { name: "TypeError", message: /worker must be a boolean/ });
    assert.throws(options({ worker: true }), { name: "TypeError", message: /address of the server/ });
    assert.throws(options({ address, worker: true, durability: "sync" }), { name: "TypeError", message: /durability/ });
    assert.throws(options({ address, worker: true, concurrency: 0 }), { name: "RangeError" });
    assert.throws(options({ address, concurrency: 2 }), { name: "TypeError", message: /concurrency/ });
  });

  it("join() on a light worker rejects: it joins at start(), as a light member", async () => {
    const address = "/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWGzBvuU9ZhHXLJ1ZBV1GL2FXkcDxZfYvq4YqNUZmYDwAb";
    const light = new ActantApp("bad", { address, worker: true });
    await assert.rejects(light.join(), { name: "TypeError", message: /light worker/ });
    await light.close();
  });
});

describe("a light worker of an `actant worker` process", { timeout: 90_000, skip: ONCE_UNDER_NODE }, () => {
  const appModule = fileURLToPath(new URL("./fixtures/cluster_app.ts", import.meta.url));
  /** A light worker of the fixture's app that runs only `where`, which answers with this process's pid. */
  function lightWorker(address: string): ActantApp {
    const light = new ActantApp("cluster_test", { address, worker: true, concurrency: 4 });
    light.task("where", async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return process.pid;
    });
    return light;
  }

  it("runs part of a group the worker places on it; the results are right", async () => {
    const temp = await createTempDir("light");
    const worker = await startWorker(["--app", appModule, "--data", join(temp.path, "w1"), "--concurrency", "1"]);
    const light = lightWorker(worker.address);
    try {
      await light.start();
      await until(() => worker.stdout().includes("member joined"), "the worker logs the light worker joining");
      const pids = await light.submit(group(...Array.from({ length: 12 }, () => signature<number>("where", [100]))));
      assert.equal(pids.length, 12);
      assert.ok(pids.includes(process.pid), `none ran on the light worker: ${pids}`);
      assert.ok(pids.includes(worker.child.pid!), `none ran on the worker: ${pids}`);
      assert.ok(pids.every((pid) => pid === process.pid || pid === worker.child.pid), `pids: ${pids}`);
    } finally {
      await light.close();
      await worker.stop();
      await temp.remove();
    }
  });

  it("is refused by `actant worker --no-light-workers`, with a clear error", async () => {
    const temp = await createTempDir("light");
    const worker = await startWorker(["--app", appModule, "--data", join(temp.path, "w1"), "--no-light-workers"]);
    const light = lightWorker(worker.address);
    try {
      await assert.rejects(light.start(), { name: "LightWorkerRefusedError", code: "LIGHT_WORKER_REFUSED" });
      // Its submissions still go through: it is a client like any other.
      assert.equal(await light.submit(signature<number>("add", [2, 3])), 5);
    } finally {
      await light.close();
      await worker.stop();
      await temp.remove();
    }
  });
});
