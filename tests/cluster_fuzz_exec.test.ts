// Fuzzing the attempt protocol (`/actant/exec/1`, what an owner uses to run attempts on a peer),
// in process (the serve loop over a message pipe, a real attempt runner behind it) and against a
// real `actant worker` process, with wrong requests: each gets its own failure `done` under
// its key (0 when the key is not a safe integer), the channel keeps serving, a key in use by a
// running attempt is refused without touching that attempt, and arguments that do not decode to
// a list are refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encode } from "../src/common/mod.ts";
import type { PipeEnd } from "../src/net/mod.ts";
import { within } from "./support/async.ts";
import { assertFailed, FuzzedWorker, HANG_BOUND_MS } from "./support/fuzz_worker.ts";
import { type AttemptTarget, InProcessAttempts } from "./support/in_process_host.ts";

const run = (key: unknown, task: unknown, args: unknown) => ({
  op: "run",
  key,
  runId: "fuzz-run",
  task,
  args,
  attempt: 1,
});

/** The cases, the same against an attempt runner in this process and a worker process. */
function attemptCases(peer: () => AttemptTarget): void {
  /** Opens an attempt channel for `use`, and aborts it afterwards (the worker cancels what still runs). */
  async function withChannel(label: string, use: (channel: PipeEnd<unknown, unknown>) => Promise<void>): Promise<void> {
    const channel = await peer().openAttempts();
    try {
      await use(channel);
    } finally {
      channel.abort(new Error("case over"));
      peer().assertAlive(label);
    }
  }

  /** Writes `requests`, then reads until `count` answers came; resolves with them by key. */
  async function exchange(
    channel: PipeEnd<unknown, unknown>,
    requests: unknown[],
    count: number,
  ): Promise<Map<number, unknown[]>> {
    const writer = channel.writable.getWriter();
    for (const request of requests) void writer.write(request).catch(() => {});
    writer.releaseLock();
    const reader = channel.readable.getReader();
    const replies = new Map<number, unknown[]>();
    try {
      await within(
        (async () => {
          for (let seen = 0; seen < count;) {
            const { value, done } = await reader.read();
            assert.equal(done, false, `the attempt channel ended with answers due: ${JSON.stringify([...replies])}`);
            const { op, key } = value as { op?: unknown; key: number };
            assert.equal(op, "done", JSON.stringify(value));
            replies.set(key, [...replies.get(key) ?? [], value]);
            seen++;
          }
        })(),
        HANG_BOUND_MS,
        "the attempt answers",
      );
      return replies;
    } finally {
      reader.releaseLock();
    }
  }

  it("bad requests are answered with an error under their key; good ones run", () =>
    withChannel("bad attempt requests", async (channel) => {
      const requests: Array<[unknown, number, string | undefined]> = [
        [run(1, "add", encode([2, 3])), 1, undefined],
        [run(2, "nope", encode([])), 2, "UnknownTaskError"],
        [run(3, 5, encode([])), 3, "TypeError"],
        [run(4, "add", null), 4, "TypeError"],
        [run(5, "add", { t: "a", v: 5 }), 5, "TypeError"],
        [{ op: "explode", key: 6 }, 6, "TypeError"],
        [{ op: "cancel", key: 99, reason: "nothing runs under 99" }, -1, undefined],
        [{ op: "cancel", key: 98, reason: { toString: 1 } }, -1, undefined],
        [run(7, "add", encode("ab")), 7, "TypeError"],
        [run(8, "add", encode({ length: 2 })), 8, "TypeError"],
        [run(9, "add", encode(5)), 9, "TypeError"],
        [run(10, "add", { t: "x", v: 1 }), 10, "TypeError"],
        [{ op: "run", key: 11, runId: "r11", task: "add", attempt: 1 }, 11, "TypeError"],
        [run(12, "add", encode([[1], 2])), 12, undefined], // a list of any values is fine: add makes "12"
      ];
      const expected = requests.filter(([, key]) => key >= 0);
      const replies = await exchange(channel, requests.map(([request]) => request), expected.length);
      assert.deepEqual(replies.get(1), [{ op: "done", key: 1, ok: true, result: encode(5) }]);
      assert.deepEqual(replies.get(12), [{ op: "done", key: 12, ok: true, result: encode("12") }]);
      for (const [, key, name] of expected) {
        if (name !== undefined) assertFailed(replies.get(key), { name, label: `attempt ${key}` });
      }
    }));

  it("a key that is not a safe integer is answered under key 0 with a TypeError; the channel keeps serving", () =>
    withChannel("bad attempt keys", async (channel) => {
      const keys = [{ toString: 1, valueOf: 1 }, 2 ** 53, 1.5, "7", null, 5n, Infinity];
      const replies = await exchange(channel, [
        ...keys.map((key) => run(key, "add", encode([2, 3]))),
        run(1, "add", encode([2, 3])),
      ], keys.length + 1);
      assert.deepEqual(replies.get(1), [{ op: "done", key: 1, ok: true, result: encode(5) }]);
      assert.equal(replies.get(0)?.length, keys.length, JSON.stringify(replies.get(0)));
      for (const reply of replies.get(0)!) {
        assertFailed([reply], { name: "TypeError", label: "a key that is not a safe integer" });
      }
    }));

  it("a run under a key in use by a running attempt is refused; the running attempt answers as usual, then the key is free", () =>
    withChannel("a key twice", async (channel) => {
      // Both in one frame: the second arrives while the first runs (it waits 50 ms).
      const replies = await exchange(channel, [run(1, "where", encode([50])), run(1, "add", encode([2, 3]))], 2);
      const [refused, first] = replies.get(1)!;
      assertFailed([refused], { name: "TypeError", label: "the second run under key 1" });
      assert.deepEqual(first, { op: "done", key: 1, ok: true, result: encode(peer().pid) });
      const again = await exchange(channel, [run(1, "add", encode([2, 3]))], 1);
      assert.deepEqual(again.get(1), [{ op: "done", key: 1, ok: true, result: encode(5) }]);
    }));
}

describe("attempt protocol in process (a real attempt runner over a message pipe)", { timeout: 60_000 }, () => {
  const inProcess = new InProcessAttempts();
  attemptCases(() => inProcess);
});

describe("attempt protocol fuzz against an actant worker process", { timeout: 300_000 }, () => {
  let worker: FuzzedWorker;

  before(async () => {
    worker = await FuzzedWorker.start();
  });

  after(async () => {
    await worker?.stop();
  });

  attemptCases(() => worker);

  it("after the fuzz run, a client gets 5 and actant status answers", async () => {
    await worker.assertStillServing();
  });
});
