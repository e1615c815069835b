// The observer of `join({ onEvent })`: two apps in one process, joined over real libp2p
// connections on 127.0.0.1, tell where each attempt of the runs they own is placed, which fail
// (and whether they are retried), and which attempts another owner placed on them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import type { ClusterMember, MemberEvent } from "../src/cluster/mod.ts";
import { until } from "./support/async.ts";

/** The events about the attempts of run `id`. */
const ofRun = (events: MemberEvent[], id: string) =>
  events.filter((event): event is Exclude<MemberEvent, { kind: "answer.ignored" }> =>
    "runId" in event && event.runId === id
  );

describe("join({ onEvent })", { timeout: 60_000 }, () => {
  let a: ActantApp;
  let b: ActantApp;
  let memberA: ClusterMember;
  let memberB: ClusterMember;
  const eventsA: MemberEvent[] = [];
  const eventsB: MemberEvent[] = [];
  let flakyCalls = 0;

  before(async () => {
    a = new ActantApp("events", { durability: "memory" });
    b = new ActantApp("events", { durability: "memory" });
    a.task("here", (x: number) => x + 1);
    b.task("flaky", () => {
      if (++flakyCalls < 2) throw new RangeError(`flaky ${flakyCalls}`);
      return flakyCalls;
    }, { retries: 3, backoff: { initial: 1, max: 2 } });
    b.task("broken", () => {
      throw new TypeError("broken for good");
    });
    memberA = await a.join({ heartbeatMs: 200, nodeId: "a", onEvent: (event) => eventsA.push(event) });
    memberB = await b.join({
      bootstrap: memberA.node.addresses(),
      heartbeatMs: 200,
      nodeId: "b",
      onEvent: (event) => {
        eventsB.push(event);
        throw new Error("an observer that throws changes nothing");
      },
    });
    await until(
      () => memberA.membership.members().length === 1 && memberB.membership.members().length === 1,
      "they know each other",
    );
  });

  after(async () => {
    await a?.close();
    await b?.close();
  });

  it("an attempt that runs on its owner is placed here", async () => {
    const handle = a.submit(signature<number>("here", [1]));
    assert.equal(await handle, 2);
    assert.deepEqual(ofRun(eventsA, handle.id), [
      { kind: "attempt.placed", task: "here", runId: handle.id, attempt: 1, on: "here" },
    ]);
  });

  it("attempts placed on another member name it; failures say whether they are retried; the runner sees them received", async () => {
    const handle = a.submit(signature<number>("flaky", []));
    assert.equal(await handle, 2);
    const mine = ofRun(eventsA, handle.id);
    const onB = { peerId: memberB.node.peerId, nodeId: "b" };
    assert.deepEqual(mine.map((event) => [event.kind, event.attempt]), [["attempt.placed", 1], ["attempt.failed", 1], [
      "attempt.placed",
      2,
    ]]);
    assert.deepEqual((mine[0] as { on: unknown }).on, onB);
    const failed = mine[1] as Extract<MemberEvent, { kind: "attempt.failed" }>;
    assert.equal(failed.error.name, "RangeError");
    assert.equal(failed.error.message, "flaky 1");
    assert.equal(failed.retrying, true);
    assert.equal(failed.owner, undefined);
    const received = ofRun(eventsB, handle.id);
    const owner = { peerId: memberA.node.peerId, nodeId: "a" };
    assert.deepEqual(received.map((event) => [event.kind, event.attempt]), [["attempt.received", 1], [
      "attempt.failed",
      1,
    ], ["attempt.received", 2]]);
    assert.deepEqual((received[0] as { owner: unknown }).owner, owner);
    assert.deepEqual((received[1] as { owner: unknown }).owner, owner);
  });

  it("a last failure is not retried", async () => {
    const handle = a.submit(signature("broken", []));
    await assert.rejects(handle.get(), { name: "TaskError" });
    const failed = ofRun(eventsA, handle.id).find((event) => event.kind === "attempt.failed");
    assert.ok(failed?.kind === "attempt.failed");
    assert.equal(failed.error.name, "TypeError");
    assert.equal(failed.retrying, false);
  });

  it("an unknown option of join() is still refused", async () => {
    const c = new ActantApp("events", { durability: "memory" });
    try {
      await assert.rejects(c.join({ onEvents: () => {} } as never), /no option "onEvents".*did you mean "onEvent"/);
    } finally {
      await c.close();
    }
  });
});
