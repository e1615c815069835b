/**
 * Credit-based flow control for one channel, as plain bookkeeping (the channel owns the I/O).
 *
 * The receiver grants its window when the channel opens, then grants again, in batches, as its
 * consumer reads; the sender spends one credit per message and waits when it has none. So a
 * sender never has more than the receiver's window of messages unacknowledged, and a receiver
 * never buffers more than its window.
 *
 * @module
 */
import { FrameError } from "./errors.ts";

/** Largest credit a sender may hold (the frame's count field is a u32). */
const MAX_CREDIT = 0xffff_ffff;

/** The sender's side: credit granted by the peer, messages sent, messages acknowledged. */
export class SendCredit {
  /** Messages that may be sent now. */
  available = 0;
  /** Messages sent so far. */
  sent = 0;
  /** The highest number of unacknowledged messages so far. */
  peakInFlight = 0;
  #acknowledged = 0;
  #window: number | undefined;

  /** Messages sent and not acknowledged yet. */
  get inFlight(): number {
    return this.sent - this.#acknowledged;
  }

  /** Spends one credit for a message about to be sent; false when there is none. */
  spend(): boolean {
    if (this.available === 0) return false;
    this.available--;
    this.sent++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    return true;
  }

  /**
   * Adds a grant from the peer. The first grant is its window; later ones acknowledge messages.
   *
   * @throws {FrameError} `credit` when the grant would overflow or acknowledges unsent messages.
   */
  receive(credit: number): void {
    if (this.available + credit > MAX_CREDIT) {
      throw new FrameError("credit", `a grant of ${credit} overflows the credit counter`);
    }
    if (this.#window === undefined) {
      this.#window = credit;
    } else {
      if (this.#acknowledged + credit > this.sent) {
        throw new FrameError("credit", `${credit} messages acknowledged, only ${this.inFlight} are in flight`);
      }
      this.#acknowledged += credit;
    }
    this.available += credit;
  }
}

/** The receiver's side: what the peer may still send, and credit to grant back as we read. */
export class ReceiveCredit {
  /** Our window: most messages the peer may have in flight towards us. */
  readonly window: number;
  #allowance = 0;
  #pending: number;
  #unacknowledged = 0;
  readonly #threshold: number;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 1 || window > 1_000_000) {
      throw new RangeError(`window must be an integer from 1 to 1000000, got ${window}`);
    }
    this.window = window;
    this.#pending = window; // the first grant opens the peer's window
    // Granting in quarters of the window keeps credit frames rare and the pipe full.
    this.#threshold = Math.max(1, Math.ceil(window / 4));
  }

  /**
   * Accounts for `count` messages that arrived.
   *
   * @throws {FrameError} `credit` when the peer sent more than it was granted.
   */
  arrive(count: number): void {
    if (count > this.#allowance) {
      throw new FrameError("credit", `${count} messages sent with credit for ${this.#allowance}`);
    }
    this.#allowance -= count;
  }

  /** Accounts for `count` messages read (or dropped); true when a grant is due. */
  consume(count: number): boolean {
    this.#unacknowledged += count;
    if (this.#unacknowledged < this.#threshold) return false;
    this.#pending += this.#unacknowledged;
    this.#unacknowledged = 0;
    return true;
  }

  /** The credit to send now (0 for none); it counts as granted from here on. */
  takeGrant(): number {
    const grant = this.#pending;
    this.#pending = 0;
    this.#allowance += grant;
    return grant;
  }
}
