// Actors through the public API: creation and naming, per-call ordering, mailbox backpressure,
// state isolation and errors. Supervision and stop() are in actor_supervision.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ActantApp, ManualClock } from "../mod.ts";
import { settle, track } from "./support/async.ts";
import { defineGated } from "./support/gated_actor.ts";

function defineModelRegistry(app: ActantApp) {
  return app.actor(
    "ModelRegistry",
    class {
      models: Record<string, string> = {};

      register(name: string, version: string) {
        this.models[name] = version;
        return `Registered ${name}@${version}`;
      }

      list() {
        return this.models;
      }
    },
  );
}

describe("Actor proxy: the seed example", () => {
  test("ModelRegistry keeps what register() stored and list() returns it, by await and by get()", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const ModelRegistry = defineModelRegistry(app);
    const registry = await app.createActor(ModelRegistry);

    assert.equal(await registry.register("gpt", "v1.0"), "Registered gpt@v1.0");
    assert.equal(await registry.register("bert", "v2.0").get(), "Registered bert@v2.0");
    assert.deepEqual(await registry.list(), { gpt: "v1.0", bert: "v2.0" });
    assert.deepEqual(await registry.list().get(), { gpt: "v1.0", bert: "v2.0" });
  });
});

describe("Actor call results", () => {
  test("get({ timeout }) of a call rejects with ResultTimeoutError while the call waits; the call still runs", async () => {
    const clock = new ManualClock();
    await using app = new ActantApp("t", { durability: "memory", clock });
    const { Gated, gate, entered, handled } = defineGated(app);
    const gated = await app.createActor(Gated);
    const blocked = gated.block();
    await entered.promise;
    const call = gated.echo(1);
    const timedOut = assert.rejects(call.get({ timeout: 50 }), { name: "ResultTimeoutError", code: "RESULT_TIMEOUT" });
    await clock.advance(50);
    await timedOut;
    gate.resolve();
    assert.equal(await blocked, "unblocked");
    assert.equal(await call.get({ timeout: 1_000 }), 1);
    assert.deepEqual(handled, [1]);
  });

  test("get() of a call is a method of the call's result: called on anything else it rejects with TypeError", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const registry = await app.createActor(defineModelRegistry(app));
    const result = registry.list();
    const { get } = result;
    await assert.rejects(get(), { name: "TypeError", message: /result of a call to ModelRegistry/ });
    assert.deepEqual(await result.get(), {});
  });
});

describe("createActor and getActor", () => {
  test("createActor passes args to the constructor", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const Counter = app.actor(
      "Counter",
      class {
        count: number;
        step: number;
        constructor(start: number, options: { step: number }) {
          this.count = start;
          this.step = options.step;
        }
        inc() {
          return (this.count += this.step);
        }
      },
    );
    const counter = await app.createActor(Counter, { args: [10, { step: 5 }] });
    assert.equal(await counter.inc(), 15);
    assert.equal(await counter.inc(), 20);
  });

  test("getActor reaches the same named actor, and other actors of the class have their own state", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const ModelRegistry = defineModelRegistry(app);
    const main = await app.createActor(ModelRegistry, { name: "main" });
    const other = await app.createActor(ModelRegistry, { name: "other" });
    await main.register("gpt", "v1.0");

    const found = await app.getActor(ModelRegistry, "main");
    assert.equal(found.actorId, main.actorId);
    await found.register("bert", "v2.0");
    assert.deepEqual(await main.list(), { gpt: "v1.0", bert: "v2.0" });
    assert.deepEqual(await (await app.getActor(ModelRegistry, "other")).list(), {});
    assert.notEqual(other.actorId, main.actorId);
  });

  test("createActor with the name of a live actor rejects with ActorNameTakenError; a stopped actor's name is free", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const ModelRegistry = defineModelRegistry(app);
    const first = await app.createActor(ModelRegistry, { name: "main" });
    await first.register("gpt", "v1.0");
    await assert.rejects(app.createActor(ModelRegistry, { name: "main" }), {
      name: "ActorNameTakenError",
      code: "ACTOR_NAME_TAKEN",
    });
    assert.deepEqual(await (await app.getActor(ModelRegistry, "main")).list(), { gpt: "v1.0" });

    await first.stop();
    const second = await app.createActor(ModelRegistry, { name: "main" });
    assert.deepEqual(await (await app.getActor(ModelRegistry, "main")).list(), {});
    assert.equal((await app.getActor(ModelRegistry, "main")).actorId, second.actorId);
  });

  test("getActor rejects with ActorNotFoundError for a missing name or another class", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const ModelRegistry = defineModelRegistry(app);
    const Other = app.actor(
      "Other",
      class {
        ping() {
          return "pong";
        }
      },
    );
    await app.createActor(Other, { name: "o" });
    await assert.rejects(app.getActor(ModelRegistry, "nobody"), {
      name: "ActorNotFoundError",
      code: "ACTOR_NOT_FOUND",
    });
    await assert.rejects(app.getActor(ModelRegistry, "o"), { name: "ActorNotFoundError" });
  });

  test("createActor with a definition not registered on this app rejects with ActorNotFoundError", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    await using elsewhere = new ActantApp("elsewhere", { durability: "memory" });
    const Foreign = defineModelRegistry(elsewhere);
    await assert.rejects(app.createActor(Foreign), { name: "ActorNotFoundError", code: "ACTOR_NOT_FOUND" });
  });

  test("registering an actor class name twice throws DuplicateNameError", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    defineModelRegistry(app);
    assert.throws(() => defineModelRegistry(app), { name: "DuplicateNameError", code: "DUPLICATE_ACTOR" });
  });

  test("a class with a method named stop is refused with a TypeError", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    assert.throws(
      () =>
        app.actor(
          "Machine",
          class {
            stop() {
              return "halted";
            }
          },
        ),
      { name: "TypeError" },
    );
  });
});

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

describe("Actor state isolation", () => {
  test("a returned reference to actor state is a copy: mutating it does not change the actor", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const registry = await app.createActor(defineModelRegistry(app));
    await registry.register("gpt", "v1.0");
    const listed = await registry.list();
    listed.gpt = "hacked";
    listed.evil = "added";
    assert.deepEqual(await registry.list(), { gpt: "v1.0" });
  });

  test("mutating an argument after the call does not change what the actor stored", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const Store = app.actor(
      "Store",
      class {
        saved: { tags: string[] } | undefined;
        save(value: { tags: string[] }) {
          this.saved = value;
        }
        load() {
          return this.saved;
        }
      },
    );
    const store = await app.createActor(Store);
    const value = { tags: ["a"] };
    const saving = store.save(value);
    value.tags.push("b");
    await saving;
    value.tags.push("c");
    assert.deepEqual(await store.load(), { tags: ["a"] });
  });

  test("the proxy exposes only the methods, actorId and stop, never the instance or its fields", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const registry = await app.createActor(defineModelRegistry(app));
    await registry.register("gpt", "v1.0");

    assert.deepEqual(Reflect.ownKeys(registry).sort(), ["actorId", "list", "register", "stop"]);
    for (const key of Reflect.ownKeys(registry)) {
      const value = (registry as unknown as Record<PropertyKey, unknown>)[key];
      assert.ok(typeof value === "function" || typeof value === "string", `${String(key)} is a function or the id`);
    }
    // A field name is not a property of the proxy: it is treated as an unknown method.
    // deno-lint-ignore no-explicit-any
    const models = (registry as any).models;
    assert.equal(typeof models, "function");
    await assert.rejects(models(), { name: "UnknownMethodError" });
  });
});

describe("Actor errors", () => {
  test("a method that throws rejects that call only; the actor keeps its state and serves later calls", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const Account = app.actor(
      "Account",
      class {
        balance = 100;
        withdraw(amount: number) {
          if (amount > this.balance) throw new RangeError(`insufficient funds: ${this.balance}`);
          return (this.balance -= amount);
        }
        async withdrawLater(amount: number) {
          await Promise.resolve();
          return this.withdraw(amount);
        }
      },
    );
    const account = await app.createActor(Account);
    const results = await Promise.allSettled([
      account.withdraw(30),
      account.withdraw(500),
      account.withdrawLater(500),
      account.withdraw(20),
    ]);
    assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "rejected", "fulfilled"]);
    assert.equal((results[1] as PromiseRejectedResult).reason.name, "RangeError");
    assert.equal((results[1] as PromiseRejectedResult).reason.message, "insufficient funds: 70");
    assert.equal((results[2] as PromiseRejectedResult).reason.name, "RangeError");
    assert.equal(await account.withdraw(10), 40);
  });

  test("calling a method the class does not have rejects with UnknownMethodError listing its methods", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const registry = await app.createActor(defineModelRegistry(app));
    // deno-lint-ignore no-explicit-any
    const error = await (registry as any).nope().then(
      () => assert.fail("nope() should reject"),
      (e: unknown) => e,
    );
    assert.equal(error.name, "UnknownMethodError");
    assert.equal(error.code, "UNKNOWN_METHOD");
    assert.equal(error.method, "nope");
    assert.match(error.message, /register/);
    assert.match(error.message, /list/);
    // deno-lint-ignore no-explicit-any
    await assert.rejects((registry as any).nope().get(), { name: "UnknownMethodError" });
    assert.deepEqual(await registry.list(), {}, "the actor still serves calls");
  });

  test("an argument that cannot be serialized rejects the call with SerializationError", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const registry = await app.createActor(defineModelRegistry(app));
    // deno-lint-ignore no-explicit-any
    await assert.rejects(registry.register("gpt", (() => "v1") as any), {
      name: "SerializationError",
      code: "NOT_SERIALIZABLE",
    });
    assert.deepEqual(await registry.list(), {});
  });

  test("the proxy is not thenable, so awaiting createActor gives the proxy itself", async () => {
    await using app = new ActantApp("t", { durability: "memory" });
    const ModelRegistry = defineModelRegistry(app);
    const registry = await app.createActor(ModelRegistry, { name: "main" });
    // deno-lint-ignore no-explicit-any
    assert.equal((registry as any).then, undefined);
    assert.equal(await Promise.resolve(registry), registry);
    assert.equal(typeof registry.actorId, "string");
    assert.equal((await app.getActor(ModelRegistry, "main")).actorId, registry.actorId);
    assert.equal(await registry.register("gpt", "v1.0"), "Registered gpt@v1.0");
  });
});
