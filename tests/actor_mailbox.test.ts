// Actors through the public API: every caller's calls run in call order, and a full mailbox makes
// callers wait (in order, none lost) or refuses them at their deadline.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ActantApp, ManualClock } from "../mod.ts";
import { settle, track } from "./support/async.ts";
import { defineGated } from "./support/gated_actor.ts";

describe("Actor call ordering", () => {
  test("an actor handles one caller's calls in the order they were made", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const Log = app.actor(
      "Log",
      class {
        items: number[] = [];
        async append(item: number) {
          // Later items wait less, so any overlap would reorder them.
          for (let i = 0; i < 100 - item; i++) await Promise.resolve();
          this.items.push(item);
          return this.items.length;
        }
        all() {
          return this.items;
        }
      },
    );
    const log = await app.createActor(Log);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(i)));
    assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => i + 1));
    assert.deepEqual(await log.all(), Array.from({ length: 50 }, (_, i) => i));
  });

  test("an async method finishes before the next call starts", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const events: string[] = [];
    const gates = { a: Promise.withResolvers<void>(), b: Promise.withResolvers<void>() };
    const entered = Promise.withResolvers<void>();
    const Worker = app.actor(
      "Worker",
      class {
        async step(id: "a" | "b") {
          events.push(`enter ${id}`);
          if (id === "a") entered.resolve();
          await gates[id].promise;
          events.push(`exit ${id}`);
          return id;
        }
      },
    );
    const worker = await app.createActor(Worker);
    const a = worker.step("a");
    const b = worker.step("b");
    await entered.promise;
    gates.b.resolve(); // b could finish at once, if it were allowed to start
    await settle();
    assert.deepEqual(events, ["enter a"]);

    gates.a.resolve();
    assert.deepEqual([await a, await b], ["a", "b"]);
    assert.deepEqual(events, ["enter a", "exit a", "enter b", "exit b"]);
  });
});

describe("Actor mailbox backpressure", () => {
  test("calls beyond mailboxCapacity wait instead of failing, and complete in order once the actor is free", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Gated: Blocker, gate, entered, handled } = defineGated(app, { mailboxCapacity: 2 });
    const blocker = await app.createActor(Blocker);
    const blocked = blocker.block();
    await entered.promise;
    const calls = [1, 2, 3, 4, 5].map((n) => blocker.echo(n));
    const states = calls.map(track);
    await settle();
    assert.deepEqual(states.map((state) => state()), Array(5).fill("pending"));

    gate.resolve();
    assert.equal(await blocked, "unblocked");
    assert.deepEqual(await Promise.all(calls), [1, 2, 3, 4, 5]);
    assert.deepEqual(handled, [1, 2, 3, 4, 5]);
  });

  test("a call whose mailbox stays full past mailboxTimeout rejects with MailboxFullError; accepted calls are kept", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Gated: Blocker, gate, entered, handled } = defineGated(app, { mailboxCapacity: 1, mailboxTimeout: 100 });
    const blocker = await app.createActor(Blocker);
    const blocked = blocker.block();
    await entered.promise;
    const accepted = blocker.echo(1);
    const refused = blocker.echo(2);
    const refusedState = track(refused);

    await clock.advance(99);
    assert.equal(refusedState(), "pending");
    await clock.advance(1);
    await assert.rejects(refused, { name: "MailboxFullError", code: "MAILBOX_FULL" });

    gate.resolve();
    assert.equal(await blocked, "unblocked");
    assert.equal(await accepted, 1);
    assert.equal(await blocker.echo(3), 3);
    assert.deepEqual(handled, [1, 3], "the refused call never ran");
  });

  test("stop() after a call timed out in a full mailbox still drains and completes", async () => {
    const clock = new ManualClock();
    const app = new ActantApp("t", { durability: "memory", clock });
    const { Gated: Blocker, gate, entered, handled } = defineGated(app, { mailboxCapacity: 1, mailboxTimeout: 100 });
    const blocker = await app.createActor(Blocker);
    const blocked = blocker.block();
    await entered.promise;
    const accepted = blocker.echo(1);
    const refused = assert.rejects(blocker.echo(2), { name: "MailboxFullError" });
    await clock.advance(100);
    await refused;

    const stopped = blocker.stop();
    const stopState = track(stopped);
    gate.resolve();
    assert.equal(await blocked, "unblocked");
    assert.equal(await accepted, 1);
    await settle();
    assert.equal(stopState(), "resolved: undefined", "stop() must resolve once the queued calls are handled");
    assert.deepEqual(handled, [1]);
    await app.close();
  });

  test("10,000 calls to an actor with the default mailbox (1,024) are each handled once, in call order", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const handled: number[] = [];
    const Recorder = app.actor(
      "Recorder",
      class {
        record(n: number) {
          handled.push(n);
          return n * 2;
        }
        async recordLater(n: number) {
          await Promise.resolve();
          handled.push(n);
          return n * 2;
        }
      },
    );
    const recorder = await app.createActor(Recorder);
    const ns = Array.from({ length: 10_000 }, (_, i) => i);
    // Issued at once: about 9,000 callers wait for room, served as calls leave the mailbox.
    assert.deepEqual(await Promise.all(ns.map((n) => recorder.record(n).get())), ns.map((n) => n * 2));
    assert.deepEqual(handled, ns);
    handled.length = 0;
    // With an async method, room appears while later callers are still arriving.
    const results = ns.map((n) => recorder.recordLater(n));
    assert.deepEqual(await Promise.all(results), ns.map((n) => n * 2));
    assert.deepEqual(handled, ns);
  });

  test("callers still waiting for room at their deadline are refused; later callers keep their order", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Gated, gate, entered, handled } = defineGated(app, { mailboxCapacity: 4, mailboxTimeout: 100 });
    const gated = await app.createActor(Gated);
    const blocked = gated.block();
    await entered.promise;
    const early = Array.from({ length: 10 }, (_, i) => gated.echo(i)); // 0-3 queued, 4-9 wait until t=100
    const earlyStates = early.map(track);
    await clock.advance(50);
    const late = Array.from({ length: 10 }, (_, i) => gated.echo(10 + i)); // wait until t=150
    const lateStates = late.map(track);
    await clock.advance(50);
    assert.deepEqual(earlyStates.map((state) => state()), [
      ...Array(4).fill("pending"),
      ...Array(6).fill("rejected: MailboxFullError"),
    ]);
    assert.deepEqual(lateStates.map((state) => state()), Array(10).fill("pending"));
    for (const refused of early.slice(4)) {
      await assert.rejects(refused, { name: "MailboxFullError", code: "MAILBOX_FULL" });
    }

    gate.resolve();
    assert.equal(await blocked, "unblocked");
    assert.deepEqual(await Promise.all([...early.slice(0, 4), ...late]), [0, 1, 2, 3, ...late.map((_, i) => 10 + i)]);
    assert.deepEqual(handled, [0, 1, 2, 3, ...late.map((_, i) => 10 + i)]);
    assert.equal(clock.pending, 0, "no deadline timer outlives the callers it covered");
  });

  test("stop() serves every caller still waiting for room; stop({ drain: false }) refuses them all", async () => {
    await using app = new ActantApp("t", { durability: "memory", clock: new ManualClock() });
    const { Gated, gate, entered, handled } = defineGated(app, { mailboxCapacity: 16 });
    const drained = await app.createActor(Gated);
    const refused = await app.createActor(Gated);

    const blocked = drained.block();
    await entered.promise;
    const calls = Array.from({ length: 3_000 }, (_, i) => drained.echo(i));
    const stopping = drained.stop();
    gate.resolve();
    await stopping;
    assert.equal(await blocked, "unblocked");
    assert.deepEqual(await Promise.all(calls), calls.map((_, i) => i));
    assert.deepEqual(handled, calls.map((_, i) => i));

    handled.length = 0;
    const refusedCalls = Array.from({ length: 3_000 }, (_, i) => refused.echo(i));
    await refused.stop({ drain: false });
    const outcomes = await Promise.allSettled(refusedCalls);
    assert.deepEqual(new Set(outcomes.map((outcome) => outcome.status)), new Set(["rejected"]));
    for (const outcome of outcomes) {
      assert.equal((outcome as PromiseRejectedResult).reason.name, "ActorStoppedError");
    }
    assert.deepEqual(handled, [], "even the call the actor had taken is refused, not run");
  });
});
