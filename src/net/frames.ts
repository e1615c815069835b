/**
 * Actant's wire framing. Every protocol named `/actant/<name>/<version>` carries length-prefixed
 * frames (`it-length-prefixed`: an unsigned varint, then the frame). A frame is a 6-byte header
 * and a body:
 *
 * ```text
 * byte 0     frame version (1)
 * byte 1     kind: 1 data, 2 credit, 3 end, 4 error
 * bytes 2-5  count, big-endian u32: messages in a data frame, messages granted by a credit frame
 * body       data: a table of `count` (tag, varint length) entries, then the payloads (`./messages.ts`);
 *            credit: the bytes granted, big-endian u32 (a grant of messages, bytes or both);
 *            error: UTF-8 JSON `{"code": string, "message": string}`; end: empty
 * ```
 *
 * Version 2 added the bytes of a credit grant (version 1 granted messages only).
 *
 * Decoding is strict: a frame that breaks any rule is a {@linkcode FrameError}. Credit, end and
 * error frames carry the channel protocol of `./channel.ts`.
 *
 * @module
 */
import { decode as lpDecode, encode as lpEncode } from "it-length-prefixed";
import type { Uint8ArrayList } from "uint8arraylist";
import { FrameError } from "./errors.ts";
import {
  dataBodySize,
  encodeMessage,
  fail,
  isPlainObject,
  type MessageEntry,
  parseJson,
  readDataBody,
  writeDataBody,
} from "./messages.ts";

export { encodeJsonMessage, encodeMessage, entrySize, type MessageEntry } from "./messages.ts";

/** The frame format version this code writes and accepts. */
export const FRAME_VERSION = 2;
/** Bytes in a frame header. */
export const FRAME_HEADER_BYTES = 6;
/** Largest frame (header and body, without the length prefix) accepted by default: 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Frame kinds as they appear in header byte 1. */
export const FrameKind = { data: 1, credit: 2, end: 3, error: 4 } as const;

/**
 * The libp2p protocol id of an Actant protocol: `/actant/<name>/<version>`.
 *
 * @example
 * ```ts
 * actantProtocol("dispatch", "1"); // "/actant/dispatch/1"
 * ```
 * @throws {TypeError} when the name is not lowercase `[a-z0-9_-]` or the version not `1`, `1.2`, ...
 */
export function actantProtocol(name: string, version: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
    throw new TypeError(`protocol name "${name}" must be lowercase letters, digits, "_" or "-"`);
  }
  if (!/^\d{1,6}(?:\.\d{1,6}){0,2}$/.test(version)) {
    throw new TypeError(`protocol version "${version}" must look like 1, 1.2 or 1.2.3`);
  }
  return `/actant/${name}/${version}`;
}

/** A decoded frame. */
export type Frame =
  | {
    readonly kind: "data";
    readonly messages: unknown[];
    /** What each message took in the body (set by decoding; what the receiver's byte credit counts). */
    readonly sizes?: readonly number[];
  }
  | { readonly kind: "credit"; readonly credit: number; readonly bytes: number }
  | { readonly kind: "end" }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

/** Limits applied when reading or writing frames. */
export interface FrameLimits {
  /** Largest frame in bytes, header included. Default {@linkcode DEFAULT_MAX_FRAME_BYTES}. */
  maxFrameBytes?: number;
}

const MAX_COUNT = 0xffff_ffff;
/** A credit frame's body: the bytes granted. */
const CREDIT_BODY_BYTES = 4;
const MAX_ERROR_CODE = 64;
const textEncoder = new TextEncoder();

/** Encodes a data frame from entries made by {@linkcode encodeMessage}. */
export function encodeDataFrame(entries: readonly MessageEntry[], limits?: FrameLimits): Uint8Array {
  if (entries.length === 0) throw new RangeError("a data frame needs at least one message");
  const size = FRAME_HEADER_BYTES + dataBodySize(entries);
  checkSize(size, limits);
  const frame = new Uint8Array(size);
  writeHeader(frame, FrameKind.data, entries.length);
  writeDataBody(entries, frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Encodes any frame (without its length prefix).
 *
 * @example
 * ```ts
 * const bytes = encodeFrame({ kind: "data", messages: [1, { a: "b" }, new Uint8Array([7])] });
 * decodeFrame(bytes); // { kind: "data", messages: [1, { a: "b" }, Uint8Array [7]] }
 * ```
 * @throws {RangeError} when the frame would exceed `maxFrameBytes` or a count is out of range.
 */
export function encodeFrame(frame: Frame, limits?: FrameLimits): Uint8Array {
  switch (frame.kind) {
    case "data":
      return encodeDataFrame(frame.messages.map(encodeMessage), limits);
    case "credit": {
      for (const [name, value] of [["credit", frame.credit], ["bytes", frame.bytes]] as const) {
        if (!Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
          throw new RangeError(`${name} must be an integer from 0 to ${MAX_COUNT}, got ${value}`);
        }
      }
      if (frame.credit + frame.bytes === 0) throw new RangeError("a credit frame grants at least 1 message or byte");
      const bytes = writeHeader(new Uint8Array(FRAME_HEADER_BYTES + CREDIT_BODY_BYTES), FrameKind.credit, frame.credit);
      new DataView(bytes.buffer).setUint32(FRAME_HEADER_BYTES, frame.bytes);
      return bytes;
    }
    case "end":
      return writeHeader(new Uint8Array(FRAME_HEADER_BYTES), FrameKind.end, 0);
    case "error": {
      const body = textEncoder.encode(
        JSON.stringify({ code: frame.code.slice(0, MAX_ERROR_CODE), message: frame.message }),
      );
      const bytes = new Uint8Array(FRAME_HEADER_BYTES + body.length);
      writeHeader(bytes, FrameKind.error, 0).set(body, FRAME_HEADER_BYTES);
      checkSize(bytes.length, limits);
      return bytes;
    }
  }
}

/** Prefixes a frame with its varint length, ready for `stream.send()`. */
export function lengthPrefixed(frame: Uint8Array): Uint8ArrayList {
  return lpEncode.single(frame);
}

/**
 * Decodes and validates one frame (without its length prefix).
 *
 * @throws {FrameError} `BAD_FRAME` for any frame that breaks the format.
 */
export function decodeFrame(bytes: Uint8Array, limits?: FrameLimits): Frame {
  const max = maxFrameBytes(limits);
  if (bytes.length > max) fail("oversized", `${bytes.length} bytes, the limit is ${max}`);
  if (bytes.length < FRAME_HEADER_BYTES) {
    fail("truncated", `${bytes.length} bytes, a header alone is ${FRAME_HEADER_BYTES}`);
  }
  if (bytes[0] !== FRAME_VERSION) fail("version", `frame version ${bytes[0]}, expected ${FRAME_VERSION}`);
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(2);
  const body = bytes.subarray(FRAME_HEADER_BYTES);
  switch (bytes[1]) {
    case FrameKind.data: {
      const sizes = new Array<number>(count);
      return { kind: "data", messages: readDataBody(body, count, sizes), sizes };
    }
    case FrameKind.credit: {
      if (body.length !== CREDIT_BODY_BYTES) {
        fail("malformed", `a credit frame's body is ${CREDIT_BODY_BYTES} bytes, got ${body.length}`);
      }
      const bytes = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0);
      if (count + bytes === 0) fail("malformed", "a credit frame must grant at least 1 message or byte");
      return { kind: "credit", credit: count, bytes };
    }
    case FrameKind.end:
      if (count !== 0 || body.length > 0) fail("malformed", "an end frame has count 0 and no body");
      return { kind: "end" };
    case FrameKind.error:
      if (count !== 0) fail("malformed", `an error frame has count 0, got ${count}`);
      return decodeErrorBody(body);
    default:
      return fail("kind", `unknown frame kind ${bytes[1]}`);
  }
}

/**
 * Reads length-prefixed frames from a byte source (a libp2p stream). The length prefix is checked
 * before the body is buffered, so an oversized frame is refused without reading it.
 *
 * @throws {FrameError} for a bad frame, an oversized or malformed length, or input that ends mid-frame.
 */
export async function* readFrames(
  source: AsyncIterable<Uint8Array | Uint8ArrayList>,
  limits?: FrameLimits,
): AsyncGenerator<Frame, void, undefined> {
  const max = maxFrameBytes(limits);
  // it-length-prefixed ends quietly when input stops right after a length prefix: track it.
  let awaitingBody = false;
  const frames = lpDecode(source, {
    maxDataLength: max,
    onLength: () => void (awaitingBody = true),
    onData: () => void (awaitingBody = false),
  });
  while (true) {
    let next: IteratorResult<Uint8ArrayList>;
    try {
      next = await frames.next();
    } catch (cause) {
      throw lengthPrefixError(cause, max);
    }
    if (next.done) {
      if (awaitingBody) throw new FrameError("truncated", "the stream ended in the middle of a frame");
      return;
    }
    yield decodeFrame(next.value.subarray(), limits);
  }
}

function lengthPrefixError(cause: unknown, max: number): unknown {
  switch ((cause as { name?: string }).name) {
    case "InvalidDataLengthError":
      return new FrameError("oversized", `the length prefix announces more than ${max} bytes`, { cause });
    case "InvalidDataLengthLengthError":
    case "InvalidMessageLengthError":
      return new FrameError("malformed", "the length prefix is not a valid varint", { cause });
    case "UnexpectedEOFError":
      return new FrameError("truncated", "the stream ended in the middle of a frame", { cause });
    default:
      return cause; // the stream itself failed (reset, closed): not a framing problem
  }
}

function decodeErrorBody(body: Uint8Array): Frame {
  const parsed = parseJson(body, "an error frame body");
  const { code, message } = (parsed ?? {}) as { code?: unknown; message?: unknown };
  if (
    !isPlainObject(parsed) || Object.keys(parsed).length !== 2 || typeof code !== "string" ||
    typeof message !== "string" || code.length === 0 || code.length > MAX_ERROR_CODE
  ) {
    return fail("malformed", 'an error frame body must be {"code": string, "message": string}');
  }
  return { kind: "error", code, message };
}

function maxFrameBytes(limits: FrameLimits | undefined): number {
  const max = limits?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(max) || max < FRAME_HEADER_BYTES + 2) {
    throw new RangeError(`maxFrameBytes must be an integer >= ${FRAME_HEADER_BYTES + 2}, got ${max}`);
  }
  return max;
}

function checkSize(size: number, limits: FrameLimits | undefined): void {
  const max = maxFrameBytes(limits);
  if (size > max) throw new RangeError(`frame of ${size} bytes exceeds maxFrameBytes (${max})`);
}

function writeHeader(frame: Uint8Array, kind: number, count: number): Uint8Array {
  if (!Number.isInteger(count) || count < 0 || count > MAX_COUNT) {
    throw new RangeError(`frame count ${count} is out of range`);
  }
  frame[0] = FRAME_VERSION;
  frame[1] = kind;
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(2, count);
  return frame;
}
