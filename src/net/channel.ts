/**
 * A message channel over one libp2p stream, exposed as a pair of Web Streams.
 *
 * Messages written in the same tick go out as one data frame (libp2p's cost is per frame, not per
 * message). Flow control is credit-based (`./credit.ts`): the sender never has more than the
 * receiver's window of unacknowledged messages in flight, and the receiver grants more as its
 * consumer reads. A peer that sends a bad frame or exceeds its credit gets an error frame and that
 * stream is closed; the node is not affected.
 *
 * Each side ends its direction with an end frame (`writable.close()`); the stream is closed once
 * both directions have ended.
 *
 * @module
 */
/** Default receive window: messages the peer may send before it has to wait for credit. */
export const DEFAULT_WINDOW = 1024;

/** Options of {@linkcode createChannel}. */
export interface ChannelOptions {
  /**
   * Most messages the peer may have in flight towards us, unacknowledged (our receive window).
   * Credit goes back as our consumer reads. Default {@linkcode DEFAULT_WINDOW}.
   */
  window?: number;
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
  /** Messages received that our consumer has not read yet. */
  readonly buffered: number;
  /** The highest `buffered` so far; never above our window. */
  readonly peakBuffered: number;
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
   * Messages to the peer: plain data, `Uint8Array`s, or anything the codec carries. A message
   * that cannot be encoded (or exceeds a frame) fails the whole channel with that error.
   */
  readonly writable: WritableStream<Out>;
  /** Settles when both sides have ended and the stream is closed; rejects if the channel failed. */
  readonly closed: Promise<void>;
  /** Live counters. */
  readonly stats: ChannelStats;
  /** Fails the channel: the peer gets an error frame with `reason`, then the stream is closed. */
  abort(reason?: unknown): void;
}
