/**
 * A message channel over one libp2p stream, exposed as a pair of Web Streams.
 *
 * Messages written in one turn of the event loop go out as one data frame (libp2p's cost is per frame, not per
 * message): the channel is the only place that batches. Each message is encoded once, when it is
 * written (or before, by the writer, with `encodeForChannel`). Flow control is credit-based
 * (`./credit.ts`), in messages and in bytes: the sender never has more than the receiver's window
 * of either unacknowledged, and the receiver grants more as its consumer reads. A peer that sends
 * a bad frame or exceeds its credit gets an error frame and that stream is closed; the node is not
 * affected.
 *
 * Each side ends its direction with an end frame (`writable.close()`); the stream is closed once
 * both directions have ended.
 *
 * @module
 */
import type { EncodedBatch, EncodedMessage } from "./encoded_message.ts";

/** Default receive window: messages the peer may send before it has to wait for credit. */
export const DEFAULT_WINDOW = 8192;
/** Default receive window in bytes (4 MiB: four of the largest frames by default). */
export const DEFAULT_WINDOW_BYTES = 4 * 1024 * 1024;

/** Options of {@linkcode createChannel}. */
export interface ChannelOptions {
  /**
   * Most messages the peer may have in flight towards us, unacknowledged (our receive window).
   * Credit goes back as our consumer reads. Default {@linkcode DEFAULT_WINDOW}.
   */
  window?: number;
  /**
   * Most bytes of messages the peer may have in flight towards us, unacknowledged; at least
   * `maxFrameBytes`. Default {@linkcode DEFAULT_WINDOW_BYTES}. The same bound holds what our
   * writer may queue before `writer.ready` waits.
   */
  windowBytes?: number;
  /** Largest frame sent or accepted, in bytes. Default `DEFAULT_MAX_FRAME_BYTES` (1 MiB). */
  maxFrameBytes?: number;
}

/** Counters of one channel. */
export interface ChannelStats {
  /** Messages handed to the stream. */
  readonly sent: number;
  /** Messages received from the peer. */
  readonly received: number;
  /** Messages sent that the peer has not acknowledged (granted credit back for) yet. */
  readonly inFlight: number;
  /** The highest `inFlight` so far; never above the peer's window. */
  readonly peakInFlight: number;
  /** Bytes of the messages in flight. */
  readonly inFlightBytes: number;
  /** The highest `inFlightBytes` so far; never above the peer's window in bytes. */
  readonly peakInFlightBytes: number;
  /** Messages received that our consumer has not read yet. */
  readonly buffered: number;
  /** The highest `buffered` so far; never above our window. */
  readonly peakBuffered: number;
  /** Bytes of the buffered messages. */
  readonly bufferedBytes: number;
  /** The highest `bufferedBytes` so far; never above our window in bytes. */
  readonly peakBufferedBytes: number;
  /** Data frames sent: many messages share one. */
  readonly dataFrames: number;
  /** `send()` calls on the stream; each carries the pending credit, data and control frames. */
  readonly sends: number;
}

/** A message channel over one stream. */
export interface Channel<In = unknown, Out = unknown> {
  /**
   * Messages from the peer, in the order it wrote them. Ends when the peer closes its writable.
   * `cancel()` drops whatever the peer still sends (crediting it back, so the peer can finish).
   */
  readonly readable: ReadableStream<In>;
  /**
   * Messages to the peer: plain data, `Uint8Array`s, anything the codec carries, or messages
   * encoded already by `encodeForChannel` (alone, or many in an `EncodedBatch`). A message that
   * cannot be encoded (or exceeds a frame) fails the whole channel with that error: a writer that
   * must survive one encodes it first.
   */
  readonly writable: WritableStream<Outgoing<Out>>;
  /** Settles when both sides have ended and the stream is closed; rejects if the channel failed. */
  readonly closed: Promise<void>;
  /** Live counters. */
  readonly stats: ChannelStats;
  /** Fails the channel: the peer gets an error frame with `reason`, then the stream is closed. */
  abort(reason?: unknown): void;
}

/** One end of a message pipe: a channel, or an in-process pair (`messagePipe`). */
export type MessageEnd<In, Out> = {
  readonly readable: ReadableStream<In>;
  readonly writable: WritableStream<Outgoing<Out>>;
};

/** What a channel's writable takes: a message, one encoded already, or a batch of encoded ones. */
export type Outgoing<Out> = Out | EncodedMessage<Out> | EncodedBatch<Out>;
