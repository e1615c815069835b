import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ActantApp } from "../mod.ts";

/** Asserts `run` throws a TypeError whose message names `option` and, when given, the suggestion. */
function refuses(run: () => unknown, option: string, suggestion?: string): void {
  assert.throws(run, (error: Error) => {
    assert.equal(error.name, "TypeError");
    assert.match(error.message, new RegExp(`no option "${option}"`));
    if (suggestion !== undefined) assert.match(error.message, new RegExp(`did you mean "${suggestion}"`));
    return true;
  });
}

describe("Options the code does not know are errors", () => {
  test("new ActantApp() refuses an unknown or misspelt option, naming the near one", () => {
    refuses(() => new ActantApp("opts", { durabilty: "memory" } as never), "durabilty", "durability");
    refuses(() => new ActantApp("opts", { nonsense: 1 } as never), "nonsense");
    assert.throws(() => new ActantApp("opts", "memory" as never), { name: "TypeError" });
  });

  test("new ActantApp() refuses a mix of modes: a client given a local app's option, a local app given a client's", () => {
    const address = "/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
    for (const option of ["concurrency", "durability", "dataDir", "checkpointInterval", "keepResults", "listen"]) {
      const value = option === "durability" ? "sync" : option === "dataDir" ? "./d" : option === "listen" ? [] : 4;
      assert.throws(() => new ActantApp("mix", { address, [option]: value } as never), (error: Error) => {
        assert.equal(error.name, "TypeError");
        assert.match(error.message, new RegExp(`option ${option} does not apply to a client`));
        return true;
      });
    }
    assert.throws(() => new ActantApp("mix", { reconnect: { retries: 1 } } as never), /reconnect applies to a client/);
    // Malformed addresses are refused at construction, before any network code loads.
    for (const bad of ["", "/ip4/127.0.0.1/tcp/1/ws", "/ip4/127.0.0.1/tcp/1/ws/p2p/not-a-peer", "p2p://x", 42]) {
      assert.throws(() => new ActantApp("mix", { address: bad as string }), { name: "TypeError" }, String(bad));
    }
    // A client does not join and keeps no data directory.
    const client = new ActantApp("mix", { address });
    assert.throws(() => client.useDataDir("./d"), /keeps no data directory/);
    return assert.rejects(client.join(), /cannot join as a worker/).then(() => client.close());
  });

  test("task and backoff options: a misspelt retries or backoff field is refused", () => {
    const app = new ActantApp("opts_task", { durability: "memory" });
    refuses(() => app.task("t", () => 1, { retires: 3 } as never), "retires", "retries");
    refuses(() => app.task("u", () => 1, { backoff: { inital: 5 } } as never), "inital", "initial");
    assert.equal(app.task("v", () => 1, { retries: 1, backoff: { initial: 1, jitter: false } }).name, "v");
  });

  test("actor, supervision and createActor options are checked", async () => {
    const app = new ActantApp("opts_actor", { durability: "memory" });
    const Counter = class {
      n = 0;
      add() {
        return ++this.n;
      }
    };
    refuses(() => app.actor("A", Counter, { mailboxCapacty: 5 } as never), "mailboxCapacty", "mailboxCapacity");
    refuses(() => app.actor("B", Counter, { supervision: { restarts: 1 } } as never), "restarts", "maxRestarts");
    const C = app.actor("C", Counter);
    await assert.rejects(app.createActor(C, { nme: "x" } as never), (error: Error) => {
      assert.equal(error.name, "TypeError");
      assert.match(error.message, /no option "nme".*did you mean "name"/);
      return true;
    });
    const ref = await app.createActor(C, { name: "c" });
    assert.equal(await ref.add(), 1);
    await app.close();
  });

  test("submit(), get() and join() options are checked; nothing is submitted on a refusal", async () => {
    const app = new ActantApp("opts_submit", { durability: "memory" });
    let runs = 0;
    const t = app.task("t", () => ++runs);
    refuses(() => app.submit(t.s(), { ids: "x" } as never), "ids", "id");
    assert.equal(runs, 0);
    const handle = app.submit(t.s(), { id: "x" });
    await assert.rejects(handle.get({ timout: 5 } as never), (error: Error) => {
      assert.equal(error.name, "TypeError");
      assert.match(error.message, /no option "timout".*did you mean "timeout"/);
      return true;
    });
    assert.equal(await handle.get(), 1);
    await assert.rejects(app.join({ bootstraps: [] } as never), (error: Error) => {
      assert.equal(error.name, "TypeError");
      assert.match(error.message, /no option "bootstraps".*did you mean "bootstrap"/);
      return true;
    });
    await app.close();
  });
});
