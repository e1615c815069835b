// A server that no light worker can dial (it listens on nothing, as a worker behind a NAT that
// dials out to its bootstrap peer) reaches one over WebRTC, signalled through the server the light
// worker is connected to: the light worker becomes its member too, and the attempts it places
// there flow over that WebRTC connection. All on 127.0.0.1 with node-datachannel; Node and Bun
// (Deno has no WebRTC: there a server refuses `join({ webrtc })` with a TypeError).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, type ClusterMember, group, signature } from "../mod.ts";
import { webRtc } from "../webrtc.ts";
import { until } from "./support/async.ts";

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const ON_LOOPBACK = { bindAddress: "127.0.0.1" };

/** An app whose "where" says where it ran. */
function whereApp(options: ConstructorParameters<typeof ActantApp>[1], where: string): ActantApp {
  const app = new ActantApp("light_rtc", options);
  app.task("where", async (ms: number) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return where;
  });
  return app;
}

describe("a server that reaches a light worker over WebRTC only", {
  skip: isDeno && "Deno has no WebRTC",
  timeout: 90_000,
}, () => {
  const relay = whereApp({ durability: "memory" }, "relay");
  const hidden = whereApp({ durability: "memory", concurrency: 1 }, "hidden");
  let light: ActantApp;
  let relayMember: ClusterMember;
  let hiddenMember: ClusterMember;

  before(async () => {
    relayMember = await relay.join({
      listen: ["/ip4/127.0.0.1/tcp/0/ws"],
      relay: true,
      webrtc: webRtc(ON_LOOPBACK),
      nodeId: "relay",
      heartbeatMs: 200,
    });
    hiddenMember = await hidden.join({
      listen: [],
      bootstrap: relayMember.node.addresses(),
      webrtc: webRtc(ON_LOOPBACK),
      nodeId: "hidden",
      heartbeatMs: 200,
    });
    light = whereApp({ address: relayMember.node.addresses()[0], worker: true, webrtc: webRtc(ON_LOOPBACK) }, "light");
    await light.start();
  });

  after(async () => {
    await light?.close();
    await hidden.close();
    await relay.close();
  });

  const lightMember = () => hiddenMember.membership.members().find((member) => member.announcement.light);

  it("takes it as a member once connected over WebRTC, and places attempts there over that connection", async () => {
    await until(() => lightMember() !== undefined, "the hidden server takes the light worker as a member");
    const lightId = lightMember()!.peerId;
    const toLight = hiddenMember.node.connections().filter((c) => c.peerId === lightId);
    assert.deepEqual(toLight.map((c) => c.transport), ["webrtc"], "one connection, WebRTC; the relayed one closed");
    // Runs the hidden server owns: its one slot, and the light worker's, over WebRTC.
    const where = await hidden.submit(group(...Array.from({ length: 6 }, () => signature<string>("where", [100]))));
    assert.ok(where.includes("light"), `nothing ran on the light worker: ${where}`);
    assert.ok(where.every((w) => w === "light" || w === "hidden" || w === "relay"), `where: ${where}`);
  });

  it("drops it when it leaves, and runs its work elsewhere", async () => {
    await light.close();
    await until(() => hiddenMember.membership.members().every((m) => !m.announcement.light), "the light worker left");
    const where = await hidden.submit(group(...Array.from({ length: 3 }, () => signature<string>("where", [10]))));
    assert.ok(where.every((w) => w === "hidden" || w === "relay"), `where: ${where}`);
  });
});

describe("join({ webrtc })", () => {
  it("refuses what webRtc() did not make, beside a secret, and on Deno; the app may join after", async () => {
    const app = new ActantApp("bad_rtc", { durability: "memory" });
    try {
      await assert.rejects(app.join({ webrtc: { iceServers: [] } as never }), {
        name: "TypeError",
        message: /webRtc\(\)/,
      });
      if (isDeno) {
        await assert.rejects(app.join({ webrtc: webRtc() }), { name: "TypeError", message: /Deno has no WebRTC/ });
      } else {
        await assert.rejects(app.join({ webrtc: webRtc(), secret: "s" }), {
          name: "TypeError",
          message: /pre-shared key/,
        });
      }
      // Refused, the app is as it was: it joins.
      const member = await app.join({ listen: ["/ip4/127.0.0.1/tcp/0/ws"] });
      assert.ok(member.node.addresses().length > 0);
    } finally {
      await app.close();
    }
  });
});
