// Actor moves under races, in one process over real libp2p connections on 127.0.0.1: an owner
// (a durable app on LMDB), a member hosting its actor, a client. The host is declared lost while
// the owner's log still holds a record from it (its commit held back), and while a call has run
// there whose record never arrives: every acknowledged call is in the actor's state exactly once,
// also after a restart from the log. A peer that announces an actor class but does not serve
// `/actant/actors/1`: createActor rejects with ActorPlacementError, and a move goes elsewhere.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ActantApp } from "../mod.ts";
import { type ClusterMember, membershipTopic } from "../src/cluster/mod.ts";
import { createNetNode } from "../src/net/mod.ts";
import {
  type Backend,
  type BackendEntry,
  openLmdbBackend,
  type RangeOptions,
  type WriteOp,
  type WriteResult,
} from "../src/store/mod.ts";
import { until, within } from "./support/async.ts";

const BOUND_MS = 20_000;

/**
 * LMDB behind a hold: the first batch whose bytes contain `marker` is written as usual, but its
 * commit is reported only once the test releases it (a slow fsync, made exact). The log writes
 * one batch at a time, so everything recorded after it waits too.
 */
class HeldDisk implements Backend {
  readonly inner: Backend;
  readonly caught = Promise.withResolvers<void>();
  readonly #release = Promise.withResolvers<void>();
  #marker: string | undefined;
  constructor(inner: Backend) {
    this.inner = inner;
  }
  holdBatchWith(marker: string): void {
    this.#marker = marker;
  }
  release(): void {
    this.#release.resolve();
  }
  get(key: string): Uint8Array | undefined {
    return this.inner.get(key);
  }
  range(options?: RangeOptions): Iterable<BackendEntry> {
    return this.inner.range(options);
  }
  write(ops: readonly WriteOp[]): WriteResult {
    const result = this.inner.write(ops);
    const marker = this.#marker;
    const text = new TextDecoder();
    if (marker === undefined || !ops.some((op) => op.type === "put" && text.decode(op.value).includes(marker))) {
      return result;
    }
    this.#marker = undefined;
    this.caught.resolve();
    const committed = result.committed.then(() => this.#release.promise);
    const durable = Promise.all([result.durable, committed]).then(() => {});
    committed.catch(() => {});
    durable.catch(() => {});
    return { committed, durable };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The client's view of the ledger actor (the workers run their own). */
function ledgerShape(app: ActantApp) {
  return app.actor(
    "Ledger",
    class {
      append(_item: string): string {
        return "";
      }
      hold(_item: string): string {
        return "";
      }
      list(): string[] {
        return [];
      }
      where(): string {
        return "";
      }
    },
  );
}

/**
 * Registers the ledger on a peer: `append` and `hold` add an item. With `hold`, the method
 * changes the state and then waits for `hold.released`, so its record is not sent in time; with
 * `slow`, `append` takes a moment, so rebuilding the actor there (a replay) leaves room for a race.
 */
function defineLedger(
  app: ActantApp,
  where: string,
  options: { hold?: { entered: () => void; released: Promise<void> }; slow?: boolean } = {},
) {
  const { hold, slow } = options;
  return app.actor(
    "Ledger",
    class {
      items: string[] = [];
      append(item: string): string | Promise<string> {
        if (!slow) return this.#add(item);
        return new Promise((resolve) => setTimeout(() => resolve(this.#add(item)), 10));
      }
      async hold(item: string) {
        this.#add(item);
        hold?.entered();
        await hold?.released;
        return item;
      }
      list() {
        return this.items.slice();
      }
      where() {
        return where;
      }
      #add(item: string): string {
        this.items.push(item);
        return item;
      }
    },
    { checkpointEvery: 4 },
  );
}

describe("an actor's move is atomic with the owner's log", { timeout: 60_000 }, () => {
  it("a record held in the log as its host is lost, and a call run there unlogged, count once", async () => {
    const work = mkdtempSync(join(tmpdir(), "actant-moves-"));
    const logPath = join(work, "owner-log");
    const disk = new HeldDisk(await openLmdbBackend(logPath));
    const owner = new ActantApp("moves", { backend: disk, dataDir: join(work, "owner") }); // its peer key goes there
    const member = new ActantApp("moves", { durability: "memory" });
    const released = Promise.withResolvers<void>();
    const entered = Promise.withResolvers<void>();
    defineLedger(member, "member", { hold: { entered: () => entered.resolve(), released: released.promise } });
    defineLedger(owner, "owner", { slow: true });
    let client: ActantApp | undefined;
    let memberB: ClusterMember | undefined;
    try {
      const memberA = await owner.join({ heartbeatMs: 200 });
      memberB = await member.join({ bootstrap: memberA.node.addresses(), heartbeatMs: 200 });
      await until(
        () => memberA.membership.members().length === 1 && memberB!.membership.members().length === 1,
        "they know each other",
      );
      client = new ActantApp("moves", { address: memberA.node.addresses()[0] });
      const Ledger = ledgerShape(client);
      const ledger = await client.createActor(Ledger);
      assert.equal(await ledger.where(), "member", "the owner placed it on the other member");
      for (let i = 0; i < 5; i++) assert.equal(await ledger.append(`a${i}`), `a${i}`);

      disk.holdBatchWith('"a5"');
      const answers = [ledger.append("a5"), ledger.hold("a6"), ledger.append("a7")].map((call) =>
        call.get({ timeout: BOUND_MS })
      );
      await within(
        Promise.all([disk.caught.promise, entered.promise]),
        BOUND_MS,
        "a5 held in the log and a6 running on the member",
      );
      // Released only after the owner has taken the member as lost and started moving the actor;
      // a8 is made as the move starts, so it waits for it and must come after a5, a6 and a7.
      let during: Promise<string> | undefined;
      memberA.membership.onChange((change) => {
        if (change.kind !== "left") return;
        during = ledger.append("a8").get({ timeout: BOUND_MS });
        setTimeout(() => disk.release(), 0);
      });
      await memberB.node.stop();

      assert.deepEqual(await within(Promise.all(answers), BOUND_MS, "the three calls answered"), ["a5", "a6", "a7"]);
      await until(() => during !== undefined, "the owner took the member as lost");
      assert.equal(await during, "a8");
      assert.equal(await ledger.where(), "owner", "the actor moved to the owner");
      const expected = Array.from({ length: 9 }, (_, i) => `a${i}`);
      assert.deepEqual(await ledger.list(), expected, "every acknowledged call once, in order");
      await client.close();
      client = undefined;
      await owner.close();

      // The next process on the owner's log: the actor comes back with the same history.
      const again = new ActantApp("moves", { backend: await openLmdbBackend(logPath) });
      try {
        const restored = await again.getActor(defineLedger(again, "restarted"), ledger.actorId);
        assert.deepEqual(await restored.list(), expected, "the log holds each acknowledged call once");
      } finally {
        await again.close();
      }
    } finally {
      released.resolve();
      await client?.close();
      // Its node was stopped under it (how the test loses it): leaving then finds pubsub gone.
      await member.close().catch(() => {});
      await owner.close();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("a peer announcing the class, not serving /actant/actors/1: moves pass it, createActor rejects", async () => {
    const owner = new ActantApp("rogue_host", { durability: "memory" });
    const member = new ActantApp("rogue_host", { durability: "memory" });
    defineLedger(owner, "owner");
    defineLedger(member, "member");
    let client: ActantApp | undefined;
    let rogue: Awaited<ReturnType<typeof createNetNode>> | undefined;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    try {
      const memberA = await owner.join({ heartbeatMs: 200 });
      const memberB = await member.join({ bootstrap: memberA.node.addresses(), heartbeatMs: 200 });
      await until(() => memberA.membership.members().length === 1, "the owner knows the member");
      client = new ActantApp("rogue_host", { address: memberA.node.addresses()[0] });
      const ledger = await client.createActor(ledgerShape(client));
      assert.equal(await ledger.where(), "member");
      assert.equal(await ledger.append("before"), "before");

      // The rogue: a member by its announcements (no actors yet, so the first choice for any),
      // with nothing behind them.
      rogue = await createNetNode({ pubsub: true, bootstrap: memberA.node.addresses() });
      const topic = membershipTopic("rogue_host");
      rogue.subscribe(topic, () => {});
      const announcement = new TextEncoder().encode(JSON.stringify({
        app: "rogue_host",
        status: { ...memberB.report(), peerId: rogue.peerId, nodeId: "rogue", actors: 0 },
        registers: { tasks: [], actors: ["Ledger", "OnlyRogue"] },
        concurrency: null,
      }));
      const node = rogue;
      heartbeat = setInterval(() => void node.publish(topic, announcement).catch(() => {}), 100);
      await until(() => memberA.membership.get(node.peerId) !== undefined, "the owner takes the rogue as a member");

      await memberB.node.stop();
      assert.equal(await within(ledger.append("after").get(), BOUND_MS, "a call after the move"), "after");
      assert.equal(await ledger.where(), "owner", "the move went past the rogue to the next peer");
      assert.deepEqual(await ledger.list(), ["before", "after"]);

      const OnlyRogue = client.actor("OnlyRogue", class {});
      await assert.rejects(
        within(client.createActor(OnlyRogue), BOUND_MS, "createActor of a class only the rogue announces"),
        (error: Error & { code?: string; cause?: Error }) => {
          assert.equal(error.name, "ActorPlacementError");
          assert.equal(error.code, "ACTOR_PLACEMENT_FAILED");
          assert.equal(error.cause?.name, "ProtocolNotSupportedError");
          return true;
        },
      );
      assert.equal(await ledger.append("still"), "still", "the owner goes on serving");
    } finally {
      clearInterval(heartbeat);
      await rogue?.stop();
      await client?.close();
      await member.close().catch(() => {}); // its node was stopped under it
      await owner.close();
    }
  });
});
