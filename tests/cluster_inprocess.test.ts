// Two apps in one process join one cluster over real libp2p connections on 127.0.0.1 (the
// `{ listen, bootstrap }` worker mode): attempts are placed by registration and load, within
// each member's concurrency; retries, timeouts and cancellation stay with the owner.
import { until } from "./support/async.ts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, NonRetryableError, signature } from "../mod.ts";
import { type ClusterMember, type MemberEvent, membershipTopic } from "../src/cluster/mod.ts";
import { createNetNode } from "../src/net/mod.ts";

describe("two apps joined in one process", { timeout: 60_000 }, () => {
  let a: ActantApp;
  let b: ActantApp;
  let memberA: ClusterMember;
  let memberB: ClusterMember;
  const running = { a: 0, b: 0, peakA: 0, peakB: 0 };
  const aborted: string[] = [];
  let flakyCalls = 0;
  /** What each member's observer was told (`join({ onEvent })`): who placed, ran and retried what. */
  const eventsOnA: MemberEvent[] = [];
  const eventsOnB: MemberEvent[] = [];

  const register = (app: ActantApp, side: "a" | "b") => {
    app.task("busy", async (ms: number) => {
      running[side]++;
      if (side === "a") running.peakA = Math.max(running.peakA, running.a);
      else running.peakB = Math.max(running.peakB, running.b);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running[side]--;
      return side;
    });
    app.task("hang", function (label: string) {
      return new Promise((_resolve, reject) => {
        this.signal.addEventListener("abort", () => {
          aborted.push(`${label}@${side}`);
          reject(this.signal.reason);
        });
      });
    });
  };

  before(async () => {
    a = new ActantApp("inproc", { durability: "memory" });
    b = new ActantApp("inproc", { durability: "memory" });
    register(a, "a");
    register(b, "b");
    b.task("onlyOnB", (x: number) => x * 10);
    b.task("textOnB", (size: number) => "x".repeat(size));
    for (const app of [a, b]) {
      app.actor(
        "Blob",
        class {
          calls = 0;
          text(size: number) {
            this.calls++;
            return "x".repeat(size);
          }
          length(text: string) {
            this.calls++;
            return text.length;
          }
          count() {
            return this.calls;
          }
        },
      );
      app.task("length", (text: string) => text.length);
      app.task("text", (size: number) => "x".repeat(size));
    }
    b.task("flaky", () => {
      flakyCalls++;
      if (flakyCalls < 3) throw new Error(`flaky ${flakyCalls}`);
      return flakyCalls;
    }, { retries: 5, backoff: { initial: 1, max: 2 } });
    b.task("refuses", () => {
      throw new NonRetryableError("never");
    }, { retries: 5 });
    memberA = await a.join({ concurrency: 2, heartbeatMs: 200, onEvent: (event) => eventsOnA.push(event) });
    memberB = await b.join({
      bootstrap: memberA.node.addresses(),
      concurrency: 3,
      heartbeatMs: 200,
      onEvent: (event) => eventsOnB.push(event),
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

  it("runs a task only another member registers there, and lists cluster-wide names when none does", async () => {
    assert.equal(await a.submit(signature<number>("onlyOnB", [4])), 40);
    await assert.rejects(
      async () => a.submit(signature("nowhere", [])).get(),
      (error: Error & { code?: string; task?: string }) => {
        assert.equal(error.name, "UnknownTaskError");
        assert.equal(error.code, "UNKNOWN_TASK");
        assert.equal(error.task, "nowhere");
        // The known names are in the message, and as a list in `known`: the other member's count too.
        assert.match(error.message, /known: .*\bonlyOnB\b/);
        assert.ok((error as Error & { known?: string[] }).known?.includes("onlyOnB"));
        return true;
      },
    );
  });

  it("spreads attempts over both members and never runs more than each one's concurrency", async () => {
    const sides = await Promise.all(Array.from({ length: 20 }, () => a.submit(signature<string>("busy", [30])).get()));
    assert.ok(sides.includes("a") && sides.includes("b"), `ran on ${[...new Set(sides)]}`);
    assert.ok(running.peakA <= 2, `a ran ${running.peakA} at once, its concurrency is 2`);
    assert.ok(running.peakB <= 3, `b ran ${running.peakB} at once, its concurrency is 3`);
  });

  it("keeps retries on the owner: a remote task that fails twice succeeds on its third attempt", async () => {
    const handle = a.submit(signature<number>("flaky", []));
    assert.equal(await handle, 3);
    // Each attempt was placed by the owner (a) on b, the only member that registers "flaky"; b ran
    // each one as placed by a and reported its failure back; a decided the retries.
    const ofRun = (events: MemberEvent[]) => events.filter((event) => "runId" in event && event.runId === handle.id);
    const placed = ofRun(eventsOnA).filter((event) => event.kind === "attempt.placed");
    assert.deepEqual(placed.map((event) => [event.attempt, event.on === "here" ? "here" : event.on.peerId]), [
      [1, memberB.node.peerId],
      [2, memberB.node.peerId],
      [3, memberB.node.peerId],
    ]);
    const retried = ofRun(eventsOnA).filter((event) => event.kind === "attempt.failed");
    assert.deepEqual(retried.map((event) => [event.attempt, event.kind === "attempt.failed" && event.retrying]), [
      [1, true],
      [2, true],
    ]);
    const received = ofRun(eventsOnB).filter((event) => event.kind === "attempt.received");
    assert.deepEqual(
      received.map((event) => [event.attempt, event.kind === "attempt.received" && event.owner.peerId]),
      [
        [1, memberA.node.peerId],
        [2, memberA.node.peerId],
        [3, memberA.node.peerId],
      ],
    );
  });

  it("a remote NonRetryableError is not retried", async () => {
    await assert.rejects(
      a.submit(signature("refuses", [])).get(),
      (error: Error & { attempts?: number; cause?: Error }) => {
        assert.equal(error.name, "TaskError");
        assert.equal(error.attempts, 1);
        assert.equal(error.cause?.name, "NonRetryableError");
        return true;
      },
    );
  });

  it("cancelling on the owner aborts the attempt where it runs", async () => {
    const handles = Array.from({ length: 6 }, (_, i) => a.submit(signature("hang", [`h${i}`])));
    await until(() => memberB.report().tasks.running > 0, "b runs some");
    for (const handle of handles) await handle.cancel();
    await until(() => aborted.length === 6, "every attempt saw its signal abort");
    assert.ok(aborted.some((label) => label.endsWith("@b")), `aborted: ${aborted}`);
    for (const handle of handles) await assert.rejects(handle.get(), { name: "CancelledError" });
  });

  it("ignores malformed and forged announcements on the membership topic", async () => {
    const rogue = await createNetNode({ pubsub: true, bootstrap: memberA.node.addresses() });
    try {
      const topic = membershipTopic("inproc");
      rogue.subscribe(topic, () => {});
      const publish = (value: unknown) =>
        rogue.publish(topic, new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)));
      const honest = { ...memberB.report(), peerId: rogue.peerId, nodeId: "rogue" };
      // Gossipsub learns of the subscription a little after the connection: keep publishing until one lands.
      for (let i = 0; i < 200 && memberA.membership.get(rogue.peerId) === undefined; i++) {
        await publish("{not json");
        await publish([1, 2, 3]);
        await publish({
          app: "inproc",
          status: { ...honest, peerId: memberB.node.peerId },
          registers: { tasks: ["x"], actors: [] },
          concurrency: 1,
        });
        await publish({ app: "inproc", status: honest, registers: { tasks: "x", actors: [] }, concurrency: 1 });
        await publish({ app: "inproc", status: honest, registers: { tasks: [], actors: [] }, concurrency: -1 });
        await publish({ app: "other_app", status: honest, registers: { tasks: [], actors: [] }, concurrency: null });
        await publish({ app: "inproc", status: honest, registers: { tasks: [], actors: [] }, concurrency: null });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const rogueSeen = memberA.membership.get(rogue.peerId);
      assert.ok(rogueSeen !== undefined, "the well-formed announcement arrived");
      assert.deepEqual(rogueSeen.announcement.registers.tasks, []);
      assert.equal(
        memberA.membership.get(memberB.node.peerId)?.announcement.registers.tasks.includes("x"),
        false,
        "a forged announcement for another peer is ignored",
      );
      assert.equal(await a.submit(signature<number>("onlyOnB", [1])), 10);
    } finally {
      await rogue.stop();
    }
    await until(() => memberA.membership.get(rogue.peerId) === undefined, "the rogue peer is gone once it disconnects");
  });

  it("a message too big for a frame fails on its own: the channel and everything else on it go on", async () => {
    const client = new ActantApp("inproc", { address: memberA.node.addresses()[0] });
    try {
      // 256 submissions of 5 kB in one tick: more than one frame's worth, split over batches.
      const lengths = await Promise.all(
        Array.from({ length: 256 }, () => client.submit(signature<number>("length", ["y".repeat(5_000)])).get()),
      );
      assert.ok(lengths.every((length) => length === 5_000));
      const tooBig = client.submit(signature<number>("length", ["z".repeat(2_000_000)]));
      const answerTooBig = client.submit(signature<string>("text", [2_000_000]));
      const fine = client.submit(signature<number>("length", ["ok"]));
      await assert.rejects(tooBig.get(), { name: "SerializationError" });
      await assert.rejects(answerTooBig.get(), { name: "SerializationError" });
      assert.equal(await fine, 2);
      // An attempt's result too big to come back from the member that ran it fails that task only.
      await assert.rejects(
        client.submit(signature<string>("textOnB", [2_000_000])).get(),
        (error: Error & { code?: string }) => {
          assert.equal(error.name, "TaskError");
          assert.equal(error.code, "TASK_FAILED");
          // A client gets only name, code and message: the cause's name is in the message.
          assert.match(error.message, /^Task "textOnB" \(\S+\) failed after 1 attempt: SerializationError: /);
          return true;
        },
      );
      assert.equal(await client.submit(signature<string>("textOnB", [3])).get(), "xxx");
      // Results of 5 kB from both members, 256 at once, also split over batches.
      const texts = await Promise.all(
        Array.from({ length: 256 }, () => client.submit(signature<string>("text", [5_000])).get()),
      );
      assert.ok(texts.every((text) => text.length === 5_000));
    } finally {
      await client.close();
    }
  });

  it("an actor call whose arguments or result are too big for a frame fails alone; the actor goes on", async () => {
    const client = new ActantApp("inproc", { address: memberA.node.addresses()[0] });
    try {
      const Blob = client.actor(
        "Blob",
        class {
          text(_size: number): string {
            return "";
          }
          length(_text: string): number {
            return 0;
          }
          count(): number {
            return 0;
          }
        },
      );
      const blob = await client.createActor(Blob);
      assert.equal(await blob.text(3), "xxx");
      await assert.rejects(blob.text(2_000_000).get(), { name: "SerializationError" });
      await assert.rejects(blob.length("y".repeat(2_000_000)).get(), { name: "SerializationError" });
      assert.equal(await blob.length("abc"), 3);
      // The too-big result's call happened (its state change stands); the too-big arguments never left.
      assert.equal(await blob.count(), 3);
    } finally {
      await client.close();
    }
  });
});
