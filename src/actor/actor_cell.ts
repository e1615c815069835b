/**
 * The actor cell: owns one instance, reachable only through its mailbox. Calls are handled one
 * at a time in arrival order, an async method finishing before the next call starts; arguments
 * and results are copied through the codec. A failing method rejects its call only, unless it
 * is fatal, when supervision restarts the instance from its constructor arguments.
 *
 * @module
 */
import {
  ActorInitError,
  ActorStoppedError,
  backoffDelay,
  type Clock,
  decode,
  encode,
  type Encoded,
  type ErrorData,
  errorData,
  MailboxFullError,
  sleep,
  UnknownMethodError,
} from "../common/mod.ts";
import { noJournal } from "../store/mod.ts";
import { type ActorRecovery, restoreState, snapshotState } from "./actor_recovery.ts";
import type { ActorDefinition } from "./definition.ts";
import type { ActorCall, ActorJournal } from "./events.ts";
import { Mailbox } from "./mailbox.ts";

/** Where an actor is in its life. */
export type ActorStatus = "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";

type Instance = Record<string, (...args: unknown[]) => unknown>;

/**
 * What names a call made from another peer, logged with the call and its outcome: the `key` its
 * owner relayed it under, and the `via` id of a caller that called it directly (or through the
 * owner after its direct connection broke), so the owner answers each call once, from its log.
 */
export interface CallTag {
  readonly key?: number;
  readonly via?: string;
}

/** A call waiting in the mailbox. */
interface Call {
  readonly method: string;
  readonly args: Encoded;
  readonly tag?: CallTag;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Options of {@linkcode ActorCell}. */
export interface ActorCellOptions {
  id: string;
  definition: ActorDefinition;
  /** Encoded constructor arguments, decoded afresh for each (re)start. */
  args: Encoded;
  clock: Clock;
  random?: () => number;
  /** Where calls, restarts and checkpoints are recorded. */
  journal?: ActorJournal;
  /** The history to replay when the actor comes back after a restart of its process. */
  recovered?: ActorRecovery;
}

/** One live actor. */
export class ActorCell {
  readonly id: string;
  readonly definition: ActorDefinition;
  status: ActorStatus = "starting";
  restarts = 0;
  readonly #args: Encoded;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #mailbox: Mailbox<Call>;
  readonly #methods: ReadonlySet<string>;
  readonly #fatal: ReadonlySet<string> | true;
  #instance: Instance | undefined;
  #rejectQueued: Error | undefined;
  #loop: Promise<void> | undefined;
  #failure: Error | undefined;
  readonly #journal: ActorJournal;
  readonly #recovered: ActorRecovery | undefined;
  readonly #checkpointEvery: number;
  /** Calls and restarts so far: the position of the actor's state in its history. */
  #n = 0;
  /** How long a caller waits for room in a full mailbox. */
  readonly #waitMs: number;
  /** Rejects a call that found no room in time (one function for all, not a closure per caller). */
  readonly #refuse = (call: Call): void =>
    call.reject(new MailboxFullError(this.#label(), this.#mailbox.capacity, this.#waitMs));

  constructor(options: ActorCellOptions) {
    this.id = options.id;
    this.definition = options.definition;
    this.#args = options.args;
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.#mailbox = new Mailbox<Call>({
      capacity: options.definition.options.mailboxCapacity ?? 1024,
      clock: this.#clock,
    });
    this.#methods = new Set(options.definition.methods);
    const fatal = options.definition.options.supervision?.fatal;
    this.#fatal = fatal === true ? true : new Set(fatal ?? []);
    this.#journal = options.journal ?? noJournal;
    this.#recovered = options.recovered;
    this.#checkpointEvery = options.definition.options.checkpointEvery ?? 100;
    this.#waitMs = options.definition.options.mailboxTimeout ?? 30_000;
  }

  /**
   * Constructs the instance (retrying under supervision), replays its history if it is coming
   * back after a restart, and starts taking calls.
   */
  async start(): Promise<void> {
    await this.#construct(true);
    if (this.#recovered !== undefined) await this.#replay(this.#recovered);
    this.status = "running";
    this.#loop = this.#run();
  }

  /**
   * Queues a call of `method`; the promise settles with a copy of its result. A `tag` (a call
   * made from another peer: see {@linkcode CallTag}) is logged with the call and its encoded
   * outcome, so the owner can answer the caller from its log alone.
   */
  call(method: string, args: unknown[], tag?: CallTag): Promise<unknown> {
    if (this.status === "stopping" || this.status === "stopped" || this.status === "failed") {
      return Promise.reject(this.#stoppedError());
    }
    if (!this.#methods.has(method)) {
      return Promise.reject(new UnknownMethodError(this.#label(), method, this.definition.methods));
    }
    let encoded: Encoded;
    try {
      encoded = encode(args, `args of ${this.definition.name}.${method}`);
    } catch (error) {
      return Promise.reject(error);
    }
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // A caller that waits for room needs nothing more than a queued one: its call settles when it
    // is handled, or `#refuse` rejects it if the mailbox stays full.
    this.#mailbox.send({ method, args: encoded, tag, resolve, reject }, this.#waitMs, this.#refuse);
    return promise;
  }

  /**
   * Stops the actor. With `drain` (the default) queued calls are handled first; without, they
   * are rejected with `ActorStoppedError`. New calls are rejected at once either way. Unless
   * `forget` is false (a shutdown of the process), the log records that the actor is gone.
   */
  async stop(options: { drain?: boolean; forget?: boolean } = {}): Promise<void> {
    if (this.status === "stopped" || this.status === "failed") return;
    if (this.status !== "stopping") {
      this.status = "stopping";
      if (options.drain === false) {
        this.#rejectQueued = this.#stoppedError();
        for (const call of this.#mailbox.drainAll()) call.reject(this.#rejectQueued);
      } else {
        this.#mailbox.close();
      }
    }
    await this.#loop;
    if (this.status === "stopping") {
      this.status = "stopped";
      this.#checkpoint();
      // A shutdown (`forget: false`) keeps the actor in the log, to come back at the next start.
      if (options.forget !== false) await this.#journal.record({ type: "actor.stopped", id: this.id });
    }
  }

  /** Calls in the mailbox plus callers waiting for room. */
  get queued(): number {
    return this.#mailbox.size + this.#mailbox.waiting;
  }

  async #run(): Promise<void> {
    for (;;) {
      const next = await this.#mailbox.take();
      if (next.done) return;
      const call = next.value;
      if (this.#rejectQueued !== undefined) {
        call.reject(this.#rejectQueued);
        continue;
      }
      const pending = this.#deliver(call);
      if (pending !== undefined) await pending;
    }
  }

  #deliver(call: Call): void | Promise<void> {
    let output: unknown;
    try {
      output = this.#instance![call.method].apply(this.#instance, decode<unknown[]>(call.args));
    } catch (error) {
      return this.#failed(call, error);
    }
    if (typeof output === "object" && output !== null && typeof (output as PromiseLike<unknown>).then === "function") {
      return Promise.resolve(output).then(
        (value) => this.#reply(call, value),
        (error) => this.#failed(call, error),
      );
    }
    this.#reply(call, output);
  }

  #reply(call: Call, value: unknown): void {
    let encoded: Encoded;
    try {
      encoded = encode(value, `result of ${this.definition.name}.${call.method}`);
    } catch (error) {
      // The state change happened: it is logged; only the answer is an error.
      const ack = this.#logCall(call, false, { error: errorData(error) });
      return this.#settle(call, ack, () => call.reject(error));
    }
    const ack = this.#logCall(call, false, call.tag === undefined ? undefined : { result: encoded });
    // Nothing to wait for (memory mode): answer now, without a closure per call.
    if (ack === undefined) call.resolve(decode(encoded));
    else this.#settle(call, ack, () => call.resolve(decode(encoded)));
  }

  #failed(call: Call, error: unknown): void | Promise<void> {
    const ack = this.#logCall(call, true, call.tag === undefined ? undefined : { error: errorData(error) });
    this.#settle(call, ack, () => call.reject(error));
    if (this.#fatal === true || this.#fatal.has(call.method)) return this.#restart(error);
  }

  /** Records a handled call (its state change) and, every `checkpointEvery` calls, a checkpoint. */
  #logCall(
    call: Call,
    failed: boolean,
    outcome?: { result?: Encoded; error?: ErrorData },
  ): Promise<void> | undefined {
    const n = ++this.#n;
    // A journal that keeps nothing (memory mode) needs no event: this runs for every call.
    if (this.#journal === noJournal) return undefined;
    const { id } = this;
    const { method, args, tag } = call;
    const event: ActorCall = failed
      ? { type: "actor.call", id, n, method, args, failed }
      : { type: "actor.call", id, n, method, args };
    if (tag !== undefined) {
      if (tag.key !== undefined) Object.assign(event, { key: tag.key });
      if (tag.via !== undefined) Object.assign(event, { via: tag.via });
      Object.assign(event, outcome);
    }
    const ack = this.#journal.record(event);
    if (ack !== undefined && n % this.#checkpointEvery === 0) this.#checkpoint();
    return ack;
  }

  /** Answers the caller once the call is acknowledged: the caller never sees unrecorded state. */
  #settle(call: Call, ack: Promise<void> | undefined, answer: () => void): void {
    if (ack === undefined) return answer();
    ack.then(answer, (error) => {
      call.reject(error);
      this.#journalFailed(error);
    });
  }

  /** The log cannot record calls any more: stop, rejecting what is queued, keeping what was recorded. */
  #journalFailed(error: unknown): void {
    if (this.status === "failed") return;
    this.#failure = error as Error;
    this.status = "failed";
    this.#rejectQueued = this.#stoppedError();
    for (const call of this.#mailbox.drainAll()) call.reject(this.#rejectQueued);
  }

  #checkpoint(): void {
    if (this.#instance === undefined) return;
    const state = snapshotState(this.#instance);
    // Not awaited: a checkpoint only shortens recovery. A journal that failed says so on the calls.
    if (state !== undefined) {
      this.#journal.record({ type: "actor.checkpoint", id: this.id, n: this.#n, state })?.catch(() => {});
    }
  }

  /** Rebuilds the acknowledged state: the checkpoint, then every later call and restart, in order. */
  async #replay(recovered: ActorRecovery): Promise<void> {
    if (recovered.checkpoint !== undefined) {
      restoreState(this.#instance!, recovered.checkpoint.state);
      this.#n = recovered.checkpoint.n;
    }
    for (const entry of recovered.entries) {
      if (entry.n <= this.#n) continue;
      this.#n = entry.n;
      if (entry.restart) {
        this.restarts++;
        this.#instance = new this.definition.cls(...decode<unknown[]>(this.#args)) as Instance;
        continue;
      }
      try {
        const output = this.#instance![entry.method!].apply(this.#instance, decode<unknown[]>(entry.args!));
        if (typeof (output as PromiseLike<unknown> | undefined)?.then === "function") await output;
      } catch {
        // It failed the first time too: its caller was told; only its state change matters.
      }
    }
  }

  async #restart(cause: unknown): Promise<void> {
    // A stop() that came first wins: the restart only serves the calls it drains.
    if (this.status !== "stopping") this.status = "restarting";
    try {
      await this.#construct(false, cause);
      await this.#journal.record({ type: "actor.restarted", id: this.id, n: ++this.#n });
      if (this.status === "restarting") this.status = "running";
    } catch (error) {
      this.#failure = error as Error;
      this.status = "failed";
      this.#rejectQueued = this.#stoppedError();
      for (const call of this.#mailbox.drainAll()) call.reject(this.#rejectQueued);
    }
  }

  /** Builds a fresh instance; failures use up restarts, with backoff between tries. */
  async #construct(first: boolean, cause?: unknown): Promise<void> {
    const supervision = this.definition.options.supervision;
    const maxRestarts = supervision?.maxRestarts ?? 0;
    let attempts = 0;
    let lastError = cause;
    for (;;) {
      if (!first || attempts > 0) {
        if (this.restarts >= maxRestarts) {
          // A restart that is not allowed leaves the fatal error itself as the reason.
          throw attempts === 0 ? lastError : new ActorInitError(this.#label(), attempts, lastError);
        }
        this.restarts++;
        await sleep(this.#clock, backoffDelay(this.restarts, supervision?.backoff, this.#random));
      }
      attempts++;
      try {
        const Class = this.definition.cls;
        this.#instance = new Class(...decode<unknown[]>(this.#args)) as Instance;
        return;
      } catch (error) {
        lastError = error;
      }
    }
  }

  #stoppedError(): ActorStoppedError {
    if (this.status === "failed") {
      return new ActorStoppedError(this.#label(), "it failed and used up its restarts", { cause: this.#failure });
    }
    return new ActorStoppedError(this.#label());
  }

  #label(): string {
    return `${this.definition.name}(${this.id})`;
  }
}
