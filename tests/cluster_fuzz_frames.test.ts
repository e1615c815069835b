// Fuzzing the frames of a real `actant worker` process: from an in-test node, raw streams to its
// task and status protocols carry random bytes, valid frames with mutated bytes, and oversized
// frames. What the worker does is checked against a local model of the frame and channel rules
// (tests/support/fuzz_oracle.ts): a BAD_FRAME error frame, a reset, an answer, or a clean end of
// both sides. The worker never dies, and afterwards a client still gets 5 and `actant status`
// still answers. Deterministic: a failing case names its seed and index.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STATUS_PROTOCOL, TASKS_PROTOCOL } from "../src/cluster/mod.ts";
import { encode } from "../src/common/mod.ts";
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WINDOW,
  encodeDataFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
} from "../src/net/mod.ts";
import { concat, entryFrame, rawFrame, setAfterPrefix, unprefixed, varint, wire } from "./support/frame_bytes.ts";
import type { Verdict } from "./support/fuzz_oracle.ts";
import { addStep, randomEncodedLike, randomJson, submitMessage, taskStep } from "./support/fuzz_values.ts";
import { assertFailed, FuzzedWorker } from "./support/fuzz_worker.ts";
import { Random } from "./support/random.ts";

const SEED = 0x5eed_ac7a;

/** A random case of kind `i % 7`: raw bytes, or frames wrong in one part or another. */
function randomCase(random: Random, i: number): Uint8Array {
  switch (i % 7) {
    case 0: // bytes as they come, length prefix included
      return random.bytes(1 + random.int(64));
    case 1: // a correct length prefix around random bytes
      return wire(random.bytes(1 + random.int(200)));
    case 2: // a valid header (any kind, small count) around a random body
      return wire(rawFrame(2, 1 + random.int(4), random.int(8), random.bytes(random.int(120))));
    case 3: { // a valid data-frame table around random payloads
      const count = 1 + random.int(4);
      const sizes = Array.from({ length: count }, () => random.int(40));
      const table = sizes.flatMap((size) => [random.int(3), size]);
      return wire(
        rawFrame(2, 1, count, concat(Uint8Array.from(table), random.bytes(sizes.reduce((a, b) => a + b, 0)))),
      );
    }
    case 4: // random JSON text as a codec value (tag 0): the codec's decoding, superjson meta included
      return wire(entryFrame(0, JSON.stringify(randomEncodedLike(random))));
    case 5: // valid data frames of random JSON messages: each answered, then the sentinel
      return concat(
        ...Array.from({ length: 1 + random.int(3) }, () =>
          wire({
            kind: "data",
            messages: Array.from({ length: 1 + random.int(3) }, () => randomJson(random, 3)),
          })),
      );
    default: // a random run of valid and invalid frames (an end frame among them: what follows may be ignored)
      return concat(...Array.from({ length: 1 + random.int(3) }, () =>
        random.pick([
          () => wire({ kind: "data", messages: [randomJson(random, 2)] }),
          () => wire({ kind: "credit", credit: 1 + random.int(5), bytes: random.int(5000) }),
          () => wire({ kind: "end" }),
          () => wire({ kind: "error", code: "FUZZ", message: "from the fuzzer" }),
          () => random.bytes(1 + random.int(8)),
        ])()));
  }
}

/** Edits of one valid frame's wire bytes. */
function mutations(random: Random): Array<[string, (bytes: Uint8Array) => Uint8Array]> {
  return [
    ["flip a bit", (bytes) => {
      const out = bytes.slice();
      out[random.int(out.length)] ^= 1 << random.int(8);
      return out;
    }],
    [
      "set the version",
      (bytes) => setAfterPrefix(bytes, { index: 0, value: random.pick([0, 2, 3, 0x7f, 0x80, 0xff]) }),
    ],
    ["set the kind", (bytes) => setAfterPrefix(bytes, { index: 1, value: random.pick([0, 1, 2, 3, 4, 5, 9, 0xff]) })],
    ["set the count", (bytes) => {
      const body = unprefixed(bytes).slice();
      new DataView(body.buffer).setUint32(2, random.pick([0, 1, 2, 3, 0x7fff_ffff, 0xffff_ffff, random.int(2 ** 32)]));
      return wire(body);
    }],
    ["truncate", (bytes) => bytes.subarray(0, random.int(bytes.length))],
    ["cut the body, keep the length", (bytes) => {
      const body = unprefixed(bytes);
      return concat(varint(body.length), body.subarray(0, random.int(body.length)));
    }],
    ["change the length prefix", (bytes) => {
      const body = unprefixed(bytes);
      return concat(varint(Math.max(0, body.length + random.pick([-3, -1, 1, 2, 50]))), body);
    }],
    ["insert a byte", (bytes) => {
      const at = random.int(bytes.length + 1);
      return concat(bytes.subarray(0, at), Uint8Array.of(random.int(256)), bytes.subarray(at));
    }],
    ["delete a byte", (bytes) => {
      const at = random.int(bytes.length);
      return concat(bytes.subarray(0, at), bytes.subarray(at + 1));
    }],
    // Of an end frame: the second one may come after the worker finished the channel (ignored).
    ["send it twice", (bytes) => concat(bytes, bytes)],
  ];
}

describe("frame fuzz against an actant worker process", { timeout: 300_000 }, () => {
  let worker: FuzzedWorker;
  const outcomes = new Map<Verdict, number>();

  before(async () => {
    worker = await FuzzedWorker.start();
  });

  after(async () => {
    await worker?.stop();
  });

  async function raw(protocol: string, bytes: Uint8Array, label: string): Promise<Verdict> {
    const verdict = await worker.sendRaw(bytes, { protocol, label });
    outcomes.set(verdict, (outcomes.get(verdict) ?? 0) + 1);
    return verdict;
  }

  it("random bytes on the task and status protocols: BAD_FRAME, a reset or a clean end, as the frame rules say", async () => {
    const random = new Random(SEED);
    for (let i = 0; i < 200; i++) {
      await raw(
        i % 4 === 3 ? STATUS_PROTOCOL : TASKS_PROTOCOL,
        randomCase(random, i),
        `random case ${i} (seed ${SEED})`,
      );
    }
  });

  it("valid frames with mutated header bits, lengths, versions, counts and truncations", async () => {
    const random = new Random(SEED + 1);
    const bases: Array<[string, Uint8Array]> = [
      [TASKS_PROTOCOL, wire({ kind: "data", messages: [submitMessage("mutant", addStep(2, 3))] })],
      [
        TASKS_PROTOCOL,
        wire({
          kind: "data",
          messages: [{ op: "cancel", id: "nothing" }, "x", submitMessage("mutant2", taskStep("distinct", [[1, 2, 2]]))],
        }),
      ],
      [TASKS_PROTOCOL, wire({ kind: "data", messages: [new Uint8Array([1, 2, 3]), { at: new Date(0), big: 12n }] })],
      [TASKS_PROTOCOL, wire({ kind: "end" })],
      [TASKS_PROTOCOL, wire({ kind: "error", code: "NOPE", message: "bye" })],
      [TASKS_PROTOCOL, wire({ kind: "credit", credit: 1, bytes: 1000 })],
      [STATUS_PROTOCOL, wire({ kind: "data", messages: [{ op: "status" }] })],
      [STATUS_PROTOCOL, wire({ kind: "end" })],
    ];
    const edits = mutations(random);
    for (let i = 0; i < 200; i++) {
      const [protocol, base] = bases[i % bases.length];
      const [name, mutate] = edits[random.int(edits.length)];
      await raw(protocol, mutate(base), `mutation ${i} "${name}" of base ${i % bases.length} (seed ${SEED + 1})`);
    }
  });

  it("oversized frames and lengths are refused with BAD_FRAME; a frame at the limit is served", async () => {
    const max = DEFAULT_MAX_FRAME_BYTES;
    // One JSON string message whose frame is exactly the limit: header, tag, 3-byte varint, payload.
    const payload = max - FRAME_HEADER_BYTES - 1 - 3;
    const atLimit = encodeDataFrame([{ tag: 2, size: payload, text: `"${"x".repeat(payload - 2)}"` }]);
    assert.equal(atLimit.length, max);
    const overLimit = encodeDataFrame(
      [{ tag: 2, size: max - FRAME_HEADER_BYTES - 3, text: `"${"y".repeat(max - FRAME_HEADER_BYTES - 5)}"` }],
      { maxFrameBytes: 2 * max },
    );
    assert.equal(overLimit.length, max + 1);
    const cases: Array<[string, Uint8Array, Verdict]> = [
      ["a length prefix of the limit + 1, then a few bytes", concat(varint(max + 1), new Uint8Array(16)), "bad"],
      ["a length prefix of 2^31", concat(varint(2 ** 31), new Uint8Array(8)), "bad"],
      ["a length prefix of 2^53 - 1", varint(2 ** 53 - 1), "bad"],
      ["a length prefix of ten 0xff bytes", new Uint8Array(10).fill(0xff), "bad"],
      ["a complete frame one byte over the limit", wire(overLimit), "bad"],
      [
        "a complete frame at the limit (a string message: answered with a TypeError, then the sentinel)",
        wire(atLimit),
        "answered",
      ],
      [
        "a data frame announcing 2^32 - 1 messages",
        wire(rawFrame(2, 1, 0xffff_ffff, Uint8Array.of(2, 1, 0x31))),
        "bad",
      ],
      [
        "an error frame with a 100 KB message",
        wire(encodeFrame({ kind: "error", code: "BIG", message: "z".repeat(100_000) })),
        "silent",
      ],
      [
        `${DEFAULT_WINDOW + 1} messages in one frame, beyond the window`,
        wire({ kind: "data", messages: Array.from({ length: DEFAULT_WINDOW + 1 }, (_, i) => i) }),
        "bad",
      ],
    ];
    for (const [name, bytes, expected] of cases) {
      assert.equal(await raw(TASKS_PROTOCOL, bytes, name), expected, name);
    }
    assert.equal(await raw(STATUS_PROTOCOL, wire(overLimit), "status: one byte over the limit"), "bad");
  });

  it("a client's end frame ends both sides: the worker sends every answer, then its end frame", async () => {
    const messages = [
      submitMessage("quick", addStep(1, 2)),
      { op: "nope", id: "wrong" },
      submitMessage("slow", taskStep("where", [50])), // still running when our end arrives
    ];
    const bytes = concat(
      wire({ kind: "credit", credit: 100, bytes: 100_000 }),
      wire({ kind: "data", messages }),
      wire({ kind: "end" }),
    );
    const { frames, end } = await worker.exchangeRaw(bytes, { protocol: TASKS_PROTOCOL, label: "data, then end" });
    const kinds = frames.map((frame) => frame.kind);
    assert.equal(end, "closed", JSON.stringify(kinds));
    assert.deepEqual([kinds[0], kinds.at(-1)], ["credit", "end"], JSON.stringify(kinds));
    assert.ok(kinds.slice(1, -1).every((kind) => kind === "data"), JSON.stringify(kinds));
    const replies = frames.flatMap((frame) => frame.kind === "data" ? frame.messages : []);
    const byId = new Map(replies.map((reply) => [(reply as { id: string }).id, reply]));
    assert.equal(replies.length, 3, JSON.stringify(replies));
    assert.deepEqual(byId.get("quick"), { op: "done", id: "quick", ok: true, result: encode(3) });
    assertFailed([byId.get("wrong")], { name: "TypeError", label: "an unknown op before the end" });
    assert.deepEqual(byId.get("slow"), { op: "done", id: "slow", ok: true, result: encode(worker.pid) });
  });

  it("after the fuzz run, every kind of outcome was seen, a client gets 5 and actant status answers", async () => {
    // Every kind of outcome was exercised (so the oracle did not, say, call everything "bad").
    for (const verdict of ["bad", "answered", "silent", "either"] as const) {
      assert.ok((outcomes.get(verdict) ?? 0) > 0, `no case ended ${verdict}: ${JSON.stringify([...outcomes])}`);
    }
    await worker.assertStillServing();
  });
});
