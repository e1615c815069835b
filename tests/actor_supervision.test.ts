// Actor lifecycles through the public API: supervised restarts after fatal methods, constructors
// that throw, and stop() with and without draining. Backoff runs on a ManualClock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ActantApp, ManualClock, type SupervisionOptions } from "../mod.ts";
import { settle, track } from "./support/async.ts";
import { defineGated } from "./support/gated_actor.ts";

/** A counter whose crash() is fatal; `constructed` counts instances built. */
function defineCounter(app: ActantApp, supervision: SupervisionOptions) {
  const stats = { constructed: 0 };
  const Counter = app.actor(
    "Counter",
    class {
      count: number;
      constructor(start: number) {
        stats.constructed++;
        this.count = start;
      }
      inc() {
        return ++this.count;
      }
      fail() {
        throw new Error("not fatal");
      }
      crash() {
        throw new Error("crashed");
      }
    },
    { supervision },
  );
  return { Counter, stats };
}

const backoff = { initial: 10, factor: 2, jitter: false };

describe("Actor supervision", () => {
  test("a fatal method rejects its call and restarts the actor fresh from its constructor args", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Counter, stats } = defineCounter(app, { maxRestarts: 2, fatal: ["crash"], backoff });
    const counter = await app.createActor(Counter, { args: [100] });
    assert.equal(await counter.inc(), 101);
    assert.equal(await counter.inc(), 102);

    await assert.rejects(counter.crash(), { name: "Error", message: "crashed" });
    const next = counter.inc(); // queued while the restart backs off
    await clock.advance(10);
    assert.equal(await next, 101, "state is reset to what the constructor args give");
    assert.equal(await counter.inc(), 102);
    assert.equal(stats.constructed, 2);
  });

  test("a non-fatal method that throws does not restart a supervised actor", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Counter, stats } = defineCounter(app, { maxRestarts: 2, fatal: ["crash"], backoff });
    const counter = await app.createActor(Counter, { args: [0] });
    await counter.inc();
    await assert.rejects(counter.fail(), { message: "not fatal" });
    assert.equal(await counter.inc(), 2);
    assert.equal(stats.constructed, 1);
  });

  test("fatal: true restarts the actor after any method throws", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Counter, stats } = defineCounter(app, { maxRestarts: 1, fatal: true, backoff });
    const counter = await app.createActor(Counter, { args: [0] });
    await counter.inc();
    await assert.rejects(counter.fail(), { message: "not fatal" });
    const next = counter.inc();
    await clock.advance(10);
    assert.equal(await next, 1);
    assert.equal(stats.constructed, 2);
  });

  test("beyond maxRestarts the actor stops for good and later calls reject with ActorStoppedError", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Counter, stats } = defineCounter(app, { maxRestarts: 2, fatal: ["crash"], backoff });
    const counter = await app.createActor(Counter, { args: [0], name: "c" });

    await assert.rejects(counter.crash(), { message: "crashed" });
    await clock.advance(10);
    assert.equal(await counter.inc(), 1);
    await assert.rejects(counter.crash(), { message: "crashed" });
    await clock.advance(20);
    assert.equal(await counter.inc(), 1);
    assert.equal(stats.constructed, 3);

    const last = assert.rejects(counter.crash(), { message: "crashed" });
    const queuedBehind = assert.rejects(counter.inc(), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });
    await last;
    await queuedBehind;
    await assert.rejects(counter.inc(), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });
    await clock.advance(1_000);
    await assert.rejects(counter.inc(), { name: "ActorStoppedError" });
    assert.equal(stats.constructed, 3, "no restart beyond maxRestarts");
    await assert.rejects(app.getActor(Counter, "c"), { name: "ActorNotFoundError" });
  });

  test("without supervision a fatal method stops the actor at once", async () => {
    await using app = new ActantApp("t", { durability: "memory", clock: new ManualClock() });
    const { Counter } = defineCounter(app, { fatal: ["crash"] });
    const counter = await app.createActor(Counter, { args: [0] });
    await assert.rejects(counter.crash(), { message: "crashed" });
    await assert.rejects(counter.inc(), { name: "ActorStoppedError" });
  });
});

describe("Actor constructor failures", () => {
  function defineFlaky(app: ActantApp, failures: number, supervision?: SupervisionOptions) {
    const stats = { attempts: 0 };
    const Flaky = app.actor(
      "Flaky",
      class {
        label: string;
        constructor(label: string) {
          stats.attempts++;
          if (stats.attempts <= failures) throw new Error(`attempt ${stats.attempts} failed`);
          this.label = label;
        }
        hello() {
          return `hello from ${this.label}`;
        }
      },
      { supervision },
    );
    return { Flaky, stats };
  }

  test("without supervision a throwing constructor makes createActor reject with ActorInitError", async () => {
    await using app = new ActantApp("t", { durability: "memory", clock: new ManualClock() });
    const { Flaky, stats } = defineFlaky(app, 1);
    const error = await app.createActor(Flaky, { args: ["x"], name: "f" }).then(
      () => assert.fail("createActor should reject"),
      (e: unknown) => e as Error & { code: string },
    );
    assert.equal(error.name, "ActorInitError");
    assert.equal(error.code, "ACTOR_INIT_FAILED");
    assert.equal((error.cause as Error).message, "attempt 1 failed");
    assert.equal(stats.attempts, 1);
    await assert.rejects(app.getActor(Flaky, "f"), { name: "ActorNotFoundError" });

    // The name was not kept by the failed actor.
    const flaky = await app.createActor(Flaky, { args: ["x"], name: "f" });
    assert.equal(await flaky.hello(), "hello from x");
  });

  test("with maxRestarts a constructor that throws the first time is retried after backoff and succeeds", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Flaky, stats } = defineFlaky(app, 1, { maxRestarts: 2, backoff });
    const creating = app.createActor(Flaky, { args: ["retry"] });
    const state = track(creating);
    await settle();
    assert.equal(state(), "pending", "the retry waits for its backoff");
    await clock.advance(10);
    const flaky = await creating;
    assert.equal(await flaky.hello(), "hello from retry");
    assert.equal(stats.attempts, 2);
  });

  test("a constructor that keeps throwing uses up maxRestarts, then createActor rejects with ActorInitError", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Flaky, stats } = defineFlaky(app, Infinity, { maxRestarts: 2, backoff });
    const creating = assert.rejects(app.createActor(Flaky, { args: ["never"] }), {
      name: "ActorInitError",
      code: "ACTOR_INIT_FAILED",
    });
    await clock.advance(10);
    await clock.advance(20);
    await creating;
    assert.equal(stats.attempts, 3);
  });
});

describe("Actor stop", () => {
  test("stop() handles the queued calls, then later calls reject with ActorStoppedError", async () => {
    await using app = new ActantApp("t", { durability: "memory", clock: new ManualClock() });
    const { Gated, gate, entered, handled } = defineGated(app);
    const gated = await app.createActor(Gated, { name: "g" });
    const blocked = gated.block();
    await entered.promise;
    const queued = [gated.echo(1), gated.echo(2)];

    const stopping = gated.stop();
    await assert.rejects(gated.echo(3), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });
    await assert.rejects(app.getActor(Gated, "g"), { name: "ActorNotFoundError" });
    gate.resolve();
    await stopping;
    assert.equal(await blocked, "unblocked");
    assert.deepEqual(await Promise.all(queued), [1, 2]);
    assert.deepEqual(handled, [1, 2]);
    await assert.rejects(gated.echo(4), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });
    await gated.stop(); // stopping again is a no-op
  });

  test("stop({ drain: false }) rejects queued and waiting calls with ActorStoppedError; the running call completes", async () => {
    await using app = new ActantApp("t", { durability: "memory", clock: new ManualClock() });
    const { Gated, gate, entered, handled } = defineGated(app, { mailboxCapacity: 1 });
    const gated = await app.createActor(Gated);
    const blocked = gated.block();
    await entered.promise;
    const queued = assert.rejects(gated.echo(1), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });
    const waiting = assert.rejects(gated.echo(2), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });

    const stopping = gated.stop({ drain: false });
    await waiting; // a sender still waiting for room is turned away at once
    await assert.rejects(gated.echo(3), { name: "ActorStoppedError" });
    gate.resolve();
    await queued; // the call already in the mailbox is rejected instead of run
    await stopping;
    assert.equal(await blocked, "unblocked");
    assert.deepEqual(handled, []);
  });

  test("stop() while a fatal call is running leaves the actor stopped", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const gate = Promise.withResolvers<void>();
    const entered = Promise.withResolvers<void>();
    const Fragile = app.actor(
      "Fragile",
      class {
        async crash() {
          entered.resolve();
          await gate.promise;
          throw new Error("crashed");
        }
        ping() {
          return "pong";
        }
      },
      { supervision: { maxRestarts: 3, fatal: ["crash"], backoff } },
    );
    const fragile = await app.createActor(Fragile);
    const crashing = assert.rejects(fragile.crash(), { message: "crashed" });
    await entered.promise;
    const queued = fragile.ping();
    const stopping = fragile.stop();
    gate.resolve();
    await crashing;
    await clock.advance(10);
    await stopping;
    assert.equal(await queued, "pong", "the queued call is drained by the restarted instance");
    await assert.rejects(fragile.ping(), { name: "ActorStoppedError", code: "ACTOR_STOPPED" });
  });

  test("app.close() stops every actor after handling their queued calls", async () => {
    const app = new ActantApp("t", { durability: "memory", clock: new ManualClock() });
    const { Gated, gate, entered } = defineGated(app);
    const gated = await app.createActor(Gated);
    const blocked = gated.block();
    await entered.promise;
    const queued = gated.echo(7);
    const closing = app.close();
    gate.resolve();
    await closing;
    assert.equal(await blocked, "unblocked");
    assert.equal(await queued, 7);
    await assert.rejects(gated.echo(8), { name: "ActorStoppedError" });
  });
});
