// Actors through the public API: creation and naming, state isolation and errors. Ordering and
// mailbox backpressure are in actor_mailbox.test.ts; supervision and stop() in actor_supervision.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ActantApp, ManualClock } from "../mod.ts";
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
