/**
 * How the event log lays out its keys and values in a {@linkcode Backend}.
 *
 * Keys: `r/<first seq>` for a record (a group-committed batch of events), `c/<seq>` for a
 * checkpoint, `m/schema` for the log's own metadata; a seq is 16 zero-padded hex digits, so keys
 * sort by seq. Every value is a frame:
 *
 * | bytes | field |
 * |---|---|
 * | 0 | magic `0xAE` |
 * | 1 | schema version |
 * | 2–5 | item count, u32 big-endian (events in a record; 1 otherwise) |
 * | 6–9 | CRC-32 of the payload, u32 big-endian |
 * | 10– | payload: UTF-8 JSON (an array of events for a record) |
 *
 * @module
 */

import { LogCorruptedError, SchemaVersionError } from "../common/errors.ts";
import { crc32 } from "./crc32.ts";

/** The event schema this version of Actant writes, and the newest it reads. */
export const EVENT_SCHEMA_VERSION = 1;

/** First byte of every frame: tells our values from anything else under the same keys. */
const MAGIC = 0xae;
/** Bytes before the payload. */
export const HEADER_SIZE = 10;

/** Key prefix of records. */
export const RECORD_PREFIX = "r/";
/** Key prefix of checkpoints. */
export const CHECKPOINT_PREFIX = "c/";
/** Key of the log's metadata frame. */
export const META_KEY = "m/schema";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The key for `seq` under `prefix`. */
export function seqKey(prefix: string, seq: number): string {
  return prefix + seq.toString(16).padStart(16, "0");
}

/** The seq in a key written by {@linkcode seqKey}, or `undefined` for any other key. */
export function keySeq(prefix: string, key: string): number | undefined {
  if (!key.startsWith(prefix) || key.length !== prefix.length + 16) return undefined;
  const hex = key.slice(prefix.length);
  return /^[0-9a-f]{16}$/.test(hex) ? Number.parseInt(hex, 16) : undefined;
}

/** The first key after every key that starts with `prefix` (prefixes end in `/`, so bump it). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Builds a frame around JSON text (already serialized, so a bad value failed at its caller). */
export function encodeFrame(count: number, json: string): Uint8Array {
  const frame = new Uint8Array(HEADER_SIZE + json.length * 3); // UTF-8's worst case
  const { written } = encoder.encodeInto(json, frame.subarray(HEADER_SIZE));
  return sealFrame(frame.subarray(0, HEADER_SIZE + written), count);
}

/** Writes the header of `frame`, whose payload follows its first HEADER_SIZE bytes; returns it. */
export function sealFrame(frame: Uint8Array, count: number): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  frame[0] = MAGIC;
  frame[1] = EVENT_SCHEMA_VERSION;
  view.setUint32(2, count);
  view.setUint32(6, crc32(frame.subarray(HEADER_SIZE)));
  return frame;
}

/** What a stored frame turned out to be. */
export type FrameCheck =
  | { kind: "ok"; count: number; payload: Uint8Array }
  /** Torn or damaged: too short, wrong magic, or a checksum that does not match. */
  | { kind: "damaged"; reason: string }
  /** Written by a newer Actant: its layout may differ, so nothing past the version is read. */
  | { kind: "newer"; version: number };

/** Checks a frame's header and checksum without parsing its payload. */
export function checkFrame(frame: Uint8Array): FrameCheck {
  if (frame.length < HEADER_SIZE) {
    return { kind: "damaged", reason: `only ${frame.length} bytes, shorter than its header` };
  }
  if (frame[0] !== MAGIC) return { kind: "damaged", reason: `bad magic byte 0x${frame[0].toString(16)}` };
  const version = frame[1];
  if (version > EVENT_SCHEMA_VERSION) return { kind: "newer", version };
  if (version < 1) return { kind: "damaged", reason: `invalid schema version ${version}` };
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const payload = frame.subarray(HEADER_SIZE);
  const expected = view.getUint32(6);
  const actual = crc32(payload);
  if (actual !== expected) {
    return {
      kind: "damaged",
      reason: `checksum mismatch: stored ${hex32(expected)}, computed ${hex32(actual)} over ${payload.length} bytes`,
    };
  }
  return { kind: "ok", count: view.getUint32(2), payload };
}

/**
 * The payload of a stored frame, or the error recovery raises for it: `where` names the frame in
 * the message, `seq` is the one a {@linkcode LogCorruptedError} reports.
 */
export function intactPayload(frame: Uint8Array, seq: number, where: string): Uint8Array {
  const check = checkFrame(frame);
  if (check.kind === "newer") throw new SchemaVersionError(check.version, EVENT_SCHEMA_VERSION, where);
  if (check.kind === "damaged") throw new LogCorruptedError(seq, `${where}: ${check.reason}`);
  return check.payload;
}

/** Parses the JSON payload of a frame that passed {@linkcode checkFrame}. */
export function parsePayload(payload: Uint8Array): unknown {
  return JSON.parse(decoder.decode(payload));
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
