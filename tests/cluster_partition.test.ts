// A member in the owner's membership view that cannot be reached on `/actant/exec/1` (its exec
// channel fails at once, while its heartbeats keep arriving): the owner used to pick it again and
// again from microtasks (0 in flight), appending a `task.dispatched` event each turn, and never
// let a timer, a status request or a signal run. Now the member is out of placement until a
// direct ping proves it back (on a timer with backoff), the owner keeps answering, and the work
// completes on another member with a bounded number of dispatches.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import { EXEC_PROTOCOL, requestStatus } from "../src/cluster/mod.ts";
import { createNetNode } from "../src/net/mod.ts";
import { within } from "./support/async.ts";
import { KeptBackend, loggedEvents } from "./support/kept_backend.ts";

/** Polls `check` (bounded: 1,000 × 10 ms) until it holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe("a member whose exec channel fails while membership still lists it", { timeout: 60_000 }, () => {
  const apps: ActantApp[] = [];
  after(async () => {
    for (const app of apps) await app.close().catch(() => {});
  });

  it("is left out of placement: the owner keeps answering, timers fire, the work completes elsewhere", async () => {
    const backend = new KeptBackend();
    const owner = new ActantApp("partition", { backend });
    const broken = new ActantApp("partition", { durability: "memory" });
    const healthy = new ActantApp("partition", { durability: "memory" });
    apps.push(owner, broken, healthy);
    broken.task("work", (n: number) => `broken:${n}`);
    healthy.task("work", (n: number) => `healthy:${n}`);
    const ownerMember = await owner.join({ heartbeatMs: 100, nodeId: "owner" });
    const brokenMember = await broken.join({ bootstrap: ownerMember.node.addresses(), heartbeatMs: 100, nodeId: "broken" });
    await until(() => ownerMember.membership.get(brokenMember.node.peerId) !== undefined, "the owner knows the broken member");
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
    assert.ok(ownerMember.membership.get(brokenMember.node.peerId) !== undefined, "membership still lists the broken member");

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
