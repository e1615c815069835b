/**
 * The messages inside a data frame. The body is a table of `count` entries (a tag byte and a
 * varint byte length each), then the payloads back to back:
 *
 * - tag 2, plain JSON: objects, arrays, strings, finite numbers, booleans and null, as JSON text;
 *   the common case and the fastest;
 * - tag 1, raw bytes: a top-level `Uint8Array`;
 * - tag 0, codec value: anything else the codec carries (dates, maps, bigints, nested bytes,
 *   registered classes), as the JSON text of its `Encoded` form (superjson inside).
 *
 * @module
 */
import { decode, describe, encode, type Encoded, isJsonPrimitive } from "../common/mod.ts";
import { FrameError, type FrameErrorReason } from "./errors.ts";

/** One message, encoded and ready to be put in a data frame. */
export interface MessageEntry {
  /** 0: the JSON text of a codec `Encoded` value; 1: raw bytes; 2: plain JSON text. */
  readonly tag: 0 | 1 | 2;
  /** The payload's length in bytes (UTF-8 for text). */
  readonly size: number;
  /** The payload of a text entry (tags 0 and 2); it is UTF-8 encoded when the frame is built. */
  readonly text?: string;
  /** The payload of a raw entry (tag 1). */
  readonly bytes?: Uint8Array;
}

const TAG_VALUE = 0;
const TAG_BYTES = 1;
const TAG_JSON = 2;
/** Nesting depth up to which a value is checked for the plain-JSON path (deeper goes through the codec). */
const MAX_JSON_DEPTH = 32;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bytes a message entry takes in a data frame body. */
export function entrySize(entry: MessageEntry): number {
  return 1 + varintLength(entry.size) + entry.size;
}

/**
 * Encodes one message: a `Uint8Array` as raw bytes, plain JSON data as its JSON text, anything
 * else through the codec.
 *
 * @throws {SerializationError} when the value cannot be carried (a function, an unregistered class).
 */
export function encodeMessage(message: unknown): MessageEntry {
  if (message instanceof Uint8Array && Object.getPrototypeOf(message) === Uint8Array.prototype) {
    return { tag: TAG_BYTES, size: message.length, bytes: message.slice() };
  }
  const tag = isPlainJson(message, 0) ? TAG_JSON : TAG_VALUE;
  const text = JSON.stringify(tag === TAG_JSON ? message : encode(message, "message"));
  return { tag, size: utf8Length(text), text };
}

/**
 * Encodes a message its caller built of plain JSON data alone (strings, finite numbers other than
 * -0, booleans, null, plain objects and arrays, and the codec's encoded values, which JSON carries
 * by design) as its JSON text, without walking it first: {@linkcode encodeMessage}'s check costs
 * more than `JSON.stringify` itself on a large message (a workflow's graph).
 */
export function encodeJsonMessage(message: unknown): MessageEntry {
  const text = JSON.stringify(message);
  return { tag: TAG_JSON, size: utf8Length(text), text };
}

/** Bytes the body of a data frame holding `entries` takes. */
export function dataBodySize(entries: readonly MessageEntry[]): number {
  let size = 0;
  for (const entry of entries) size += entrySize(entry);
  return size;
}

/**
 * Writes the body of a data frame at `at` in `frame`: the table of tags and lengths, then the
 * payloads. Runs of text payloads are encoded with one call, since per-message `TextEncoder` calls
 * cost more than the JSON itself.
 */
export function writeDataBody(entries: readonly MessageEntry[], frame: Uint8Array, at: number): void {
  for (const entry of entries) {
    frame[at++] = entry.tag;
    at = writeVarint(frame, at, entry.size);
  }
  let run: string[] = [];
  let runBytes = 0;
  const endRun = () => {
    if (run.length === 0) return;
    const written = textEncoder.encodeInto(run.length === 1 ? run[0] : run.join(""), frame.subarray(at)).written;
    if (written !== runBytes) throw new Error(`UTF-8 length mismatch: expected ${runBytes} bytes, wrote ${written}`);
    at += written;
    run = [];
    runBytes = 0;
  };
  for (const entry of entries) {
    if (entry.text !== undefined) {
      run.push(entry.text);
      runBytes += entry.size;
    } else {
      endRun();
      frame.set(entry.bytes!, at);
      at += entry.size;
    }
  }
  endRun();
}

/**
 * Reads the `count` messages of a data frame body; `sizes`, when given, gets the bytes each took
 * in the body (its table entry and its payload).
 *
 * @throws {FrameError} when the table or a payload is malformed or the sizes do not add up.
 */
export function readDataBody(body: Uint8Array, count: number, sizes?: number[]): unknown[] {
  if (count < 1) fail("malformed", "a data frame must carry at least 1 message");
  // Each table entry takes at least 2 bytes: refuse impossible counts before allocating anything.
  if (count > body.length / 2) fail("truncated", `${count} messages cannot fit in ${body.length} bytes`);
  const tags = new Uint8Array(count);
  const lengths = new Array<number>(count);
  let at = 0;
  let payload = 0;
  for (let i = 0; i < count; i++) {
    if (at >= body.length) fail("truncated", `${count} messages announced, the table ends after ${i}`);
    const tag = body[at++];
    if (tag !== TAG_VALUE && tag !== TAG_BYTES && tag !== TAG_JSON) {
      fail("malformed", `message ${i} has unknown tag ${tag}`);
    }
    const [size, next] = readVarint(body, at, i);
    tags[i] = tag;
    lengths[i] = size;
    if (sizes !== undefined) sizes[i] = next - at + 1 + size;
    payload += size;
    at = next;
  }
  if (payload > body.length - at) fail("truncated", `the payloads need ${payload} bytes, ${body.length - at} remain`);
  if (payload < body.length - at) fail("malformed", `${body.length - at - payload} bytes after the last payload`);
  const messages = new Array<unknown>(count);
  for (let i = 0; i < count; i++) {
    const bytes = body.subarray(at, at + lengths[i]);
    at += lengths[i];
    messages[i] = tags[i] === TAG_BYTES
      ? bytes.slice()
      : tags[i] === TAG_JSON
      ? parseJson(bytes, `message ${i}`)
      : decodeValue(bytes, i);
  }
  return messages;
}

/** Parses UTF-8 JSON; `what` names it in the FrameError. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(textDecoder.decode(bytes));
  } catch (cause) {
    return fail("malformed", `${what} is not UTF-8 JSON (${describe(cause)})`, cause);
  }
}

function decodeValue(bytes: Uint8Array, index: number): unknown {
  const parsed = parseJson(bytes, `message ${index}`);
  if (!isEncoded(parsed)) return fail("malformed", `message ${index} is not an encoded value`);
  try {
    return decode(parsed);
  } catch (cause) {
    return fail("malformed", `message ${index} cannot be decoded (${describe(cause)})`, cause);
  }
}

/**
 * Whether JSON carries `value` exactly: plain objects and dense arrays of strings, finite numbers
 * (not -0), booleans and null, with no `undefined` members, symbol keys or `toJSON` methods.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return isJsonPrimitive(value);
  if (depth >= MAX_JSON_DEPTH) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      if (!(i in array) || !isPlainJson(array[i], depth + 1)) return false;
    }
    return true;
  }
  if (proto !== Object.prototype) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false; // an enumerable inherited key: not plain
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}

/** A non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Any JSON primitive, as an encoded value's fields may hold after a JSON round trip. */
function isLooseJsonPrimitive(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Whether parsed JSON has exactly the shape of the codec's `Encoded`. */
function isEncoded(value: unknown): value is Encoded {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  const onlyKeys = (...allowed: string[]) => keys.every((key) => allowed.includes(key));
  switch (value.t) {
    case "p":
      return onlyKeys("t", "v") && (!("v" in value) || isLooseJsonPrimitive(value.v));
    case "a":
      return keys.length === 2 && onlyKeys("t", "v") && Array.isArray(value.v) && value.v.every(isLooseJsonPrimitive);
    case "j": // any parsed JSON is plain JSON data
      return keys.length === 2 && onlyKeys("t", "v");
    case "s": {
      const inner = value.v;
      if (keys.length !== 2 || !onlyKeys("t", "v") || !isPlainObject(inner) || !("json" in inner)) return false;
      const innerKeys = Object.keys(inner);
      return innerKeys.every((key) => key === "json" || key === "meta") &&
        (inner.meta === undefined || isPlainObject(inner.meta));
    }
    default:
      return false;
  }
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

function writeVarint(target: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    target[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 0x80);
  }
  target[at++] = value;
  return at;
}

/** The UTF-8 length of `text` as TextEncoder writes it (a lone surrogate becomes 3-byte U+FFFD). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        bytes += 2; // two code units, four bytes
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** Reads an unsigned varint of at most 4 bytes (a body is far below 2^28 bytes). */
function readVarint(source: Uint8Array, at: number, index: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (at >= source.length) return fail("truncated", `message ${index} ends inside its length`);
    const byte = source[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      if (byte === 0 && shift > 0) fail("malformed", `message ${index} has a non-minimal length`);
      return [value, at];
    }
  }
  return fail("malformed", `message ${index} has a length longer than 4 bytes`);
}

/** Throws the {@linkcode FrameError} of a frame that breaks `reason`'s rule. */
export function fail(reason: FrameErrorReason, detail: string, cause?: unknown): never {
  throw new FrameError(reason, detail, cause === undefined ? undefined : { cause });
}
