/**
 * The serve loop every protocol uses, over an in-process message pipe: each message answered (at
 * once or when its work settles), a bad one refused on its own, an answer that cannot be encoded
 * replaced, reading paused while answers cannot go out, and our side ended only after the last
 * answer, whether the peer ended properly or the pipe broke.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { messagePipe, type ServedProtocol, serveMessages } from "../src/net/mod.ts";
import { settle, within } from "./support/async.ts";

type Request = { id: number; op: string; value?: unknown };
type Answer = { id: number; ok: boolean; value?: unknown; error?: string };

/** A protocol that doubles numbers, now or later, and throws on anything else. */
function doubler(events: string[]): ServedProtocol<Request, Answer> {
  return {
    handle(request, answers) {
      events.push(`handle ${request.id}`);
      if (request.op === "now") return answers.send({ id: request.id, ok: true, value: Number(request.value) * 2 });
      if (request.op === "later") {
        const work = new Promise<number>((resolve) => setTimeout(() => resolve(Number(request.value) * 2), 5));
        return answers.answer(work, (o) => (o.ok ? { id: request.id, ok: true, value: o.value } : undefined));
      }
      if (request.op === "echo") return answers.send({ id: request.id, ok: true, value: request.value });
      if (request.op === "silent") return answers.answer(Promise.resolve(), () => undefined);
      if (request.op === "fail") {
        return answers.answer(Promise.reject(new RangeError("no")), (o) => ({
          id: request.id,
          ok: false,
          error: o.ok ? "?" : (o.error as Error).name,
        }));
      }
      throw new TypeError(`unknown op ${request.op}`);
    },
    refuse: (request, error) => ({ id: (request as Request).id ?? -1, ok: false, error: (error as Error).name }),
    unsendable: (answer, error) => ({ id: answer.id, ok: false, error: `unsendable: ${error.name}` }),
    ended: () => void events.push("ended"),
  };
}

async function exchange(requests: Request[]): Promise<{ answers: Answer[]; events: string[] }> {
  const events: string[] = [];
  const [client, server] = messagePipe<Request, Answer>();
  const serving = serveMessages(server, doubler(events));
  const writer = client.writable.getWriter();
  for (const request of requests) void writer.write(request);
  void writer.close();
  const answers: Answer[] = [];
  for await (const answer of client.readable) answers.push(answer);
  await within(serving.done, 5_000, "the serve loop's end");
  return { answers, events };
}

describe("serveMessages", () => {
  it("answers every message, at once or when its work settles, and ends after the last answer", async () => {
    const { answers, events } = await exchange([
      { id: 1, op: "later", value: 1 },
      { id: 2, op: "now", value: 2 },
      { id: 3, op: "silent" },
      { id: 4, op: "fail" },
    ]);
    assert.deepEqual(answers.sort((a, b) => a.id - b.id), [
      { id: 1, ok: true, value: 2 },
      { id: 2, ok: true, value: 4 },
      { id: 4, ok: false, error: "RangeError" },
    ]);
    assert.deepEqual(events, ["handle 1", "handle 2", "handle 3", "handle 4", "ended"]);
  });

  it("refuses a message the protocol throws on, on its own; the rest go on", async () => {
    const { answers } = await exchange([{ id: 1, op: "explode" }, { id: 2, op: "now", value: 5 }]);
    assert.deepEqual(answers, [{ id: 1, ok: false, error: "TypeError" }, { id: 2, ok: true, value: 10 }]);
  });

  it("replaces an answer that cannot be encoded: not serializable, or too big for a frame", async () => {
    const { answers } = await exchange([
      { id: 1, op: "echo", value: { callback: () => 1 } },
      { id: 2, op: "echo", value: { bytes: new Uint8Array(2 * 1024 * 1024) } },
      { id: 3, op: "echo", value: "fine" },
    ]);
    assert.deepEqual(answers, [
      { id: 1, ok: false, error: "unsendable: SerializationError" },
      { id: 2, ok: false, error: "unsendable: RangeError" },
      { id: 3, ok: true, value: "fine" },
    ]);
  });

  it("stops reading while its answers are not taken, and goes on when they are", async () => {
    const events: string[] = [];
    const [client, server] = messagePipe<Request, Answer>();
    const serving = serveMessages(server, doubler(events));
    const writer = client.writable.getWriter();
    for (let id = 0; id < 100; id++) void writer.write({ id, op: "now", value: id });
    void writer.close();
    await settle();
    const handled = events.filter((event) => event.startsWith("handle")).length;
    assert.ok(handled < 10, `${handled} requests read while no answer was taken`);
    const answers: Answer[] = [];
    for await (const answer of client.readable) answers.push(answer);
    await serving.done;
    assert.deepEqual(answers.map((answer) => answer.value), Array.from({ length: 100 }, (_, id) => id * 2));
  });

  it("ends like a closed one when the pipe breaks, and never rejects", async () => {
    const events: string[] = [];
    const [client, server] = messagePipe<Request, Answer>();
    const serving = serveMessages(server, doubler(events));
    const writer = client.writable.getWriter();
    await writer.write({ id: 1, op: "later", value: 1 });
    client.abort(new Error("reset"));
    await within(serving.done, 5_000, "the serve loop's end after a reset");
    assert.ok(events.includes("ended"), JSON.stringify(events));
  });
});
