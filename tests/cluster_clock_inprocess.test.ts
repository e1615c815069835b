// Two apps in one process, each on its own ManualClock, joined over real libp2p on 127.0.0.1:
// the app's clock reaches its member, so heartbeats and failure detection move only when the
// test advances that clock. A member whose clock stands still stops heartbeating (its
// connection stays open) and is taken as gone on its peer's clock, then comes back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, ManualClock, signature } from "../mod.ts";
import type { ClusterMember, MembershipChange } from "../src/cluster/mod.ts";
import { until } from "./support/async.ts";

const HEARTBEAT_MS = 100;
const FAIL_AFTER_MS = 350;

describe("a cluster on manual clocks", { timeout: 60_000 }, () => {
  const clockA = new ManualClock();
  const clockB = new ManualClock();
  let a: ActantApp;
  let b: ActantApp;
  let memberA: ClusterMember;
  let memberB: ClusterMember;
  const changesAtA: MembershipChange[] = [];

  const knowEachOther = () =>
    memberA.membership.get(memberB.node.peerId) !== undefined &&
    memberB.membership.get(memberA.node.peerId) !== undefined;

  /**
   * One heartbeat on both clocks, then waits (in real time, for the network) until each member
   * heard the other's at the present of its own clock: the clocks move in lockstep with delivery.
   */
  const heartbeatBoth = async () => {
    await clockA.advance(HEARTBEAT_MS);
    await clockB.advance(HEARTBEAT_MS);
    await until(
      () =>
        memberA.membership.get(memberB.node.peerId)?.lastSeen === clockA.now() &&
        memberB.membership.get(memberA.node.peerId)?.lastSeen === clockB.now(),
      "each heard the other's heartbeat",
    );
  };

  before(async () => {
    a = new ActantApp("clocked_inproc", { durability: "memory", clock: clockA });
    b = new ActantApp("clocked_inproc", { durability: "memory", clock: clockB });
    b.task("onlyOnB", (x: number) => x * 10);
    const timing = { heartbeatMs: HEARTBEAT_MS, failAfterMs: FAIL_AFTER_MS };
    memberA = await a.join(timing);
    memberB = await b.join({ ...timing, bootstrap: memberA.node.addresses() });
    // Gossipsub learns of the subscriptions a little after the connection: heartbeat, on both clocks, until heard.
    await until(knowEachOther, "a and b know each other", {
      step: async () => {
        await clockA.advance(HEARTBEAT_MS);
        await clockB.advance(HEARTBEAT_MS);
      },
    });
    memberA.membership.onChange((change) => changesAtA.push(change));
  });

  after(async () => {
    await a?.close();
    await b?.close();
  });

  it("runs the member's uptime and heartbeat timer on the app's clock", async () => {
    assert.ok(clockA.pending >= 1 && clockB.pending >= 1, "each heartbeat timer is armed on its app's clock");
    const uptimeA = memberA.report().uptimeMs;
    const uptimeB = memberB.report().uptimeMs;
    for (let i = 0; i < 10; i++) await heartbeatBoth();
    assert.equal(memberA.report().uptimeMs, uptimeA + 10 * HEARTBEAT_MS);
    assert.equal(memberB.report().uptimeMs, uptimeB + 10 * HEARTBEAT_MS);
    assert.ok(knowEachOther(), "members that heartbeat stay members");
    assert.equal(changesAtA.filter((change) => change.kind === "left").length, 0);
    assert.equal(await a.submit(signature<number>("onlyOnB", [4])), 40, "work placed on b runs there");
  });

  it("takes a member whose clock stands still as gone after failAfterMs of its peer's clock, and back when it heartbeats", async () => {
    const peerB = memberB.node.peerId;
    const from = changesAtA.length;
    // b's clock stands still: b sends no heartbeat, though its connection to a stays open.
    let lastSeen = memberA.membership.get(peerB)!.lastSeen;
    for (let ticks = 0; memberA.membership.get(peerB) !== undefined; ticks++) {
      assert.ok(ticks < 100, "b was taken as gone");
      lastSeen = memberA.membership.get(peerB)!.lastSeen;
      await clockA.advance(HEARTBEAT_MS);
      if (memberA.membership.get(peerB) !== undefined) {
        assert.ok(clockA.now() - lastSeen <= FAIL_AFTER_MS + HEARTBEAT_MS, "not kept past the bound");
      }
    }
    // Taken as gone at the first heartbeat tick of a's past failAfterMs since b was last heard, not before.
    const silence = clockA.now() - lastSeen;
    assert.ok(
      silence > FAIL_AFTER_MS && silence <= FAIL_AFTER_MS + HEARTBEAT_MS,
      `gone after ${silence} ms of a's clock`,
    );
    const left = changesAtA.slice(from).filter((change) => change.kind === "left");
    assert.equal(left.length, 1);
    assert.match(left[0].kind === "left" ? left[0].reason : "", /no heartbeat/);
    assert.ok(memberA.node.peers().includes(peerB), "the connection never closed: it was the silence");

    await until(() => memberA.membership.get(peerB) !== undefined, "b is back at a", {
      step: () => clockB.advance(HEARTBEAT_MS),
    });
    assert.equal(changesAtA.at(-1)?.kind, "joined");
  });
});
