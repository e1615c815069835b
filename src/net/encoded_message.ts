/**
 * A message encoded once for a channel. A sender that must not lose its channel to one bad message
 * (a result too big, a value the codec cannot carry) encodes it first with
 * {@linkcode encodeForChannel}, answers the failure itself, and writes the encoded form: the
 * channel then sends those bytes as they are, without encoding the message again.
 *
 * @module
 */
import {
  DEFAULT_MAX_FRAME_BYTES,
  encodeJsonMessage,
  encodeMessage,
  entrySize,
  FRAME_HEADER_BYTES,
  type MessageEntry,
} from "./frames.ts";

/** A message of type `T`, encoded for a channel by {@linkcode encodeForChannel}. */
export class EncodedMessage<T = unknown> {
  /** What the message takes in a data frame's body. */
  readonly size: number;
  /** The encoded entry, as the frame carries it. */
  readonly entry: MessageEntry;
  /** The message itself: what an in-process pipe (`messagePipe`) hands on instead of the bytes. */
  readonly value: T;

  constructor(value: T, entry: MessageEntry) {
    this.value = value;
    this.entry = entry;
    this.size = entrySize(entry);
  }
}

/**
 * Messages encoded for a channel, written as one chunk: what a sender writes in one turn goes to
 * the channel in one write (a Web Streams write costs a few promises, whatever it carries), and
 * the channel sends and counts them as the messages they are.
 */
export class EncodedBatch<T = unknown> {
  readonly messages: readonly EncodedMessage<T>[];

  constructor(messages: readonly EncodedMessage<T>[]) {
    this.messages = messages;
  }
}

/**
 * Encodes `message` for a channel whose frames hold at most `maxFrameBytes`; with `plainJson`, a
 * message its caller built of plain JSON data alone, as its JSON text without checking it (see
 * `encodeJsonMessage`).
 *
 * @example
 * ```ts
 * const encoded = encodeForChannel({ op: "done", key: 1, ok: true });
 * encoded.size; // 36: what it takes in a frame
 * ```
 * @throws {SerializationError} when the codec cannot carry the value (a function, an unregistered class).
 * @throws {RangeError} when the encoded message does not fit in a frame.
 */
export function encodeForChannel<T>(
  message: T,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
  plainJson = false,
): EncodedMessage<T> {
  const encoded = new EncodedMessage<T>(message, plainJson ? encodeJsonMessage(message) : encodeMessage(message));
  if (FRAME_HEADER_BYTES + encoded.size > maxFrameBytes) {
    throw new RangeError(
      `a message of ${encoded.entry.size} bytes does not fit in a frame of ${maxFrameBytes} bytes`,
    );
  }
  return encoded;
}
