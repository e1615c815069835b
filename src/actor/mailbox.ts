/**
 * An actor's mailbox: a Web Stream with a bounded queue. Senders that find it full wait in line
 * (backpressure) up to a deadline, then get an error; messages leave in the order they came.
 *
 * A sender waiting for room costs about what a queued message costs: its message and deadline in
 * a FIFO, no promise unless it asked for one ({@linkcode Mailbox.post}), no timer of its own, and
 * no reading of the clock of its own (one reading stamps every sender of a synchronous run).
 * Senders wait with the same `waitMs` in practice, so their deadlines come in the order they
 * queued: one timer, armed for the earliest deadline, expires the front of the line. Only a sender
 * whose deadline falls before that of one ahead of it (a shorter `waitMs`) gets a timer of its own.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../common/mod.ts";

/**
 * Places in line kept from one burst of waiting senders to the next (3 × 8 bytes each), so that a
 * mailbox under repeated bursts does not grow its line again every time. A longer line is dropped.
 */
const MAX_KEPT_PLACES = 16_384;

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
  /** Room that lets senders in line move up into the queue (or an empty queue). */
  readonly #admitBatch: number;
  /** The stream the consumer reads; its queue is the mailbox. */
  readonly readable: ReadableStream<M>;
  readonly #clock: Clock;
  readonly #reader: ReadableStreamDefaultReader<M>;
  #controller!: ReadableStreamDefaultController<M>;
  // The line of senders waiting for room, from `#head` on, as parallel arrays (no record per sender).
  #line: (M | typeof GONE | undefined)[] = [];
  /** When each sender in line gives up, on the mailbox's clock (Infinity: never). */
  #deadlines: number[] = [];
  /** What to tell each sender in line whose deadline passes first. */
  #expired: (((message: M) => void) | undefined)[] = [];
  #head = 0;
  /** The end of the line: places from `#tail` on are free. */
  #tail = 0;
  /** The number of senders that queued before `#line[0]`: a sender's place is `seq - #base`. */
  #base = 0;
  /** Senders in line that still wait. */
  #waiting = 0;
  /** The first place in line whose deadline is not set yet (senders of the current synchronous run). */
  #unstamped: number | undefined;
  /** The latest deadline of a sender that relies on the shared timer: later senders keep the order. */
  #lastDeadline = -Infinity;
  /** The shared timer: due at or before the deadline of every waiting sender without a timer of its own. */
  #timer: TimerHandle | undefined;
  /** The timers of senders whose deadline broke the order, by their `seq`. */
  #ownTimers: Map<number, TimerHandle> | undefined;
  /** How to tell each {@linkcode Mailbox.post} sender in line that its message is in, by its `seq`. */
  #posters: Map<number, () => void> | undefined;
  #closing = false;
  #closed = false;

  constructor(options: MailboxOptions) {
    const { capacity } = options;
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`mailbox capacity must be an integer > 0, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#admitBatch = Math.max(1, capacity >> 3);
    this.#clock = options.clock;
    // The mailbox bounds its queue itself, at `capacity`. A high-water mark of 0 keeps the stream
    // from asking its source for more after every read (a promise and a callback per message):
    // it asks only when the consumer waits on an empty queue.
    this.readable = new ReadableStream<M>(
      { start: (controller) => void (this.#controller = controller) },
      new CountQueuingStrategy({ highWaterMark: 0 }),
    );
    this.#reader = this.readable.getReader();
  }

  /** Messages waiting in the queue (not counting senders held back by backpressure). */
  get size(): number {
    // Below a high-water mark of 0, the desired size is minus what is queued.
    return 0 - (this.#controller.desiredSize ?? 0);
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
    if (this.#waiting === 0 && this.size < this.capacity) {
      this.#controller.enqueue(message);
      return;
    }
    return new Promise<void>((resolve, reject) => {
      (this.#posters ??= new Map()).set(this.#wait(message, waitMs, () => reject(onTimeout())), resolve);
    });
  }

  /**
   * Puts `message` in the queue, or in line behind the senders waiting for room; if it is still
   * in line after `waitMs`, it is dropped and handed to `expired`. The cheap form of `post` for a
   * sender that learns the outcome another way (an actor call settles when it is handled).
   */
  send(message: M, waitMs: number, expired: (message: M) => void): void {
    if (this.#closing) throw new TypeError("mailbox is closed");
    if (this.#waiting === 0 && this.size < this.capacity) this.#controller.enqueue(message);
    else this.#wait(message, waitMs, expired);
  }

  /** The next message, or `done` once the mailbox is closed and empty. */
  take(): Promise<ReadableStreamReadResult<M>> {
    // A read from a queue that holds messages takes one at once, so the room it makes is known
    // now: senders in line move up before the read settles, with no extra promise to wait for.
    // They move up a batch at a time (an eighth of the capacity), not one per read: enqueueing
    // between reads, one by one, cost Bun's streams a third of a burst's throughput. The queue
    // never runs dry meanwhile, and a sender's deadline admits it first if there is room.
    const next = this.#reader.read();
    if (this.#waiting > 0 && (this.capacity - this.size >= this.#admitBatch || this.size === 0)) this.#admit();
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
    for (let i = this.#head; i < this.#tail; i++) {
      const entry = this.#line[i]!;
      if (entry === GONE) continue;
      this.#leave(i)?.();
      left.push(entry);
    }
    this.#clearLine();
    this.#finish();
    return left;
  }

  /**
   * Puts a sender in line; returns its `seq`. Its deadline is set once the synchronous run that
   * queued it is over (see `#stamp`): until then it holds its `waitMs`.
   */
  #wait(message: M, waitMs: number, expired: (message: M) => void): number {
    // The arrays keep their length from one burst to the next: places are written, not pushed.
    // A line that reaches their end while its front half is free moves down instead of growing.
    if (this.#tail === this.#line.length && this.#head * 2 >= this.#tail && this.#head > 0) this.#compact();
    const t = this.#tail++;
    this.#line[t] = message;
    this.#deadlines[t] = waitMs;
    this.#expired[t] = expired;
    this.#waiting++;
    if (this.#unstamped === undefined) {
      this.#unstamped = t;
      queueMicrotask(this.#stamp);
    }
    return this.#base + t;
  }

  /**
   * Sets the deadlines of the senders that joined the line in the synchronous run just over, from
   * one reading of the clock for all of them. A reading per sender cost a burst of waiting senders
   * more than the rest of their wait (on Deno, `performance.now()` is a call into the runtime), and
   * no timer can fire before this runs: a sender's deadline is at most the length of that run late,
   * never early.
   */
  readonly #stamp = (): void => {
    const from = this.#unstamped;
    this.#unstamped = undefined;
    if (from === undefined) return;
    const now = this.#clock.now();
    for (let i = Math.max(from, this.#head); i < this.#tail; i++) {
      if (this.#line[i] === GONE || this.#line[i] === undefined) continue;
      const waitMs = this.#deadlines[i];
      const deadline = now + waitMs;
      this.#deadlines[i] = deadline;
      if (deadline >= this.#lastDeadline) {
        // In deadline order behind everyone relying on the shared timer: that timer covers it too.
        // (A sender that waits forever keeps the order too: everyone behind it gets a timer of their own.)
        this.#lastDeadline = deadline;
        if (this.#timer === undefined && deadline !== Infinity) this.#armTimer(deadline);
      } else this.#ownTimer(this.#base + i, waitMs);
    }
  };

  /** A timer of its own for the sender `seq`, whose deadline falls before that of one ahead of it. */
  #ownTimer(seq: number, waitMs: number): void {
    const timer = this.#clock.setTimeout(() => {
      // Senders that there is room for are let in, not told it is full (this one among them, maybe).
      if (this.size < this.capacity) this.#admit();
      const i = seq - this.#base;
      if (i < this.#head || i >= this.#tail || this.#line[i] === GONE) return;
      const entry = this.#line[i] as M;
      const expired = this.#expired[i]!;
      this.#leave(i);
      this.#line[i] = GONE;
      this.#expired[i] = undefined;
      if (--this.#waiting === 0) this.#clearLine();
      expired(entry);
    }, waitMs);
    (this.#ownTimers ??= new Map()).set(seq, timer);
  }

  /** Moves senders from the front of the line into the queue while there is room. */
  #admit(): void {
    const line = this.#line;
    // Only this loop fills the queue meanwhile: the room is read once.
    let room = this.capacity - this.size;
    while (this.#waiting > 0 && room > 0) {
      const i = this.#head++;
      const entry = line[i]!;
      line[i] = undefined;
      this.#expired[i] = undefined;
      if (entry === GONE) continue;
      room--;
      this.#waiting--;
      const admitted = this.#leave(i);
      this.#controller.enqueue(entry);
      admitted?.();
    }
    this.#trimLine();
  }

  /**
   * What the rare senders keep beside the line goes when one leaves it: its own timer is cancelled,
   * and a {@linkcode Mailbox.post} sender's way to be told it is in is handed back.
   */
  #leave(i: number): (() => void) | undefined {
    if (this.#ownTimers === undefined && this.#posters === undefined) return undefined;
    const seq = this.#base + i;
    const timer = this.#ownTimers?.get(seq);
    if (timer !== undefined) {
      timer.cancel();
      this.#ownTimers!.delete(seq);
    }
    const admitted = this.#posters?.get(seq);
    if (admitted !== undefined) this.#posters!.delete(seq);
    return admitted;
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
    // Senders that there is room for are let in, not told it is full.
    if (this.size < this.capacity) this.#admit();
    const now = this.#clock.now();
    // The line is re-read on every turn: a sender told it expired may post again, or drain the mailbox.
    // Senders that joined meanwhile (from those callbacks) have no deadline yet: `#stamp` sees to them.
    while (this.#head < (this.#unstamped ?? this.#tail)) {
      const i = this.#head;
      const entry = this.#line[i]!;
      if (entry !== GONE && this.#deadlines[i] > now) break;
      const expired = this.#expired[i];
      this.#line[i] = undefined;
      this.#expired[i] = undefined;
      this.#head++;
      if (entry === GONE || expired === undefined) continue;
      this.#waiting--;
      this.#leave(i);
      expired(entry);
    }
    this.#trimLine();
    // The front sender has the earliest deadline of those relying on the shared timer.
    if (this.#waiting > 0 && this.#timer === undefined && this.#head < (this.#unstamped ?? this.#tail)) {
      const deadline = this.#deadlines[this.#head];
      if (deadline !== Infinity) this.#armTimer(deadline);
    }
  }

  /** Forgets the line once no one waits. */
  #trimLine(): void {
    if (this.#waiting === 0) this.#clearLine();
  }

  /** Moves the line to the front of its arrays (a plain loop: `copyWithin` is slow on such arrays). */
  #compact(): void {
    const line = this.#line;
    const deadlines = this.#deadlines;
    const expired = this.#expired;
    const head = this.#head;
    const length = this.#tail - head;
    for (let i = 0; i < length; i++) {
      line[i] = line[head + i];
      deadlines[i] = deadlines[head + i];
      expired[i] = expired[head + i];
    }
    for (let i = length; i < this.#tail; i++) line[i] = expired[i] = undefined;
    this.#base += head;
    this.#head = 0;
    this.#tail = length;
    if (this.#unstamped !== undefined) this.#unstamped = Math.max(0, this.#unstamped - head);
  }

  #clearLine(): void {
    for (let i = this.#head; i < this.#tail; i++) this.#line[i] = this.#expired[i] = undefined;
    if (this.#line.length > MAX_KEPT_PLACES) {
      this.#line = [];
      this.#deadlines = [];
      this.#expired = [];
    }
    this.#base += this.#tail;
    this.#head = 0;
    this.#tail = 0;
    this.#waiting = 0;
    // A stamp still due (its microtask is queued) covers whoever joins from the start again.
    if (this.#unstamped !== undefined) this.#unstamped = 0;
    this.#lastDeadline = -Infinity;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#ownTimers !== undefined) { for (const timer of this.#ownTimers.values()) timer.cancel(); }
    this.#ownTimers = undefined;
    this.#posters = undefined;
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
  }
}
