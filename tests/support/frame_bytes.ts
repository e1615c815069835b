// Wire bytes made by hand, for tests that feed the frame reader or a peer malformed input: raw
// frames from their parts, length prefixes, and edits of one frame's bytes.
// (Not a test file: no runner picks it up.)
import { encodeDataFrame, encodeFrame, type Frame, FRAME_HEADER_BYTES, lengthPrefixed } from "../../src/net/mod.ts";

const text = new TextEncoder();

/** The bytes of `parts`, one after the other. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A frame from raw parts: version, kind, count, body (bytes, or text as UTF-8). */
export function rawFrame(
  version: number,
  kind: number,
  count: number,
  body: Uint8Array | string = new Uint8Array(),
): Uint8Array {
  const bytes = typeof body === "string" ? text.encode(body) : body;
  const frame = new Uint8Array(FRAME_HEADER_BYTES + bytes.length);
  frame[0] = version;
  frame[1] = kind;
  new DataView(frame.buffer).setUint32(2, count >>> 0);
  frame.set(bytes, FRAME_HEADER_BYTES);
  return frame;
}

/** A frame with its length prefix, as bytes. */
export function wire(frame: Frame | Uint8Array): Uint8Array {
  return lengthPrefixed(frame instanceof Uint8Array ? frame : encodeFrame(frame)).subarray();
}

/** An unsigned varint (as it-length-prefixed writes a length). */
export function varint(value: number): Uint8Array {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Uint8Array.from(out);
}

/** A data frame holding one message given as its entry tag and raw payload (JSON text for tags 0 and 2). */
export function entryFrame(tag: 0 | 1 | 2, payload: string | Uint8Array): Uint8Array {
  return typeof payload === "string"
    ? encodeDataFrame([{ tag, size: text.encode(payload).length, text: payload }])
    : encodeDataFrame([{ tag, size: payload.length, bytes: payload }]);
}

/** The frame of a one-frame wire, without its length prefix. */
export function unprefixed(bytes: Uint8Array): Uint8Array {
  let at = 0;
  while (bytes[at] >= 0x80) at++;
  return bytes.subarray(at + 1);
}

/** A one-frame wire with byte `index` of the frame (after the length prefix) set to `value`. */
export function setAfterPrefix(bytes: Uint8Array, change: { index: number; value: number }): Uint8Array {
  const frame = unprefixed(bytes).slice();
  frame[change.index] = change.value;
  return wire(frame);
}
