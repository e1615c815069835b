/**
 * The implementation of {@linkcode Channel} over one libp2p stream (see `./channel.ts` for what
 * it promises): data frames per turn of the event loop, credit-based flow control, end and error frames.
 *
 * @module
 */
import type { Stream } from "@libp2p/interface";
import type { Channel, ChannelOptions, ChannelStats, Outgoing } from "./channel.ts";
import { Uint8ArrayList } from "uint8arraylist";
import { describe } from "../common/mod.ts";
import { ReceiveCredit, SendCredit } from "./credit.ts";
import { ChannelClosedError, FrameError, RemoteChannelError } from "./errors.ts";
import { EncodedBatch, EncodedMessage, encodeForChannel } from "./encoded_message.ts";
import { replyWithError } from "./error_reply.ts";
import {
  encodeDataFrame,
  encodeFrame,
  type Frame,
  FRAME_HEADER_BYTES,
  type FrameLimits,
  lengthPrefixed,
  type MessageEntry,
  readFrames,
} from "./frames.ts";
import { channelLimits } from "./channel_limits.ts";
import { Fifo } from "./fifo.ts";
import { Inbox } from "./inbox.ts";
import { SettleScheduler } from "./settle.ts";

/**
 * Wraps a libp2p stream (either end) as a {@linkcode Channel}. Both ends of a stream must use it.
 *
 * @example
 * ```ts
 * import type { Connection } from "@libp2p/interface";
 *
 * // `connection` leads to a peer that serves the protocol with a channel too.
 * async function echoThree(connection: Connection): Promise<void> {
 *   const channel = createChannel(await connection.newStream("/actant/echo/1"));
 *   const writer = channel.writable.getWriter();
 *   for (let i = 0; i < 3; i++) writer.write({ seq: i }); // one frame
 *   await writer.close();
 *   for await (const reply of channel.readable) console.log(reply);
 * }
 * ```
 */
export function createChannel<In = unknown, Out = unknown>(stream: Stream, options?: ChannelOptions): Channel<In, Out> {
  return new StreamChannel<In, Out>(stream, options ?? {});
}

/** A {@linkcode Channel} over `stream`; built by {@linkcode createChannel}. */
class StreamChannel<In, Out> implements Channel<In, Out> {
  readonly readable: ReadableStream<In>;
  readonly writable: WritableStream<Outgoing<Out>>;
  readonly closed: Promise<void>;

  readonly #stream: Stream;
  readonly #maxFrameBytes: number;
  /** `#maxFrameBytes` as frame encoding and decoding take it, made once rather than per frame. */
  readonly #limits: FrameLimits;
  readonly #closing = Promise.withResolvers<void>();
  #failure: Error | undefined;
  #finished = false;

  // Sending: messages with credit wait in the outbox until the batch settles.
  readonly #sendCredit = new SendCredit();
  readonly #batch = new SettleScheduler(() => this.#flush());
  #creditWaiter: PromiseWithResolvers<void> | undefined;
  /**
   * Messages written and not yet taken by the sink, encoded when written (the writable's size
   * strategy encodes, so its queue is bounded in bytes), or why they could not be.
   */
  readonly #encodedQueue = new Fifo<EncodedMessage | EncodedBatch | Error>();
  #outbox: MessageEntry[] = [];
  #outboxBytes = 0;
  #endPending = false;
  #needsDrain = false;
  #localEnded = false;
  #dataFrames = 0;
  #sends = 0;

  // Receiving: messages wait in the inbox until the consumer pulls them.
  readonly #receiveCredit: ReceiveCredit;
  readonly #inbox = new Inbox<In>();
  #received = 0;
  #readController!: ReadableStreamDefaultController<In>;
  #writeController!: WritableStreamDefaultController;
  #pullWaiter: (() => void) | undefined;
  #readableDone = false;
  #remoteEnded = false;

  constructor(stream: Stream, options: ChannelOptions) {
    this.#stream = stream;
    const limits = channelLimits(options);
    this.#maxFrameBytes = limits.maxFrameBytes;
    this.#receiveCredit = new ReceiveCredit(limits.window, limits.windowBytes);
    this.#limits = { maxFrameBytes: this.#maxFrameBytes };
    // Each message weighs its bytes, and at least its share of the window: the writer's queue is
    // bounded by the window in messages and in bytes, whichever it reaches first.
    const window = this.#receiveCredit.window;
    const leastWeight = Math.ceil(window.bytes / window.messages);
    this.closed = this.#closing.promise;
    this.closed.catch(() => {}); // the failure also reaches readable and writable; never unhandled
    this.readable = new ReadableStream<In>({
      start: (controller) => void (this.#readController = controller),
      pull: () => this.#pull(),
      cancel: () => this.#cancelReadable(),
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Outgoing<Out>>({
      start: (controller) => void (this.#writeController = controller),
      write: () => this.#write(),
      close: () => this.#closeWritable(),
      abort: (reason) => this.#fail(asError(reason, "the writer aborted"), true),
    }, { highWaterMark: window.bytes, size: (message) => this.#encode(message, leastWeight) });
    this.#batch.touch(); // sends our window as the first credit grant
    void this.#readLoop();
  }

  get stats(): ChannelStats {
    return {
      sent: this.#sendCredit.sent,
      received: this.#received,
      inFlight: this.#sendCredit.inFlight,
      peakInFlight: this.#sendCredit.peakInFlight,
      inFlightBytes: this.#sendCredit.inFlightBytes,
      peakInFlightBytes: this.#sendCredit.peakInFlightBytes,
      buffered: this.#inbox.length,
      peakBuffered: this.#inbox.peak,
      bufferedBytes: this.#inbox.bytes,
      peakBufferedBytes: this.#inbox.peakBytes,
      dataFrames: this.#dataFrames,
      sends: this.#sends,
    };
  }

  abort(reason?: unknown): void {
    this.#fail(asError(reason, "the channel was aborted"), true);
  }

  // ---- writing -------------------------------------------------------------------------------

  /**
   * The writable's size strategy: encodes a message as it is written (once), queues the result
   * for the sink, and weighs it by its bytes (each message at least `leastWeight`). A failure is
   * queued too, for the sink to fail with.
   */
  #encode(message: Outgoing<Out>, leastWeight: number): number {
    let encoded: EncodedMessage | EncodedBatch | Error;
    try {
      encoded = message instanceof EncodedMessage || message instanceof EncodedBatch
        ? message
        : encodeForChannel(message, this.#maxFrameBytes);
    } catch (error) {
      encoded = error instanceof Error ? error : new Error(describe(error));
    }
    this.#encodedQueue.push(encoded);
    if (encoded instanceof Error) return 0;
    if (encoded instanceof EncodedMessage) return Math.max(leastWeight, encoded.size);
    let weight = 0;
    for (const one of encoded.messages) weight += Math.max(leastWeight, one.size);
    return weight;
  }

  #write(): void | Promise<void> {
    const encoded = this.#encodedQueue.shift()!; // one per write, queued by #encode
    if (this.#failure) throw this.#failure;
    if (encoded instanceof Error) {
      // The writable is errored by this throw and can never send its end frame: fail it all.
      this.#fail(encoded, true);
      throw encoded;
    }
    if (encoded instanceof EncodedMessage) {
      if (!this.#needsDrain && this.#sendCredit.spend(encoded.size)) return this.#enqueue(encoded);
      return this.#writeWhenAllowed(encoded);
    }
    const messages = encoded.messages;
    for (let i = 0; i < messages.length; i++) {
      if (this.#needsDrain || !this.#sendCredit.spend(messages[i].size)) return this.#writeRestWhenAllowed(messages, i);
      this.#enqueue(messages[i]);
    }
  }

  /** The rest of a batch, from `from` on, each message once it is allowed (as `#writeWhenAllowed`). */
  async #writeRestWhenAllowed(messages: readonly EncodedMessage[], from: number): Promise<void> {
    for (let i = from; i < messages.length; i++) await this.#writeWhenAllowed(messages[i]);
  }

  async #writeWhenAllowed(encoded: EncodedMessage): Promise<void> {
    if (this.#needsDrain) await this.#drain();
    while (!this.#sendCredit.spend(encoded.size)) {
      const window = this.#sendCredit.window;
      if (window !== undefined && encoded.size > window.bytes) {
        const error = new RangeError(
          `a message of ${encoded.size} bytes exceeds the peer's receive window of ${window.bytes} bytes`,
        );
        this.#fail(error, true);
        throw error;
      }
      this.#flush();
      this.#creditWaiter = Promise.withResolvers<void>();
      await this.#creditWaiter.promise;
    }
    this.#enqueue(encoded);
  }

  /** Puts a message that has credit in the batch. */
  #enqueue({ entry, size }: EncodedMessage): void {
    if (this.#outboxBytes + size > this.#maxFrameBytes - FRAME_HEADER_BYTES) this.#flush();
    this.#outbox.push(entry);
    this.#outboxBytes += size;
    if (this.#sendCredit.available === 0) this.#flush(); // the peer can take no more: send now
    else this.#batch.touch();
  }

  async #closeWritable(): Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#endPending = true;
    this.#flush();
    this.#localEnded = true;
    if (this.#needsDrain) await this.#drain();
    this.#maybeFinish();
  }

  async #drain(): Promise<void> {
    try {
      await this.#stream.onDrain();
      this.#needsDrain = false;
    } catch (cause) {
      throw this.#failure ?? new ChannelClosedError(`the stream closed while sending (${describe(cause)})`, { cause });
    }
  }

  /** Hands the pending credit grant, the batch and the end frame to the stream in one `send()`. */
  #flush(): void {
    if (this.#failure !== undefined || this.#finished) return;
    const list = new Uint8ArrayList();
    const grant = this.#remoteEnded ? undefined : this.#receiveCredit.takeGrant();
    if (grant !== undefined) {
      list.append(lengthPrefixed(encodeFrame({ kind: "credit", credit: grant.messages, bytes: grant.bytes })));
    }
    if (this.#outbox.length > 0) {
      list.append(lengthPrefixed(encodeDataFrame(this.#outbox, this.#limits)));
      this.#dataFrames++;
      this.#outbox = [];
      this.#outboxBytes = 0;
    }
    if (this.#endPending) {
      list.append(lengthPrefixed(encodeFrame({ kind: "end" })));
      this.#endPending = false;
    }
    if (list.byteLength === 0) return;
    try {
      if (!this.#stream.send(list)) this.#needsDrain = true;
      this.#sends++;
    } catch (cause) {
      this.#fail(new ChannelClosedError(`the stream refused data (${describe(cause)})`, { cause }), false);
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  async #readLoop(): Promise<void> {
    try {
      for await (const frame of readFrames(this.#stream, this.#limits)) {
        this.#onFrame(frame);
        if (this.#failure !== undefined) return;
      }
      if (!this.#remoteEnded) throw new ChannelClosedError("the peer closed the stream without ending the channel");
    } catch (error) {
      if (error instanceof FrameError) this.#fail(error, true);
      else if (error instanceof ChannelClosedError) this.#fail(error, false);
      else this.#fail(new ChannelClosedError(`the stream failed (${describe(error)})`, { cause: error }), false);
    }
  }

  #onFrame(frame: Frame): void {
    switch (frame.kind) {
      case "data":
        return this.#onData(frame.messages as In[], frame.sizes!);
      case "credit": {
        this.#sendCredit.receive(frame.credit, frame.bytes);
        const waiter = this.#creditWaiter;
        this.#creditWaiter = undefined;
        return waiter?.resolve();
      }
      case "end":
        if (this.#remoteEnded) throw new FrameError("malformed", "a second end frame");
        this.#remoteEnded = true;
        this.#wakeReader();
        return this.#maybeFinish();
      case "error":
        return this.#fail(new RemoteChannelError(frame.code, frame.message), false);
    }
  }

  #onData(messages: In[], sizes: readonly number[]): void {
    if (this.#remoteEnded) throw new FrameError("malformed", "a data frame after the end frame");
    let bytes = 0;
    for (const size of sizes) bytes += size;
    this.#receiveCredit.arrive(messages.length, bytes);
    this.#received += messages.length;
    if (this.#readableDone) return this.#consumed(messages.length, bytes); // nobody reads: drop, keep the peer moving
    this.#inbox.add(messages, bytes);
    this.#wakeReader();
  }

  #pull(): void | Promise<void> {
    // The stream pulls only once its queue is empty: what was handed over has all been read.
    const read = this.#inbox.read();
    if (read.count > 0) this.#consumed(read.count, read.bytes);
    if (this.#deliver()) return;
    return new Promise<void>((resolve) => {
      this.#pullWaiter = () => {
        this.#deliver();
        resolve();
      };
    });
  }

  /** Gives the consumer every message received, or ends the readable; false when there is nothing yet. */
  #deliver(): boolean {
    if (this.#readableDone) return true; // closed, cancelled, or errored by #fail
    if (this.#inbox.waiting > 0) {
      this.#inbox.handOver(this.#handOne);
      return true;
    }
    if (!this.#remoteEnded) return false;
    this.#readableDone = true;
    this.#readController.close();
    this.#maybeFinish();
    return true;
  }

  readonly #handOne = (message: In): void => this.#readController.enqueue(message);

  #wakeReader(): void {
    const waiter = this.#pullWaiter;
    this.#pullWaiter = undefined;
    waiter?.();
  }

  #consumed(count: number, bytes: number): void {
    if (this.#receiveCredit.consume(count, bytes)) this.#batch.touch();
  }

  /** The consumer lost interest: what comes is dropped, and credited back so the peer can finish. */
  #cancelReadable(): void {
    this.#readableDone = true;
    const dropped = this.#inbox.drop();
    if (dropped.count > 0) this.#consumed(dropped.count, dropped.bytes);
  }

  // ---- ending --------------------------------------------------------------------------------

  /** Closes the stream once both directions have ended (a cancelled reader still drains to the end). */
  #maybeFinish(): void {
    if (this.#finished || this.#failure !== undefined || !this.#localEnded || !this.#remoteEnded) return;
    this.#finished = true;
    this.#stream.close().then(this.#closing.resolve, (cause: unknown) => {
      this.#closing.reject(new ChannelClosedError(`the stream did not close cleanly (${describe(cause)})`, { cause }));
    });
  }

  /**
   * Fails both directions with `error`. With `reply`, the peer gets an error frame first (see
   * `replyWithError`); without, the stream is reset at once.
   */
  #fail(error: Error, reply: boolean): void {
    if (this.#failure !== undefined || this.#finished) return;
    this.#failure = error;
    if (!this.#readableDone) {
      this.#readableDone = true;
      this.#readController.error(error);
    }
    this.#writeController.error(error);
    this.#creditWaiter?.reject(error);
    this.#creditWaiter = undefined;
    this.#wakeReader();
    this.#closing.reject(error);
    if (reply) void replyWithError(this.#stream, error);
    else this.#stream.abort(error);
  }
}

function asError(reason: unknown, fallback: string): Error {
  if (reason instanceof Error) return reason;
  return new ChannelClosedError(reason === undefined ? fallback : describe(reason));
}
