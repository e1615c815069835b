// Direct calls in process: a caller's end of a message pipe to the host's serve loop
// (`serveDirectCaller`), with the actor hosted for an owner whose acknowledgements the test
// holds. A direct call is answered only once its owner acknowledged its event, which carries the
// caller's id and the outcome; a call for an actor not hosted there is answered `elsewhere`
// without running; bad messages get their own error answers and the loop goes on; and the same
// call sent again through the owner (the caller's connection broke) runs once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ActorEvent, ActorSystem } from "../src/actor/mod.ts";
import {
  type DirectAnswer,
  type DirectCall,
  directCallId,
  HostedActors,
  type HostMessage,
  type OwnerMessage,
  serveActorOwner,
  serveDirectCaller,
} from "../src/cluster/mod.ts";
import { decode, encode, IdGenerator, systemClock } from "../src/common/mod.ts";
import { messagePipe } from "../src/net/mod.ts";
import { settle, track } from "./support/async.ts";

const CALLER = "12D3KooWCaller";

/** A host with one Counter, hosted for an owner end the test plays (it acknowledges by hand). */
async function hostWithCounter() {
  const system = new ActorSystem(systemClock, new IdGenerator());
  let runs = 0;
  system.define(
    "Counter",
    class {
      total = 0;
      add(n: number) {
        runs++;
        return (this.total += n);
      }
    },
  );
  const hosted = new HostedActors();
  const [owner, host] = messagePipe<OwnerMessage, HostMessage>();
  void serveActorOwner(host, system, hosted);
  const ownerWriter = owner.writable.getWriter();
  const fromHost = owner.readable.getReader();
  await ownerWriter.write({ op: "create", key: 1, actorId: "a1", cls: "Counter", args: encode([]) });
  assert.deepEqual(await fromHost.read(), { done: false, value: { op: "done", key: 1, ok: true } });
  const [caller, served] = messagePipe<DirectCall, DirectAnswer>();
  serveDirectCaller(served, hosted, CALLER);
  const callerWriter = caller.writable.getWriter();
  const answers = caller.readable.getReader();
  return {
    runs: () => runs,
    /** The next record the host sends its owner (skipping other messages). */
    async record(): Promise<{ seq: number; event: ActorEvent }> {
      for (;;) {
        const { value } = await fromHost.read();
        if (value?.op === "record") return value as { seq: number; event: ActorEvent };
      }
    },
    ack: (seq: number) => ownerWriter.write({ op: "ack", seq }),
    owner: ownerWriter,
    fromHost,
    call: (message: unknown) => callerWriter.write(message as DirectCall),
    answer: async () => (await answers.read()).value,
    async close() {
      await callerWriter.close();
      await ownerWriter.close();
    },
  };
}

describe("direct calls to an actor's host", () => {
  it("answers a call once its owner acknowledged its event, which names the caller's call", async () => {
    const host = await hostWithCounter();
    await host.call({ op: "call", key: 7, actorId: "a1", method: "add", args: encode([5]) });
    const { seq, event } = await host.record();
    assert.equal(event.type, "actor.call");
    assert.equal((event as { via?: string }).via, directCallId(CALLER, 7));
    assert.equal(decode((event as { result?: never }).result!), 5, "the outcome is logged with it");
    const answer = host.answer();
    const state = track(answer);
    await settle();
    assert.equal(state(), "pending", "no answer before the owner's acknowledgement");
    await host.ack(seq);
    const done = await answer as Extract<DirectAnswer, { ok: true }>;
    assert.equal(done.ok, true);
    assert.equal(decode(done.result), 5);
    await host.close();
  });

  it("answers elsewhere for an actor it does not host, and refuses bad messages on their own", async () => {
    const host = await hostWithCounter();
    await host.call({ op: "call", key: 1, actorId: "nobody", method: "add", args: encode([1]) });
    const elsewhere = await host.answer() as Extract<DirectAnswer, { ok: false }>;
    assert.equal(elsewhere.elsewhere, true);
    assert.equal(elsewhere.error.name, "ActorStoppedError");
    for (
      const bad of [
        { op: "stop", key: 2 },
        { op: "call", actorId: "a1", method: "add", args: encode([1]) },
        { op: "call", key: 3, actorId: 5, method: "add", args: encode([1]) },
        { op: "call", key: 4, actorId: "a1", method: "add", args: encode(7) },
        null,
      ]
    ) {
      await host.call(bad);
      const answer = await host.answer() as Extract<DirectAnswer, { ok: false }>;
      assert.equal(answer.ok, false, JSON.stringify(bad));
      assert.equal(answer.error.name, "TypeError", JSON.stringify(answer));
      assert.equal(answer.elsewhere, undefined);
    }
    await host.call({ op: "call", key: 9, actorId: "a1", method: "nope", args: encode([]) });
    const unknown = await host.answer() as Extract<DirectAnswer, { ok: false }>;
    assert.equal(unknown.error.name, "UnknownMethodError");
    assert.equal(host.runs(), 0, "none of them ran");
    await host.call({ op: "call", key: 10, actorId: "a1", method: "add", args: encode([2]) });
    await host.ack((await host.record()).seq);
    assert.equal(decode((await host.answer() as Extract<DirectAnswer, { ok: true }>).result), 2, "and it goes on");
    await host.close();
  });

  it("runs a direct call once when its owner sends it again under the caller's id", async () => {
    const host = await hostWithCounter();
    await host.call({ op: "call", key: 3, actorId: "a1", method: "add", args: encode([4]) });
    const via = directCallId(CALLER, 3);
    // The caller's connection broke before the answer: the owner sends the same call here again.
    await host.owner.write({ op: "call", key: 20, actorId: "a1", method: "add", args: encode([4]), via });
    const { seq, event } = await host.record();
    assert.equal((event as { via?: string }).via, via);
    await host.ack(seq);
    // The owner's copy settles as the direct call did (its logged event is the owner's answer).
    const { value } = await host.fromHost.read();
    assert.deepEqual(value, { op: "done", key: 20, ok: true });
    assert.equal(host.runs(), 1, "it ran once");
    // A copy of a call never taken here runs, logged under its key and the caller's id.
    const other = directCallId(CALLER, 4);
    await host.owner.write({ op: "call", key: 21, actorId: "a1", method: "add", args: encode([1]), via: other });
    const again = await host.record();
    assert.equal((again.event as { key?: number }).key, 21);
    assert.equal((again.event as { via?: string }).via, other);
    assert.equal(decode((again.event as { result?: never }).result!), 5);
    assert.equal(host.runs(), 2);
    await host.close();
  });
});
