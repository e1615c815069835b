/**
 * Actant's wire frames: every kind round-trips, many messages share one frame, the size limit
 * holds, and every malformed input (hand-made, random or mutated) is a FrameError, never a crash.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  actantProtocol,
  decodeFrame,
  encodeDataFrame,
  encodeFrame,
  encodeJsonMessage,
  encodeMessage,
  type Frame,
  FRAME_HEADER_BYTES,
  FrameError,
  lengthPrefixed,
  readFrames,
} from "../src/net/mod.ts";
import { decode, encode, type Encoded } from "../src/common/mod.ts";
import { concat, rawFrame } from "./support/frame_bytes.ts";
import { prng } from "./support/random.ts";

const text = new TextEncoder();

/** A data frame body with one entry (its table row, then its payload). */
function entry(tag: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string" ? text.encode(payload) : payload;
  assert.ok(bytes.length < 128);
  return new Uint8Array([tag, bytes.length, ...bytes]);
}

function expectFrameError(reason?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof FrameError, `expected a FrameError, got ${String(error)}`);
    assert.equal(error.name, "FrameError");
    assert.equal(error.code, "BAD_FRAME");
    if (reason !== undefined) assert.equal(error.reason, reason, error.message);
    return true;
  };
}

async function collect(source: AsyncIterable<Frame>): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of source) frames.push(frame);
  return frames;
}

async function* chunks(bytes: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length;) {
    const size = Math.max(1, sizes());
    yield bytes.slice(at, at + size);
    at += size;
  }
}

describe("Frame encoding", () => {
  it("round-trips a data frame of mixed messages, raw bytes included", () => {
    const messages = [
      1,
      "two",
      null,
      undefined,
      true,
      [1, "a", null],
      { nested: { date: new Date(5), big: 12n, map: new Map([["k", new Set([1])]]) } },
      new Uint8Array([0, 1, 255]),
      { bytes: new Uint8Array([9, 8]) },
      "ünïcödé ✓",
      { emoji: "😀 中文 é", lone: "\ud800", mixed: ["ß", 1, { deep: "𝄞" }] },
      new Uint8Array(0),
      "",
      { at: new Date(9), text: "codec value between plain ones: é😀" },
    ];
    const frame = decodeFrame(encodeFrame({ kind: "data", messages }));
    assert.equal(frame.kind, "data");
    assert.deepEqual(frame.kind === "data" && frame.messages, messages);
  });

  it("round-trips credit, end and error frames", () => {
    for (
      const frame of [
        { kind: "credit", credit: 1, bytes: 0 },
        { kind: "credit", credit: 0, bytes: 1 },
        { kind: "credit", credit: 0xffff_ffff, bytes: 0xffff_ffff },
        { kind: "end" },
        { kind: "error", code: "BAD_FRAME", message: "it was bad" },
      ] as Frame[]
    ) {
      assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
    }
  });

  it("encodes a message built of plain JSON alone (encodeJsonMessage) as encodeMessage does, unchecked", () => {
    const plain = {
      op: "submit",
      id: "é-1",
      graph: { root: "n0", nodes: { n0: { kind: "task", args: encode([1, "x"]) } } },
    };
    assert.deepEqual(encodeJsonMessage(plain), encodeMessage(plain));
    const frame = decodeFrame(encodeDataFrame([encodeJsonMessage(plain)]));
    assert.deepEqual(frame.kind === "data" && frame.messages, [plain]);
    // An encoded undefined is JSON without its value: it still decodes as undefined.
    const none = decodeFrame(encodeDataFrame([encodeJsonMessage({ result: encode(undefined) })]));
    assert.deepEqual(none.kind === "data" && decode((none.messages[0] as { result: Encoded }).result), undefined);
  });

  it("puts many messages in one frame with a small header", () => {
    const entries = Array.from({ length: 1000 }, (_, i) => encodeMessage({ seq: i }));
    const bytes = encodeDataFrame(entries);
    assert.equal(bytes[0], 2); // version
    assert.equal(bytes[1], 1); // data
    assert.equal(new DataView(bytes.buffer).getUint32(2), 1000);
    const frame = decodeFrame(bytes);
    assert.equal(frame.kind, "data");
    assert.deepEqual(frame.kind === "data" && frame.messages, Array.from({ length: 1000 }, (_, i) => ({ seq: i })));
    // The per-message overhead is a tag and a length, not a frame.
    const payload = entries.reduce((sum, e) => sum + e.size, 0);
    assert.ok(bytes.length <= FRAME_HEADER_BYTES + payload + 2 * 1000, `${bytes.length} bytes`);
  });

  it("reads frames back from a byte stream cut at any point", async () => {
    const frames: Frame[] = [
      { kind: "credit", credit: 64, bytes: 4096 },
      { kind: "data", messages: Array.from({ length: 300 }, (_, i) => `message ${i}`) },
      { kind: "data", messages: [new Uint8Array(500).fill(7)] },
      { kind: "end" },
    ];
    const wire = concat(...frames.map((frame) => lengthPrefixed(encodeFrame(frame)).subarray()));
    // Decoded data frames also carry what each message took in the body.
    const withSizes = (list: Frame[]) =>
      list.map((frame) => frame.kind === "data" ? { ...frame, sizes: undefined } : frame);
    assert.deepEqual(withSizes(await collect(readFrames(chunks(wire, () => 1)))), withSizes(frames));
    const random = prng(7);
    assert.deepEqual(
      withSizes(await collect(readFrames(chunks(wire, () => Math.floor(random() * 700))))),
      withSizes(frames),
    );
    const [, strings, bytes] = await collect(readFrames(chunks(wire, () => 64)));
    assert.deepEqual(
      strings.kind === "data" && strings.sizes!.slice(0, 2),
      [2 + 11, 2 + 11],
      'a tag, a length, and the JSON text "message 0" (11 bytes)',
    );
    assert.deepEqual(bytes.kind === "data" && bytes.sizes, [1 + 2 + 500]);
  });

  it("names protocols /actant/<name>/<version> and refuses other names", () => {
    assert.equal(actantProtocol("dispatch", "1"), "/actant/dispatch/1");
    assert.equal(actantProtocol("status-v2", "1.2.3"), "/actant/status-v2/1.2.3");
    assert.throws(() => actantProtocol("Dispatch", "1"), TypeError);
    assert.throws(() => actantProtocol("a/b", "1"), TypeError);
    assert.throws(() => actantProtocol("dispatch", "v1"), TypeError);
  });
});

describe("Frame size limit", () => {
  it("refuses to encode a frame over maxFrameBytes", () => {
    assert.throws(
      () => encodeFrame({ kind: "data", messages: ["x".repeat(2000)] }, { maxFrameBytes: 1024 }),
      RangeError,
    );
    assert.throws(() => encodeFrame({ kind: "data", messages: [new Uint8Array(1024 * 1024)] }), RangeError);
    // Just under the default limit: encoded, and decoded back to the same bytes.
    const largest = new Uint8Array(1024 * 1024 - 16).fill(7);
    const frame = decodeFrame(encodeFrame({ kind: "data", messages: [largest] }));
    assert.equal(frame.kind, "data");
    assert.equal(frame.kind === "data" && frame.messages.length, 1);
    const [message] = frame.kind === "data" ? frame.messages : [];
    assert.ok(message instanceof Uint8Array, String(message));
    assert.equal(message.length, largest.length);
    assert.ok(message.every((byte) => byte === 7));
  });

  it("refuses to decode a frame over maxFrameBytes", () => {
    const frame = encodeFrame({ kind: "data", messages: ["x".repeat(2000)] });
    assert.throws(() => decodeFrame(frame, { maxFrameBytes: 1024 }), expectFrameError("oversized"));
  });

  it("refuses an oversized length prefix before reading the body", async () => {
    // The prefix announces 2 MiB; only the prefix is sent, so a reader that waited for the body
    // would hang instead of failing.
    const prefix = lengthPrefixed(new Uint8Array(2 * 1024 * 1024)).subarray(0, 4);
    await assert.rejects(collect(readFrames(chunks(prefix, () => 4))), expectFrameError("oversized"));
    const small = lengthPrefixed(new Uint8Array(2000)).subarray(0, 2);
    await assert.rejects(
      collect(readFrames(chunks(small, () => 2), { maxFrameBytes: 1024 })),
      expectFrameError("oversized"),
    );
  });
});

describe("Malformed frames", () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ["empty", new Uint8Array(), "truncated"],
    ["a partial header", new Uint8Array([1, 1, 0]), "truncated"],
    ["version 0", rawFrame(0, 3, 0), "version"],
    ["version 1 (before credit counted bytes)", rawFrame(1, 2, 5), "version"],
    ["version 3", rawFrame(3, 3, 0), "version"],
    ["version 255", rawFrame(255, 1, 1, entry(0, '{"t":"p","v":1}')), "version"],
    ["kind 0", rawFrame(2, 0, 0), "kind"],
    ["kind 5", rawFrame(2, 5, 0), "kind"],
    ["kind 255", rawFrame(2, 255, 0), "kind"],
    ["data with count 0", rawFrame(2, 1, 0), "malformed"],
    [
      "data with more messages announced than its table holds",
      rawFrame(2, 1, 3, new Uint8Array([2, 1, 2, 1])),
      "truncated",
    ],
    ["data whose payloads run past the body", rawFrame(2, 1, 2, new Uint8Array([2, 1, 2, 1, 0x31])), "truncated"],
    ["data with an impossible count", rawFrame(2, 1, 0xffff_ffff, entry(0, '{"t":"p","v":1}')), "truncated"],
    [
      "data with bytes after the last message",
      rawFrame(2, 1, 1, concat(entry(0, '{"t":"p","v":1}'), new Uint8Array([0]))),
      "malformed",
    ],
    ["data with an unknown tag", rawFrame(2, 1, 1, entry(3, "xx")), "malformed"],
    ["data with invalid plain JSON", rawFrame(2, 1, 1, entry(2, "{x")), "malformed"],
    [
      "data with plain JSON that is not UTF-8",
      rawFrame(2, 1, 1, entry(2, new Uint8Array([0x22, 0xff, 0x22]))),
      "malformed",
    ],
    ["data whose entry length runs past the body", rawFrame(2, 1, 1, new Uint8Array([0, 50, 1, 2])), "truncated"],
    ["data whose entry ends inside its length", rawFrame(2, 1, 1, new Uint8Array([0, 0x80])), "truncated"],
    [
      "data with a 5-byte entry length",
      rawFrame(2, 1, 1, new Uint8Array([1, 0x80, 0x80, 0x80, 0x80, 0x01])),
      "malformed",
    ],
    ["data with a non-minimal entry length", rawFrame(2, 1, 1, new Uint8Array([1, 0x81, 0x00, 7])), "malformed"],
    ["data with invalid UTF-8", rawFrame(2, 1, 1, entry(0, new Uint8Array([0xc3, 0x28]))), "malformed"],
    ["data with invalid JSON", rawFrame(2, 1, 1, entry(0, '{"t":"p",')), "malformed"],
    ["data with JSON that is not an encoded value", rawFrame(2, 1, 1, entry(0, "[1,2]")), "malformed"],
    ["data with an unknown encoding", rawFrame(2, 1, 1, entry(0, '{"t":"x","v":1}')), "malformed"],
    ["data with an object as a primitive", rawFrame(2, 1, 1, entry(0, '{"t":"p","v":{}}')), "malformed"],
    ["data with an extra key", rawFrame(2, 1, 1, entry(0, '{"t":"p","v":1,"x":2}')), "malformed"],
    ["data with a nested array in a flat array", rawFrame(2, 1, 1, entry(0, '{"t":"a","v":[[1]]}')), "malformed"],
    ["data with superjson missing json", rawFrame(2, 1, 1, entry(0, '{"t":"s","v":{"meta":{}}}')), "malformed"],
    [
      "data with a bad superjson bigint",
      rawFrame(2, 1, 1, entry(0, '{"t":"s","v":{"json":"abc","meta":{"values":["bigint"]}}}')),
      "malformed",
    ],
    [
      "data with an unknown superjson transform",
      rawFrame(2, 1, 1, entry(0, '{"t":"s","v":{"json":1,"meta":{"values":["weird"]}}}')),
      "malformed",
    ],
    [
      "data with an unregistered superjson class",
      rawFrame(2, 1, 1, entry(0, '{"t":"s","v":{"json":{},"meta":{"values":[["class","Nope"]]}}}')),
      "malformed",
    ],
    ["credit of 0 messages and 0 bytes", rawFrame(2, 2, 0, new Uint8Array(4)), "malformed"],
    ["credit without its bytes", rawFrame(2, 2, 5), "malformed"],
    ["credit with a 5-byte body", rawFrame(2, 2, 5, new Uint8Array(5)), "malformed"],
    ["end with a count", rawFrame(2, 3, 1), "malformed"],
    ["end with a body", rawFrame(2, 3, 0, new Uint8Array([1])), "malformed"],
    ["error with a count", rawFrame(2, 4, 1, '{"code":"X","message":"m"}'), "malformed"],
    ["error with an empty body", rawFrame(2, 4, 0), "malformed"],
    ["error without a message", rawFrame(2, 4, 0, '{"code":"X"}'), "malformed"],
    ["error with a non-string code", rawFrame(2, 4, 0, '{"code":1,"message":"m"}'), "malformed"],
    ["error with an empty code", rawFrame(2, 4, 0, '{"code":"","message":"m"}'), "malformed"],
    ["error with a 65-character code", rawFrame(2, 4, 0, `{"code":"${"C".repeat(65)}","message":"m"}`), "malformed"],
    ["error with an extra key", rawFrame(2, 4, 0, '{"code":"X","message":"m","z":1}'), "malformed"],
  ];

  for (const [name, bytes, reason] of cases) {
    it(`refuses ${name} (${reason})`, () => {
      assert.throws(() => decodeFrame(bytes), expectFrameError(reason));
    });
  }

  it("refuses a stream that ends in the middle of a frame", async () => {
    const whole = lengthPrefixed(encodeFrame({ kind: "data", messages: ["abc", "def"] })).subarray();
    for (const cut of [1, 5, whole.length - 1]) {
      await assert.rejects(collect(readFrames(chunks(whole.subarray(0, cut), () => 3))), expectFrameError("truncated"));
    }
  });

  it("refuses a length prefix that is not a varint", async () => {
    const bad = new Uint8Array(12).fill(0xff);
    await assert.rejects(collect(readFrames(chunks(bad, () => 12))), expectFrameError("malformed"));
  });
});

describe("Frame fuzzing", () => {
  const seeds: Frame[] = [
    { kind: "data", messages: [1, "two", { three: [3] }, new Uint8Array([4, 4]), new Date(5), 6n, undefined, null] },
    { kind: "data", messages: Array.from({ length: 40 }, (_, i) => ({ i, s: "x".repeat(i) })) },
    { kind: "credit", credit: 1024, bytes: 4_194_304 },
    { kind: "end" },
    { kind: "error", code: "BAD_FRAME", message: "nope" },
  ];
  const valid = seeds.map((frame) => encodeFrame(frame));
  const kinds = new Set(["data", "credit", "end", "error"]);

  function mutate(random: () => number, source: Uint8Array): Uint8Array {
    const bytes = Array.from(source);
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (bytes.length + 1));
      switch (Math.floor(random() * 5)) {
        case 0: // flip a bit
          if (bytes.length > 0) bytes[at % bytes.length] ^= 1 << Math.floor(random() * 8);
          break;
        case 1: // overwrite a byte
          if (bytes.length > 0) bytes[at % bytes.length] = Math.floor(random() * 256);
          break;
        case 2: // insert a byte
          bytes.splice(at, 0, Math.floor(random() * 256));
          break;
        case 3: // delete a span
          bytes.splice(at, 1 + Math.floor(random() * 8));
          break;
        default: // truncate
          bytes.length = Math.min(bytes.length, at);
      }
    }
    return new Uint8Array(bytes);
  }

  /** Decoding either gives a well-formed frame or throws a FrameError; anything else fails the test. */
  function check(bytes: Uint8Array, label: string): "ok" | "refused" {
    try {
      const frame = decodeFrame(bytes, { maxFrameBytes: 4096 });
      assert.ok(kinds.has(frame.kind), `${label}: kind ${frame.kind}`);
      return "ok";
    } catch (error) {
      assert.ok(error instanceof FrameError, `${label}: ${String(error)} for [${bytes.join(",")}]`);
      return "refused";
    }
  }

  it("gives a frame or a FrameError for 1,000 random inputs", () => {
    const random = prng(1);
    const counts = { ok: 0, refused: 0 };
    for (let i = 0; i < 1000; i++) {
      const length = Math.floor(random() * 48);
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      // Half the cases get a plausible header so the body parsers see random input too.
      if (i % 2 === 0 && length >= 2) {
        bytes[0] = 1;
        bytes[1] = 1 + (i % 4);
      }
      counts[check(bytes, `random case ${i}`)]++;
    }
    assert.ok(counts.refused > 500, JSON.stringify(counts));
  });

  it("gives a frame or a FrameError for 1,000 mutated valid frames", () => {
    const random = prng(2);
    const counts = { ok: 0, refused: 0 };
    for (let i = 0; i < 1000; i++) counts[check(mutate(random, valid[i % valid.length]), `mutation ${i}`)]++;
    assert.ok(counts.refused > 0 && counts.ok + counts.refused === 1000, JSON.stringify(counts));
  });

  it("reads a mutated byte stream to its end or to a FrameError, never further", async () => {
    const random = prng(3);
    for (let i = 0; i < 100; i++) {
      const parts = valid.map((frame) => lengthPrefixed(frame).subarray());
      const wire = mutate(random, concat(...parts));
      try {
        const frames = await collect(
          readFrames(chunks(wire, () => 1 + Math.floor(random() * 64)), { maxFrameBytes: 4096 }),
        );
        assert.ok(frames.every((frame) => kinds.has(frame.kind)));
      } catch (error) {
        assert.ok(error instanceof FrameError, `stream case ${i}: ${String(error)}`);
      }
    }
  });
});
