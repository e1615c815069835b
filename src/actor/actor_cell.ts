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
  type Encoded,
  encode,
  MailboxFullError,
  sleep,
  UnknownMethodError,
} from "../common/mod.ts";
import type { ActorDefinition } from "./definition.ts";
import { Mailbox } from "./mailbox.ts";

/** Where an actor is in its life. */
export type ActorStatus = "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";

type Instance = Record<string, (...args: unknown[]) => unknown>;

/** A call waiting in the mailbox. */
interface Call {
  readonly method: string;
  readonly args: Encoded;
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

  constructor(options: ActorCellOptions) {
    this.id = options.id;
    this.definition = options.definition;
    this.#args = options.args;
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.#mailbox = new Mailbox<Call>({ capacity: options.definition.options.mailboxCapacity ?? 1024, clock: this.#clock });
    this.#methods = new Set(options.definition.methods);
    const fatal = options.definition.options.supervision?.fatal;
    this.#fatal = fatal === true ? true : new Set(fatal ?? []);
  }

  /** Constructs the instance (retrying under supervision) and starts taking calls. */
  async start(): Promise<void> {
    await this.#construct(true);
    this.status = "running";
    this.#loop = this.#run();
  }

  /** Queues a call of `method`; the promise settles with a copy of its result. */
  call(method: string, args: unknown[]): Promise<unknown> {
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
    const waitMs = this.definition.options.mailboxTimeout ?? 30_000;
    const posted = this.#mailbox.post(
      { method, args: encoded, resolve, reject },
      waitMs,
      () => new MailboxFullError(this.#label(), this.#mailbox.capacity, waitMs),
    );
    if (posted !== undefined) posted.catch(reject);
    return promise;
  }

  /**
   * Stops the actor. With `drain` (the default) queued calls are handled first; without, they
   * are rejected with `ActorStoppedError`. New calls are rejected at once either way.
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
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
    if (this.status === "stopping") this.status = "stopped";
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
    let copy: unknown;
    try {
      copy = decode(encode(value, `result of ${this.definition.name}.${call.method}`));
    } catch (error) {
      return call.reject(error);
    }
    call.resolve(copy);
  }

  #failed(call: Call, error: unknown): void | Promise<void> {
    call.reject(error);
    if (this.#fatal === true || this.#fatal.has(call.method)) return this.#restart(error);
  }

  async #restart(cause: unknown): Promise<void> {
    // A stop() that came first wins: the restart only serves the calls it drains.
    if (this.status !== "stopping") this.status = "restarting";
    try {
      await this.#construct(false, cause);
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
