/**
 * Writing protocol messages to a channel (or an in-process pipe) without losing the channel to
 * one bad message: each message is encoded once, here, and one that cannot be (a value the codec
 * does not carry, a result too big for a frame) is handed to `refused`, which answers it in its
 * place, while the channel and the messages around it go on.
 *
 * What is sent in one run of the event loop's microtasks goes to the channel as one write (an
 * {@linkcode EncodedBatch}): a Web Streams write costs a few promises whatever it carries, and an
 * owner answering tens of thousands of messages a second would pay them per message.
 *
 * @module
 */
import type { Outgoing } from "./channel.ts";
import { EncodedBatch, type EncodedMessage, encodeForChannel } from "./encoded_message.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "./frames.ts";

/** Options of {@linkcode MessageSender}. */
export interface MessageSenderOptions<T> {
  /**
   * Gets a message that cannot be encoded; returns what to send in its place, or `undefined` to
   * send nothing (its sender has been told some other way). Default: nothing is sent.
   */
  refused?: (message: T, error: Error) => T | undefined;
  /** Hears of a failed write: the channel broke. */
  onError?: (error: unknown) => void;
  /** Largest frame of the channel. Default `DEFAULT_MAX_FRAME_BYTES`. */
  maxFrameBytes?: number;
}

/** Writes messages of type `T`, each encoded once. */
export class MessageSender<T> {
  readonly #writer: WritableStreamDefaultWriter<Outgoing<T>>;
  /** Messages sent since the last write: they go out together once the current microtasks have run. */
  #pending: EncodedMessage<T>[] = [];
  readonly #refused: (message: T, error: Error) => T | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #maxFrameBytes: number;

  constructor(writable: WritableStream<Outgoing<T>>, options: MessageSenderOptions<T> = {}) {
    this.#writer = writable.getWriter();
    this.#refused = options.refused ?? (() => undefined);
    this.#onError = options.onError ?? (() => {});
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /**
   * Encodes `message` and writes it; one that cannot be encoded goes to `refused` instead. With
   * `plainJson`, the caller built it of plain JSON data alone (see `encodeJsonMessage`): its JSON
   * text goes as it is, unchecked.
   */
  send(message: T, plainJson = false): void {
    let encoded: EncodedMessage<T>;
    try {
      encoded = encodeForChannel(message, this.#maxFrameBytes, plainJson);
    } catch (error) {
      const replacement = this.#refused(message, error instanceof Error ? error : new Error(String(error)));
      if (replacement === undefined) return;
      // A replacement is a small error answer: if even that cannot go, the channel fails with it.
      this.#writePending(); // after what was sent before it
      return void this.#writer.write(replacement).catch(this.#onError);
    }
    if (this.#pending.push(encoded) === 1) queueMicrotask(this.#writePending);
  }

  readonly #writePending = (): void => {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    this.#writer.write(pending.length === 1 ? pending[0] : new EncodedBatch(pending)).catch(this.#onError);
  };

  /** Resolves when the channel has room again: readers await it so that answers cannot pile up unsent. */
  ready(): Promise<void> {
    return this.#writer.ready;
  }

  /** Whether the channel has room now (then `ready()` would resolve at once, a turn of the loop later). */
  get hasRoom(): boolean {
    const room = this.#writer.desiredSize;
    return room !== null && room > 0;
  }

  /** Ends our side once what was sent has gone. */
  close(): Promise<void> {
    this.#writePending();
    return this.#writer.close();
  }

  /** Fails our side at once (what was sent and not written yet is dropped). */
  abort(reason: unknown): Promise<void> {
    this.#pending = [];
    return this.#writer.abort(reason);
  }
}
