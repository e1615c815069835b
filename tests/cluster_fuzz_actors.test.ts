// Fuzzing the actor hosting protocol (`/actant/actors/1`, what an owner uses to host its actors on
// a peer), in process (the serve loop over a message pipe, a real actor system behind it) and
// against a real `actant worker` process, from an in-test node playing the owner. A call's
// outcome comes in the record the worker sends for us to log, and its `done` waits for our
// acknowledgement of that record; a wrong message gets its own failure `done` under its key (0
// when the key is not a number) and the channel keeps serving; random messages and raw frames
// never kill the worker, and a client still gets 5 afterwards. Deterministic: a failing case names
// its seed and index.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ACTORS_PROTOCOL } from "../src/cluster/mod.ts";
import { decode, encode } from "../src/common/mod.ts";
import type { Verdict } from "./support/fuzz_oracle.ts";
import { historyEntry as entry, randomOwnerMessage } from "./support/fuzz_values.ts";
import { assertFailed, FuzzedWorker } from "./support/fuzz_worker.ts";
import {
  actorInit,
  assertServes,
  call,
  create,
  FLUSH_KEYS,
  hosting,
  type HostTarget,
  isRecord,
  Owner,
  typeError,
} from "./support/fuzz_owner.ts";
import { InProcessHost } from "./support/in_process_host.ts";
import { Random } from "./support/random.ts";
import { hasEndFrame, randomRawCase, SEED, wrongMessages } from "./support/actor_fuzz_cases.ts";

/** The cases on the protocol's messages: the same against an in-process host and a worker process. */
function messageCases(host: () => HostTarget): void {
  it("a call's outcome comes in its record, its done only after we acknowledge it; every 3 calls a checkpoint", () =>
    hosting(host(), { label: "the happy path", acks: false }, async (owner) => {
      owner.send(create(1, "counter"));
      assert.deepEqual(await owner.done(1), { op: "done", key: 1, ok: true });
      const adds: Array<[number, number, number]> = [[2, 2, 2], [3, 3, 5], [4, 1, 6]]; // key, n, total
      for (const [key, n, total] of adds) {
        owner.send(call(key, "counter", "add", encode([n])));
        const record = await owner.callRecord(key);
        assert.deepEqual(record.event, {
          type: "actor.call",
          id: "counter",
          n: key - 1,
          method: "add",
          args: encode([n]),
          key,
          result: encode(total),
        });
        assert.equal(decode(record.event!.result!), total);
        await owner.flush();
        assert.deepEqual(owner.dones(key), [], `no done for call ${key} before its record is acknowledged`);
        owner.ack(record.seq);
        assert.deepEqual(await owner.done(key), { op: "done", key, ok: true });
      }
      const checkpoint = await owner.reply((reply) => isRecord(reply, "actor.checkpoint"), "the checkpoint");
      assert.deepEqual([checkpoint.event!.id, checkpoint.event!.n, decode(checkpoint.event!.state!)], ["counter", 3, {
        total: 6,
      }]);
      owner.ack(checkpoint.seq);
      assert.deepEqual(owner.replies.filter((reply) => reply.op === "record").map((reply) => reply.seq), [1, 2, 3, 4]);
    }));

  it("wrong messages are refused under their key with the error's name and code; the channel keeps serving", () =>
    hosting(host(), { label: "wrong messages", acks: true }, async (owner) => {
      owner.send(create(1, "target"));
      assert.deepEqual(await owner.done(1), { op: "done", key: 1, ok: true });
      owner.send(...wrongMessages.map(([, build], i) => build(10 + i)));
      for (const [i, [name, build, expected, stops]] of wrongMessages.entries()) {
        assertFailed([await owner.done(10 + i)], { ...expected, label: name });
        assert.equal(owner.dones(10 + i).length, 1, name);
        const { actorId } = build(0) as { actorId?: unknown };
        const stopped = owner.replies.some((reply) => isRecord(reply, "actor.stopped") && reply.event!.id === actorId);
        assert.equal(stopped, stops === true, `${name}: the failed actor's end is logged when a cell was made`);
      }
      assert.equal(
        owner.replies.filter((reply) => isRecord(reply, "actor.call")).length,
        0,
        "no wrong call reached the actor",
      );
      owner.send(call(2, "target", "add", encode([2])));
      assert.equal(decode((await owner.callRecord(2)).event!.result!), 2);
      assert.deepEqual(await owner.done(2), { op: "done", key: 2, ok: true });
    }));

  it("a message refused at once whose key is not a number is answered under key 0; the channel keeps serving", () =>
    hosting(host(), { label: "keys that are not numbers", acks: true }, async (owner) => {
      owner.send(create(1, "keyed"));
      await owner.done(1);
      const messages = [null, 5, "call", [], { op: "explode" }, { op: "explode", key: "7" }, {
        op: "explode",
        key: { k: 1 },
      }, call("x", "keyed", "add", null)];
      owner.send(...messages);
      await owner.flush();
      const refused = owner.dones(0);
      assert.equal(refused.length, messages.length, JSON.stringify(owner.replies));
      for (const reply of refused) assertFailed([reply], { ...typeError, label: "a message without a numeric key" });
      await assertServes(owner, "after-keys");
    }));

  it("an actor created from its history comes back with its state; entries it cannot replay change nothing", () =>
    hosting(host(), { label: "recovery", acks: true }, async (owner) => {
      const entries = [
        entry(2, "add", [100]),
        entry(3, "add", [1]),
        entry(4, "nope", [1]),
        entry(5, "constructor", []),
        { n: 6, method: "add", args: null },
      ];
      owner.send(create(1, "moved", { recovered: { checkpoint: { n: 2, state: encode({ total: 7 }) }, entries } }));
      assert.deepEqual(await owner.done(1), { op: "done", key: 1, ok: true });
      owner.send(call(2, "moved", "add", encode([1])));
      // 7 at the checkpoint, entry 2 already in it, +1 by entry 3, +1 now; the history goes on after entry 6.
      const { event } = await owner.callRecord(2);
      assert.deepEqual([event!.n, decode(event!.result!)], [7, 9]);
    }));

  it("acknowledgements of unknown, early or malformed seqs are ignored: no answer, and a record waits for its own", () =>
    hosting(host(), { label: "acknowledgements", acks: false }, async (owner) => {
      owner.send(create(1, "acked"));
      await owner.done(1);
      owner.send(...[99, "1", undefined, -1, null, 0, 1.5, 2].map((seq) => ({ op: "ack", seq })), { op: "ack" });
      owner.send(call(2, "acked", "add", encode([2])));
      const first = await owner.callRecord(2);
      owner.send(call(3, "acked", "add", encode([3])));
      const second = await owner.callRecord(3);
      assert.deepEqual([first.seq, second.seq], [1, 2]);
      await owner.flush();
      assert.deepEqual([...owner.dones(2), ...owner.dones(3)], [], "the early acks of 1 and 2 did not count");
      owner.ack(2);
      owner.ack(2);
      assert.deepEqual(await owner.done(3), { op: "done", key: 3, ok: true });
      await owner.flush();
      assert.deepEqual(owner.dones(2), [], "call 2 waits for its own acknowledgement");
      owner.ack(1);
      assert.deepEqual(await owner.done(2), { op: "done", key: 2, ok: true });
      await owner.flush();
      const keys = owner.replies.filter((reply) => reply.op === "done").map((reply) => reply.key);
      assert.deepEqual(keys, [1, FLUSH_KEYS, 3, FLUSH_KEYS + 1, 2, FLUSH_KEYS + 2], "no acknowledgement was answered");
    }));

  for (const how of ["an end frame", "a reset"] as const) {
    it(`closing our side with ${how} while records await acknowledgement: the worker lives and serves a new owner`, async () => {
      const label = `closing with ${how}`;
      await hosting(host(), { label, acks: false }, async (owner) => {
        owner.send(create(1, `held-${how}`));
        await owner.done(1);
        owner.send(call(2, `held-${how}`, "add", encode([2])), call(3, `held-${how}`, "add", encode([3])), {
          op: "stop",
          key: 4,
          actorId: `held-${how}`,
          drain: true,
        });
        // Nothing is acknowledged, yet the actor goes on: both calls and the stop are recorded.
        assert.equal(decode((await owner.callRecord(3)).event!.result!), 5);
        await owner.reply((reply) => isRecord(reply, "actor.stopped"), "the stop's record");
        await owner.flush();
        assert.deepEqual([2, 3, 4].flatMap((key) => owner.dones(key)), [], "nothing acknowledged, nothing answered");
        if (how === "a reset") return; // hosting() resets the channel
        await owner.end();
        // The worker read our end: what waited for an acknowledgement fails.
        for (const key of [2, 3, 4]) assert.equal((await owner.done(key)).ok, false, `call ${key} after our end`);
      });
      await hosting(
        host(),
        { label: `${label}, then a new owner`, acks: true },
        (owner) => assertServes(owner, `after-${how}`),
      );
    });
  }

  it("random owner messages from the protocol's grammar: each answered once, well formed; the channel keeps serving", async () => {
    const random = new Random(SEED);
    for (let round = 0; round < 8; round++) {
      const label = `grammar round ${round} (seed ${SEED})`;
      await hosting(host(), { label, acks: true }, async (owner) => {
        const ids = [`g${round}-a`, `g${round}-b`];
        owner.send(create(1, ids[0]), create(2, ids[1]));
        await owner.done(1);
        await owner.done(2);
        const messages = Array.from(
          { length: 25 },
          (_, i) => randomOwnerMessage(random, { key: 100 + i, ids, creates: true }) as { op?: unknown; key?: unknown },
        );
        owner.send(...messages);
        const due = messages.filter((message) => message?.op !== "ack");
        const answers = () => owner.replies.filter((reply) => reply?.op === "done").length - 2;
        await owner.until(() => answers() >= due.length, `${due.length} answers`);
        for (const key of due.map((message) => message?.key)) {
          if (typeof key === "number") assert.equal(owner.dones(key).length, 1, `${label}: key ${key} answered once`);
        }
        for (const reply of owner.replies) {
          const shown = `${label}: ${JSON.stringify(reply)}`;
          assert.ok(reply.op === "record" || (reply.op === "done" && typeof reply.ok === "boolean"), shown);
          if (reply.op === "record") {
            assert.ok(Number.isSafeInteger(reply.seq) && typeof reply.event?.id === "string", shown);
            assert.ok(
              ["actor.call", "actor.checkpoint", "actor.stopped", "actor.restarted"].includes(
                reply.event!.type as string,
              ),
              shown,
            );
          } else if (reply.ok === false) {
            assert.match(String(reply.error?.name), /^(?:[A-Z]\w*)?Error$/, shown);
          }
        }
        await assertServes(owner, `g${round}-after`);
        assert.equal(answers(), due.length + 2, `${label}: one answer each, nothing more`);
        if (round % 2 === 1) await owner.end();
      });
    }
  });

  it("a call whose args are not a list is refused before it reaches the actor", () =>
    hosting(host(), { label: "args that are not a list", acks: true }, async (owner) => {
      owner.send(create(1, "listless"));
      await owner.done(1);
      const wrong = [encode(5), encode("ab"), encode({ length: 1 })];
      owner.send(...wrong.map((args, i) => call(2 + i, "listless", "add", args)));
      for (const [i, args] of wrong.entries()) {
        assertFailed([await owner.done(2 + i)], { ...typeError, label: `args ${JSON.stringify(args)}` });
      }
      assert.equal(
        owner.replies.filter((reply) => isRecord(reply, "actor.call")).length,
        0,
        "none of them reached the actor",
      );
      owner.send(call(9, "listless", "add", encode([2])));
      assert.equal(decode((await owner.callRecord(9)).event!.result!), 2);
    }));

  it("a create, call or stop whose key is not a safe integer is refused under key 0, as on the attempt protocol", () =>
    hosting(host(), { label: "keys that are not safe integers", acks: true }, async (owner) => {
      const keys = ["7", 1.5, 2 ** 53, null, { k: 1 }];
      owner.send(...keys.map((key) => ({ op: "stop", key, actorId: "nobody", drain: true })));
      await owner.flush();
      assert.equal(owner.dones(0).length, keys.length, JSON.stringify(owner.replies));
      for (const reply of owner.dones(0)) {
        assertFailed([reply], { ...typeError, label: "a key that is not a safe integer" });
      }
    }));

  it("an actor hosted for one owner is out of reach of another owner's channel", () =>
    hosting(host(), { label: "the first owner", acks: true }, async (first) => {
      first.send(create(1, "owned"));
      await first.done(1);
      await hosting(host(), { label: "the second owner", acks: true }, async (second) => {
        second.send(create(501, "owned"));
        await second.done(501);
        second.send(call(502, "owned", "add", encode([10])));
        await second.done(502); // refused, or carried out on an actor of its own
        await first.flush();
        assert.deepEqual(
          first.replies.filter((reply) => reply.op === "record"),
          [],
          "nothing of the second owner's is logged with the first",
        );
      });
      first.send(call(2, "owned", "add", encode([1])));
      assert.equal(decode((await first.callRecord(2)).event!.result!), 1);
    }));
}

describe("actor hosting protocol in process (a real actor system over a message pipe)", { timeout: 120_000 }, () => {
  const inProcess = new InProcessHost();
  messageCases(() => inProcess);
});

describe("actor hosting protocol fuzz against an actant worker process", { timeout: 300_000 }, () => {
  let worker: FuzzedWorker;
  before(async () => void (worker = await FuzzedWorker.start()));
  after(() => worker?.stop());

  messageCases(() => worker);

  it("random raw frames on the hosting protocol: BAD_FRAME, a reset or an answer, as the frame rules say", async () => {
    const random = new Random(SEED + 1);
    const outcomes = new Map<Verdict, number>();
    for (let i = 0; i < 100; i++) {
      let bytes = randomRawCase(random, i);
      while (await hasEndFrame(bytes)) bytes = randomRawCase(random, i);
      const verdict = await worker.sendRaw(bytes, {
        protocol: ACTORS_PROTOCOL,
        label: `raw case ${i} (seed ${SEED + 1})`,
      });
      outcomes.set(verdict, (outcomes.get(verdict) ?? 0) + 1);
    }
    for (const verdict of ["bad", "answered"] as const) {
      assert.ok((outcomes.get(verdict) ?? 0) > 0, `no case ended ${verdict}: ${JSON.stringify([...outcomes])}`);
    }
  });

  it("after the fuzz run, a client gets 5 and actant status answers", async () => {
    await worker.assertStillServing();
  });
});

describe("actor hosting: a failed create whose record is never acknowledged", { timeout: 60_000 }, () => {
  // A worker of its own: the bug kills it.
  it("our side closing before we acknowledge it leaves the worker serving", async () => {
    const own = await FuzzedWorker.start();
    try {
      const label = "a failed create, then a reset";
      const owner = await Owner.open(own, { label, acks: false });
      owner.send(create(1, "broken", { args: null }));
      await owner.reply((reply) => isRecord(reply, "actor.stopped"), "the failed actor's end");
      assertFailed([await owner.done(1)], { ...actorInit, label });
      owner.abort();
      await hosting(
        own,
        { label: `${label}, then a new owner`, acks: true },
        (next) => assertServes(next, "after-broken"),
      );
      await own.assertStillServing();
    } finally {
      await own.stop();
    }
  });
});
