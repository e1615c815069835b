/**
 * An actor's mailbox: a Web Stream with a bounded queue. Senders that find it full wait in line
 * (backpressure) up to a deadline, then get an error; messages leave in the order they came.
 *
 * A sender waiting for room costs about what a queued message costs: its message and deadline in
 * a FIFO, no promise unless it asked for one ({@linkcode Mailbox.post}), and no timer of its own.
 * Senders wait with the same `waitMs` in practice, so their deadlines come in the order they
 * queued: one timer, armed for the earliest deadline, expires the front of the line. Only a sender
 * whose deadline falls before that of one ahead of it (a shorter `waitMs`) gets a timer of its own.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../common/mod.ts";

/** A sender of {@linkcode Mailbox.post}, told by its promise when its message is in. */
class Poster<M> {
  readonly message: M;
  readonly admitted: () => void;
  constructor(message: M, admitted: () => void) {
    this.message = message;
    this.admitted = admitted;
  }
}

/** The place in line of a sender that gave up before the front of the line reached it. */
const GONE: unique symbol = Symbol("gone");

/** Options of a {@linkcode Mailbox}. */
export interface MailboxOptions {
  /** Most messages queued at once. */
  capacity: number;
  clock: Clock;
}

/** A bounded FIFO of messages, read by exactly one consumer. */
export class Mailbox<M> {
  readonly capacity: number;
  /** The stream the consumer reads; its queue is the mailbox. */
  readonly readable: ReadableStream<M>;
  readonly #clock: Clock;
  readonly #reader: ReadableStreamDefaultReader<M>;
  #controller!: ReadableStreamDefaultController<M>;
  // The line of senders waiting for room, from `#head` on, as parallel arrays (no record per sender).
  #line: (M | Poster<M> | typeof GONE | undefined)[] = [];
  /** When each sender in line gives up, on the mailbox's clock (Infinity: never). */
  #deadlines: number[] = [];
  /** What to tell each sender in line whose deadline passes first. */
  #expired: (((message: M) => void) | undefined)[] = [];
  #head = 0;
  /** The number of senders that queued before `#line[0]`: a sender's place is `seq - #base`. */
  #base = 0;
  /** Senders in line that still wait. */
  #waiting = 0;
  /** The latest deadline of a sender that relies on the shared timer: later senders keep the order. */
  #lastDeadline = -Infinity;
  /** The shared timer: due at or before the deadline of every waiting sender without a timer of its own. */
  #timer: TimerHandle | undefined;
  /** The timers of senders whose deadline broke the order, by their `seq`. */
  #ownTimers: Map<number, TimerHandle> | undefined;
  #closing = false;
  #closed = false;

  constructor(options: MailboxOptions) {
    const { capacity } = options;
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`mailbox capacity must be an integer > 0, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#clock = options.clock;
    this.readable = new ReadableStream<M>(
      { start: (controller) => void (this.#controller = controller) },
      new CountQueuingStrategy({ highWaterMark: capacity }),
    );
    this.#reader = this.readable.getReader();
  }

  /** Messages waiting in the queue (not counting senders held back by backpressure). */
  get size(): number {
    return this.capacity - (this.#controller.desiredSize ?? 0);
  }

  /** Senders waiting for room. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Puts `message` in the queue. Returns nothing when there was room; otherwise a promise that
   * resolves once the message is in, or rejects with `onTimeout()` after `waitMs`.
   */
  post(message: M, waitMs: number, onTimeout: () => Error): void | Promise<void> {
    if (this.#closing) throw new TypeError("mailbox is closed");
    if (this.#waiting === 0 && this.#controller.desiredSize! > 0) {
      this.#controller.enqueue(message);
      return;
    }
    return new Promise<void>((resolve, reject) =>
      this.#wait(new Poster(message, resolve), waitMs, () => reject(onTimeout()))
    );
  }

  /**
   * Puts `message` in the queue, or in line behind the senders waiting for room; if it is still
   * in line after `waitMs`, it is dropped and handed to `expired`. The cheap form of `post` for a
   * sender that learns the outcome another way (an actor call settles when it is handled).
   */
  send(message: M, waitMs: number, expired: (message: M) => void): void {
    if (this.#closing) throw new TypeError("mailbox is closed");
    if (this.#waiting === 0 && this.#controller.desiredSize! > 0) this.#controller.enqueue(message);
    else this.#wait(message, waitMs, expired);
  }

  /** The next message, or `done` once the mailbox is closed and empty. */
  take(): Promise<ReadableStreamReadResult<M>> {
    // A read from a queue that holds messages takes one at once, so the room it makes is known
    // now: senders in line move up before the read settles, with no extra promise to wait for.
    const next = this.#reader.read();
    if (this.#waiting > 0) this.#admit();
    // Checked after admitting: senders that timed out leave nothing to admit, and must not keep a
    // closing mailbox open.
    if (this.#closing && this.#waiting === 0 && this.size === 0) this.#finish();
    return next;
  }

  /** Stops accepting messages; `take` returns what is queued (and held back), then `done`. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.size === 0 && this.#waiting === 0) this.#finish();
  }

  /**
   * Closes at once and hands back the messages of senders still waiting for room. Messages already
   * in the queue are not included: `take` still returns them, then `done`.
   */
  drainAll(): M[] {
    this.#closing = true;
    const left: M[] = [];
    for (let i = this.#head; i < this.#line.length; i++) {
      const entry = this.#line[i]!;
      if (entry === GONE) continue;
      if (entry instanceof Poster) {
        entry.admitted();
        left.push(entry.message);
      } else left.push(entry);
    }
    this.#clearLine();
    this.#finish();
    return left;
  }

  #wait(entry: M | Poster<M>, waitMs: number, expired: (message: M) => void): void {
    const deadline = this.#clock.now() + waitMs;
    const seq = this.#base + this.#line.length;
    this.#line.push(entry);
    this.#deadlines.push(deadline);
    this.#expired.push(expired);
    this.#waiting++;
    if (deadline >= this.#lastDeadline) {
      // In deadline order behind everyone relying on the shared timer: that timer covers it too.
      // (A sender that waits forever keeps the order too: everyone behind it gets a timer of their own.)
      this.#lastDeadline = deadline;
      if (this.#timer === undefined && deadline !== Infinity) this.#armTimer(deadline);
    } else {
      const timer = this.#clock.setTimeout(() => {
        this.#ownTimers!.delete(seq);
        const i = seq - this.#base;
        if (i < this.#head || i >= this.#line.length || this.#line[i] === GONE) return;
        const entry = this.#line[i] as M | Poster<M>;
        const expired = this.#expired[i]!;
        this.#line[i] = GONE;
        this.#expired[i] = undefined;
        if (--this.#waiting === 0) this.#clearLine();
        expired(entry instanceof Poster ? entry.message : entry);
      }, waitMs);
      (this.#ownTimers ??= new Map()).set(seq, timer);
    }
  }

  /** Moves senders from the front of the line into the queue while there is room. */
  #admit(): void {
    const line = this.#line;
    // Only this loop fills the queue meanwhile: the room is read once.
    let room = this.#controller.desiredSize!;
    while (this.#waiting > 0 && room > 0) {
      const i = this.#head++;
      const entry = line[i]!;
      line[i] = undefined;
      this.#expired[i] = undefined;
      if (entry === GONE) continue;
      room--;
      this.#waiting--;
      if (this.#ownTimers !== undefined) this.#cancelOwnTimer(i);
      if (entry instanceof Poster) {
        this.#controller.enqueue(entry.message);
        entry.admitted();
      } else this.#controller.enqueue(entry);
    }
    this.#trimLine();
  }

  #armTimer(deadline: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), deadline - this.#clock.now());
  }

  /**
   * The shared timer fired: drops the senders at the front of the line whose deadline has passed
   * (in deadline order, they are all at the front) and arms the timer for the next one. Senders
   * admitted since the timer was armed cost nothing here: they have left the line.
   */
  #sweep(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    // The line is re-read on every turn: a sender told it expired may post again, or drain the mailbox.
    while (this.#head < this.#line.length) {
      const i = this.#head;
      const entry = this.#line[i]!;
      if (entry !== GONE && this.#deadlines[i] > now) break;
      const expired = this.#expired[i];
      this.#line[i] = undefined;
      this.#expired[i] = undefined;
      this.#head++;
      if (entry === GONE || expired === undefined) continue;
      this.#waiting--;
      if (this.#ownTimers !== undefined) this.#cancelOwnTimer(i);
      expired(entry instanceof Poster ? entry.message : entry);
    }
    this.#trimLine();
    // The front sender has the earliest deadline of those relying on the shared timer.
    if (this.#waiting > 0 && this.#timer === undefined) {
      const deadline = this.#deadlines[this.#head];
      if (deadline !== Infinity) this.#armTimer(deadline);
    }
  }

  #cancelOwnTimer(i: number): void {
    const seq = this.#base + i;
    const timer = this.#ownTimers!.get(seq);
    if (timer === undefined) return;
    timer.cancel();
    this.#ownTimers!.delete(seq);
  }

  /** Forgets the line once no one waits; otherwise drops the cleared places at its front now and then. */
  #trimLine(): void {
    if (this.#waiting === 0) this.#clearLine();
    else if (this.#head >= 1024 && this.#head * 2 >= this.#line.length) {
      const head = this.#head;
      this.#line = this.#line.slice(head);
      this.#deadlines = this.#deadlines.slice(head);
      this.#expired = this.#expired.slice(head);
      this.#base += head;
      this.#head = 0;
    }
  }

  #clearLine(): void {
    this.#base += this.#line.length;
    this.#line = [];
    this.#deadlines = [];
    this.#expired = [];
    this.#head = 0;
    this.#waiting = 0;
    this.#lastDeadline = -Infinity;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#ownTimers !== undefined) { for (const timer of this.#ownTimers.values()) timer.cancel(); }
    this.#ownTimers = undefined;
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
  }
}
