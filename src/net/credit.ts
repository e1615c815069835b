/**
 * Credit-based flow control for one channel, as plain bookkeeping (the channel owns the I/O).
 *
 * The receiver grants its window, in messages and in bytes, when the channel opens, then grants
 * again, in batches, as its consumer reads; the sender spends one message and the message's bytes
 * for each message, and waits when either runs out. So a sender never has more than the
 * receiver's window of messages, nor of bytes, unacknowledged, and a receiver never buffers more.
 *
 * @module
 */
import { FrameError } from "./errors.ts";

/** Largest credit a sender may hold in either unit (the frame's fields are u32s). */
const MAX_CREDIT = 0xffff_ffff;
/** Largest receive window in messages. */
const MAX_WINDOW = 1_000_000;

/** A grant of credit: messages and bytes the peer may send on top of what it was granted so far. */
export interface Grant {
  readonly messages: number;
  readonly bytes: number;
}

/** The sender's side: credit granted by the peer, what was sent, what was acknowledged. */
export class SendCredit {
  /** Messages that may be sent now. */
  available = 0;
  /** Bytes that may be sent now. */
  availableBytes = 0;
  /** Messages sent so far. */
  sent = 0;
  /** Bytes sent so far. */
  sentBytes = 0;
  /** The highest number of unacknowledged messages so far. */
  peakInFlight = 0;
  /** The highest number of unacknowledged bytes so far. */
  peakInFlightBytes = 0;
  /** The peer's window, known from its first grant. */
  window: Grant | undefined;
  #acknowledged = 0;
  #acknowledgedBytes = 0;

  /** Messages sent and not acknowledged yet. */
  get inFlight(): number {
    return this.sent - this.#acknowledged;
  }

  /** Bytes sent and not acknowledged yet. */
  get inFlightBytes(): number {
    return this.sentBytes - this.#acknowledgedBytes;
  }

  /** Spends the credit of one message of `bytes` about to be sent; false when there is not enough. */
  spend(bytes: number): boolean {
    if (this.available === 0 || this.availableBytes < bytes) return false;
    this.available--;
    this.availableBytes -= bytes;
    this.sent++;
    this.sentBytes += bytes;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    if (this.inFlightBytes > this.peakInFlightBytes) this.peakInFlightBytes = this.inFlightBytes;
    return true;
  }

  /**
   * Adds a grant from the peer. The first grant is its window; later ones acknowledge messages
   * and bytes it has read.
   *
   * @throws {FrameError} `credit` when the grant would overflow or acknowledges more than was sent.
   */
  receive(messages: number, bytes: number): void {
    if (this.available + messages > MAX_CREDIT || this.availableBytes + bytes > MAX_CREDIT) {
      throw new FrameError("credit", `a grant of ${messages} messages and ${bytes} bytes overflows the credit`);
    }
    if (this.window === undefined) {
      if (messages < 1 || bytes < 1) {
        throw new FrameError("credit", `the first grant opens a window of at least 1 message and 1 byte`);
      }
      this.window = { messages, bytes };
    } else {
      if (this.#acknowledged + messages > this.sent) {
        throw new FrameError("credit", `${messages} messages acknowledged, only ${this.inFlight} are in flight`);
      }
      if (this.#acknowledgedBytes + bytes > this.sentBytes) {
        throw new FrameError("credit", `${bytes} bytes acknowledged, only ${this.inFlightBytes} are in flight`);
      }
      this.#acknowledged += messages;
      this.#acknowledgedBytes += bytes;
    }
    this.available += messages;
    this.availableBytes += bytes;
  }
}

/** The receiver's side: what the peer may still send, and credit to grant back as we read. */
export class ReceiveCredit {
  /** Our window: most messages and bytes the peer may have in flight towards us. */
  readonly window: Grant;
  #allowance = 0;
  #allowanceBytes = 0;
  #pending: number;
  #pendingBytes: number;
  #unacknowledged = 0;
  #unacknowledgedBytes = 0;
  readonly #threshold: number;
  readonly #thresholdBytes: number;

  /**
   * @throws {RangeError} when `window` is not an integer from 1 to 1,000,000 or `windowBytes`
   *   not one from 1 to 2^32 - 1.
   */
  constructor(window: number, windowBytes: number) {
    if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
      throw new RangeError(`window must be an integer from 1 to ${MAX_WINDOW}, got ${window}`);
    }
    if (!Number.isInteger(windowBytes) || windowBytes < 1 || windowBytes > MAX_CREDIT) {
      throw new RangeError(`windowBytes must be an integer from 1 to ${MAX_CREDIT}, got ${windowBytes}`);
    }
    this.window = { messages: window, bytes: windowBytes };
    // The first grant opens the peer's window.
    this.#pending = window;
    this.#pendingBytes = windowBytes;
    // Granting in quarters of the window keeps credit frames rare and the pipe full.
    this.#threshold = Math.max(1, Math.ceil(window / 4));
    this.#thresholdBytes = Math.max(1, Math.ceil(windowBytes / 4));
  }

  /**
   * Accounts for `count` messages of `bytes` in all that arrived.
   *
   * @throws {FrameError} `credit` when the peer sent more than it was granted.
   */
  arrive(count: number, bytes: number): void {
    if (count > this.#allowance) {
      throw new FrameError("credit", `${count} messages sent with credit for ${this.#allowance}`);
    }
    if (bytes > this.#allowanceBytes) {
      throw new FrameError("credit", `${bytes} bytes sent with credit for ${this.#allowanceBytes}`);
    }
    this.#allowance -= count;
    this.#allowanceBytes -= bytes;
  }

  /** Accounts for `count` messages of `bytes` in all read (or dropped); true when a grant is due. */
  consume(count: number, bytes: number): boolean {
    this.#unacknowledged += count;
    this.#unacknowledgedBytes += bytes;
    if (this.#unacknowledged < this.#threshold && this.#unacknowledgedBytes < this.#thresholdBytes) return false;
    this.#pending += this.#unacknowledged;
    this.#pendingBytes += this.#unacknowledgedBytes;
    this.#unacknowledged = 0;
    this.#unacknowledgedBytes = 0;
    return true;
  }

  /** The credit to send now (`undefined` for none); it counts as granted from here on. */
  takeGrant(): Grant | undefined {
    if (this.#pending === 0 && this.#pendingBytes === 0) return undefined;
    const grant = { messages: this.#pending, bytes: this.#pendingBytes };
    this.#pending = 0;
    this.#pendingBytes = 0;
    this.#allowance += grant.messages;
    this.#allowanceBytes += grant.bytes;
    return grant;
  }
}
