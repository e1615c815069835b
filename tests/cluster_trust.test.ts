// Bad input from cluster peers: announcements with negative, huge or fractional numbers, oversized
// lists, strings and messages, and peers claiming a node id another member holds, are ignored
// (a negative `tasks.queued` used to win every placement, and send the owner's work to a peer
// that need not run it); answers on `/actant/exec/1` are taken only for an attempt in flight on
// that peer's channel, once: a duplicate, an answer for a key never sent, a late answer after the
// attempt was placed again, and a malformed answer never become a run's result.
import { until } from "./support/async.ts";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActantApp, type ClusterMember, signature } from "../mod.ts";
import { decode, encode } from "../src/common/mod.ts";
import type { ExecRequest, MemberEvent } from "../src/cluster/mod.ts";
import { KeptBackend, loggedEvents } from "./support/kept_backend.ts";
import { captureWarnings, RoguePeer } from "./support/rogue_member.ts";

describe("cluster peers that lie", { timeout: 60_000 }, () => {
  let backend: KeptBackend;
  let owner: ActantApp;
  let honest: ActantApp;
  let ownerMember: ClusterMember;
  let honestMember: ClusterMember;
  const rogues: RoguePeer[] = [];
  const warnings = captureWarnings();
  const keys = mkdtempSync(join(tmpdir(), "actant-trust-"));
  const ignored: Array<Extract<MemberEvent, { kind: "answer.ignored" }>> = [];

  before(async () => {
    backend = new KeptBackend();
    owner = new ActantApp("trust", { backend, dataDir: keys }); // its peer key goes there
    honest = new ActantApp("trust", { durability: "memory" });
    honest.task("work", (n: number) => `honest:${n}`);
    honest.actor(
      "Counter",
      class {
        n = 0;
        add(k: number) {
          return this.n += k;
        }
      },
    );
    ownerMember = await owner.join({
      heartbeatMs: 100,
      nodeId: "owner",
      onEvent: (event) => void (event.kind === "answer.ignored" && ignored.push(event)),
    });
    honestMember = await honest.join({ bootstrap: ownerMember.node.addresses(), heartbeatMs: 100, nodeId: "honest" });
    await until(() => ownerMember.membership.members().length === 1, "the owner knows the honest member");
  });

  after(async () => {
    warnings.restore();
    for (const rogue of rogues) await rogue.stop().catch(() => {});
    await honest?.close();
    await owner?.close();
    rmSync(keys, { recursive: true, force: true });
  });

  const rogue = async () => {
    const peer = await RoguePeer.start("trust", ownerMember.node.addresses());
    rogues.push(peer);
    return peer;
  };

  it("ignores announcements with numbers out of range, oversized lists, strings and messages", async () => {
    const peer = await rogue();
    const tasks = (fields: Record<string, unknown>) => ({
      queued: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      ...fields,
    });
    const registersWork = { registers: { tasks: ["work"], actors: ["Counter"] } };
    const bad = [
      peer.announcement({ ...registersWork, status: { tasks: tasks({ queued: -1_000_000_000 }) } }),
      peer.announcement({ ...registersWork, status: { tasks: tasks({ queued: 1e300 }) } }),
      peer.announcement({ ...registersWork, status: { tasks: tasks({ running: 1.5 }) } }),
      peer.announcement({ ...registersWork, status: { actors: -5 } }),
      peer.announcement({ ...registersWork, status: { actors: 2 ** 60 } }),
      peer.announcement({ ...registersWork, status: { load: -1 } }),
      peer.announcement({ ...registersWork, status: { uptimeMs: -1 } }),
      peer.announcement({ ...registersWork, concurrency: 1e12 }),
      peer.announcement({
        ...registersWork,
        status: { addresses: Array.from({ length: 100 }, () => "/ip4/127.0.0.1/tcp/1/ws") },
      }),
      peer.announcement({ ...registersWork, status: { nodeId: "n".repeat(10_000) } }),
      peer.announcement({
        registers: { tasks: ["work", ...Array.from({ length: 5_000 }, (_, i) => `t${i}`)], actors: [] },
      }),
      peer.announcement({ ...registersWork, padding: "x".repeat(300_000) }),
    ];
    // A well-formed announcement that registers nothing: once it has landed, the bad ones have been seen too.
    const fine = peer.announcement();
    await until(
      () => ownerMember.membership.get(peer.node.peerId) !== undefined,
      "the well-formed announcement landed",
      {
        step: async () => {
          for (const value of bad) await peer.publish(value);
          await peer.publish(fine);
        },
      },
    );
    for (let i = 0; i < 20; i++) {
      for (const value of bad) await peer.publish(value);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = ownerMember.membership.get(peer.node.peerId)!.announcement;
    assert.deepEqual(seen.registers.tasks, []);
    assert.deepEqual(seen.status.tasks, tasks({}));
    assert.equal(seen.status.actors, 0);
    assert.equal(seen.concurrency, 8);
    // Work and actors go to the honest member, not to the peer that claimed a negative load.
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => owner.submit(signature<string>("work", [i])).get()),
    );
    assert.deepEqual(results, [0, 1, 2, 3, 4].map((i) => `honest:${i}`));
  });

  it("ignores a peer claiming a node id another member (or the owner) holds, and warns", async () => {
    const claimant = await rogue();
    for (const nodeId of ["honest", "owner"]) {
      const claim = claimant.announcement({ status: { nodeId }, registers: { tasks: ["work"], actors: [] } });
      await until(
        () => warnings.lines.some((line) => line.includes(claimant.node.peerId) && line.includes(`"${nodeId}"`)),
        `a warning about the claim of "${nodeId}"`,
        { step: () => claimant.publish(claim) },
      );
      assert.equal(ownerMember.membership.get(claimant.node.peerId), undefined);
    }
    const rows = ownerMember.statuses();
    assert.deepEqual(rows.filter((row) => row.nodeId === "honest").map((row) => row.peerId), [
      honestMember.node.peerId,
    ]);
    assert.equal(await owner.submit(signature<string>("work", [7])), "honest:7");
  });

  it("takes an answer only for an attempt in flight on the channel it was sent on, and only once", async () => {
    const peer = await rogue();
    const answer = (key: unknown, result: unknown) => ({ op: "done", key, ok: true, result: encode(result) });
    let lastKey = 0;
    let lateKey: number | undefined;
    await peer.serveExec((request: ExecRequest, reply) => {
      if (request.op !== "run") return;
      const [mode] = decode<[string]>(request.args);
      // Forged answers for keys this peer was not sent (yet), and for one already answered.
      for (const key of [request.key + 1, request.key + 2, request.key + 1_000, lastKey]) reply(answer(key, "forged"));
      reply({ op: "result", key: request.key }); // no answer at all
      lastKey = request.key;
      if (mode === "dup") {
        reply(answer(request.key, "first"));
        reply(answer(request.key, "second"));
        reply({ op: "done", key: request.key, ok: false, error: { name: "Error", message: "third" } });
      } else if (mode === "malformed") {
        if (request.attempt === 1) reply({ op: "done", key: request.key, ok: true });
        else reply(answer(request.key, `attempt ${request.attempt}`));
      } else if (mode === "late") {
        // Holds attempt 1 past its timeout; answers it once attempt 2 is out, and never answers attempt 2.
        if (request.attempt === 1) lateKey = request.key;
        else reply(answer(lateKey, "late"));
      }
    });
    const options = { retries: 1, timeout: 500, backoff: { initial: 1, max: 1 } };
    const claim = peer.announcement({
      status: { nodeId: "answerer" },
      registers: { tasks: ["lying"], actors: [], options: { lying: options } },
    });
    await until(
      () => ownerMember.membership.get(peer.node.peerId) !== undefined,
      "the answering peer joined",
      { step: () => peer.publish(claim) },
    );

    const dup = owner.submit(signature<string>("lying", ["dup"]));
    assert.equal(await dup, "first");
    const malformed = owner.submit(signature<string>("lying", ["malformed"]));
    assert.equal(await malformed, "attempt 2");
    const late = owner.submit(signature<string>("lying", ["late"]));
    await assert.rejects(late.get(), (error: Error & { attempts?: number; cause?: Error }) => {
      assert.equal(error.name, "TaskError");
      assert.equal(error.attempts, 2);
      assert.equal(error.cause?.name, "TaskTimeoutError");
      return true;
    });
    // Each was dropped and told to the owner's observer (what `actant worker --log-level debug` logs).
    const from = { peerId: peer.node.peerId, nodeId: "answerer" };
    const told = ignored.filter((event) => event.from.peerId === peer.node.peerId);
    for (const event of told) assert.deepEqual(event.from, from);
    assert.ok(told.some((event) => /^an answer to attempt \d+, which is not in flight there$/.test(event.why)));
    assert.ok(told.some((event) => /a message that is no answer \(expected \{ op: "done"/.test(event.why)));
    // Four forged keys and a non-answer for each of the 5 requests, 2 repeats, 1 late answer; but
    // the forged answer to the timed-out attempt 1 of "late" (sent with attempt 2) ends its entry,
    // which waited for the peer to give up its slot (the run had let it go): 27.
    assert.equal(told.length, 5 * 5 + 2 + 1 - 1, JSON.stringify(told.map((event) => event.why)));
    // Each run's outcome is logged once: the forged and repeated answers left no trace.
    await owner.close();
    const events = await loggedEvents(backend);
    const outcomes = (id: string) =>
      events.filter((event) => event.id === id && /^task\.(succeeded|failed)$/.test(event.type));
    assert.deepEqual(outcomes(dup.id).map((event) => [event.type, decode(event.result as never)]), [[
      "task.succeeded",
      "first",
    ]]);
    assert.deepEqual(outcomes(malformed.id).map((event) => [event.type, event.attempts]), [["task.succeeded", 2]]);
    assert.deepEqual(outcomes(late.id).map((event) => [event.type, event.attempts]), [["task.failed", 2]]);
  });
});
