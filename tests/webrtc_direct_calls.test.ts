// Direct calls over a real WebRTC connection (node-datachannel), all on 127.0.0.1: a worker that
// relays signalling (`join({ relay: true })`) owns the actors; a light worker that runs WebRTC
// hosts one; a client that runs WebRTC calls it over its own WebRTC connection to the light
// worker, not through the worker. When that connection breaks with a call in flight, the call
// goes again through the owner under its id and runs once; when the light worker leaves, the
// actor moves to the worker with every call counted once. Node and Bun (Deno has no WebRTC).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, type ClusterMember } from "../mod.ts";
import { defineActor } from "../src/actor/mod.ts";
import { ClientConnection } from "../src/app/client_mode.ts";
import { DIRECT_CALLS_PROTOCOL, type DirectCall, DirectCalls } from "../src/cluster/mod.ts";
import { encode, systemClock } from "../src/common/mod.ts";
import { createNetNode, webRtcAddress } from "../src/net/mod.ts";
import { webRtc } from "../webrtc.ts";
import { gate, until } from "./support/async.ts";

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const ON_LOOPBACK = { bindAddress: "127.0.0.1" };

/** A Counter that says where it lives, and holds an `add(99)` until the test opens `held`. */
function counterClass(where: string, held: { promise: Promise<void> }, started: { count: number }) {
  return class {
    total = 0;
    async add(n: number) {
      if (n === 99) {
        started.count++;
        await held.promise;
      }
      return (this.total += n);
    }
    host() {
      return where;
    }
  };
}

describe(
  "direct calls over WebRTC between Node peers",
  { skip: isDeno && "Deno has no WebRTC", timeout: 90_000 },
  () => {
    const held = gate();
    const started = { count: 0 };
    const server = new ActantApp("direct_test", { durability: "memory" });
    server.actor("Counter", counterClass("server", held, started));
    let light: ActantApp;
    let client: ClientConnection;
    let member: ClusterMember;
    const Counter = defineActor("Counter", counterClass("client", held, started));

    before(async () => {
      member = await server.join({
        listen: ["/ip4/127.0.0.1/tcp/0/ws"],
        relay: true,
        heartbeatMs: 200,
        failAfterMs: 1_500,
      });
      const address = member.node.addresses()[0];
      light = new ActantApp("direct_test", { address, worker: true, webrtc: webRtc(ON_LOOPBACK) });
      light.actor("Counter", counterClass("light", held, started));
      await light.start();
      client = new ClientConnection(address, { clock: systemClock, webrtc: webRtc(ON_LOOPBACK) });
      await client.connect();
    });

    after(async () => {
      held.open();
      await client?.close();
      await light?.close();
      await server.close();
    });

    /** A Counter the server placed on the light worker (created until one lands there). */
    async function counterOnLight() {
      await until(() => member.membership.members().length === 1, "the server sees the light worker");
      for (let i = 0; i < 6; i++) {
        const counter = await client.createActor(Counter);
        if (await counter.host() === "light") return counter;
      }
      assert.fail("no Counter was placed on the light worker");
    }

    const webRtcConnections = async () =>
      (await client.connect()).node.connections().filter((connection) => connection.transport === "webrtc");

    it("calls the light worker's actor over their WebRTC connection, then again once it broke mid-call", async () => {
      const counter = await counterOnLight();
      for (let i = 1; i <= 5; i++) assert.equal(await counter.add(1), i);
      const direct = await webRtcConnections();
      assert.equal(direct.length, 1, "one WebRTC connection: to the light worker");
      const relayed = (await client.connect()).node.connections().filter((c) => c.transport === "relayed");
      assert.deepEqual(relayed, [], "the relayed connection that signalled it is closed");

      // A call in flight at the host when the client's WebRTC connection breaks.
      const pending = counter.add(99);
      await until(() => started.count === 1, "the light worker runs add(99)");
      const { node } = await client.connect();
      for (const connection of node.libp2p.getConnections()) {
        if (connection.multiplexer === "/webrtc") await connection.close();
      }
      held.open();
      assert.equal(await pending, 104, "answered, through the owner");
      assert.equal(started.count, 1, "and run once");
      assert.equal(await counter.add(1), 105);
      assert.equal(await counter.host(), "light");
    });

    it("fails a call its host answers malformed (it may have run: not sent again)", async () => {
      const rogue = await createNetNode({ bootstrap: member.node.addresses(), webrtc: webRtc(ON_LOOPBACK) });
      try {
        const answered: unknown[] = [];
        await rogue.handleChannel<DirectCall, unknown>(DIRECT_CALLS_PROTOCOL, async (channel) => {
          const writer = channel.writable.getWriter();
          for await (const call of channel.readable) {
            answered.push(call);
            await writer.write({ op: "done", key: call.key, ok: true }); // no result
          }
        });
        const address = await webRtcAddress(rogue, 20_000);
        assert.ok(address !== undefined, "the rogue has a WebRTC address");
        // Connected first: on a loaded machine a WebRTC dial can take longer than the dial
        // timeout, and then a direct call rightly goes through the owner instead (not this case).
        const { node } = await client.connect();
        let reached = false;
        await until(() => reached, "the client reaches the rogue over WebRTC", {
          limitMs: 100, // ten dials at most
          step: async () => void (reached = await node.dial(address).then(() => true, () => false)),
        });
        const direct = new DirectCalls(node, {
          clock: systemClock,
          whereIs: () => Promise.resolve({ peerId: rogue.peerId, addresses: [address] }),
        });
        await assert.rejects(direct.call("a-1", "add", encode([1])), {
          name: "TypeError",
          message: /malformed answer/,
        });
        assert.equal(answered.length, 1, "the call went to the host once");
        await direct.close();
      } finally {
        await rogue.stop();
      }
    });

    it("moves the actor to the server when the light worker leaves, every call counted once", async () => {
      const counter = await counterOnLight();
      for (let i = 1; i <= 3; i++) assert.equal(await counter.add(1), i);
      await light.close();
      assert.equal(await counter.add(1), 4, "the calls made directly were logged by the owner");
      assert.equal(await counter.host(), "server");
    });
  },
);

describe("the WebRTC options of apps", () => {
  const address = "/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWGzBvuU9ZhHXLJ1ZBV1GL2FXkcDxZfYvq4YqNUZmYDwAb";
  const app = (options: object) => () => new ActantApp("bad", options as { address: string });

  it("refuses webrtc that webRtc() did not make, beside a secret, on Deno, and on an app without an address", () => {
    assert.throws(app({ address, webrtc: true }), { name: "TypeError", message: /webRtc\(\)/ });
    assert.throws(app({ address, worker: true, webrtc: { iceServers: [] } }), { name: "TypeError", message: /webRtc/ });
    if (isDeno) {
      assert.throws(app({ address, webrtc: webRtc() }), { name: "TypeError", message: /Deno has no WebRTC/ });
    } else {
      assert.throws(app({ address, webrtc: webRtc(), secret: "s" }), { name: "TypeError", message: /pre-shared key/ });
    }
    assert.throws(app({ webrtc: webRtc() }), { name: "TypeError", message: /option webrtc applies to a client/ });
    assert.throws(app({ listen: [], webrtc: webRtc() }), { name: "TypeError", message: /join\(\{ relay: true \}\)/ });
  });

  it("refuses a relay option that is not a boolean", async () => {
    const worker = new ActantApp("bad", { durability: "memory" });
    await assert.rejects(worker.join({ relay: "yes" as never }), {
      name: "TypeError",
      message: /relay must be a boolean/,
    });
    await worker.close();
  });
});
