/**
 * Handles: what `submit` returns. Awaitable, with `.get({ timeout })`, `.id`, `.status()` and
 * `.cancel()`; every `get` decodes a fresh copy of the stored result.
 *
 * @module
 */
import { type Clock, decode, encode, type Encoded, type GetOptions, type Pending, waitFor } from "../common/mod.ts";
import type { Scheduler } from "./scheduler.ts";
import type { TaskRun, TaskStatus } from "./task_run.ts";

/**
 * Status of a task or workflow: the same five words for a run here, one read back from the log
 * and a client's handle (see {@linkcode TaskStatus}).
 */
export type RunStatus = TaskStatus;

/** The handle of a submitted task or workflow. */
export interface RunHandle<T> extends Pending<T> {
  /** The task's or workflow's id. */
  readonly id: string;
  /** Where it is now. */
  status(): Promise<RunStatus>;
  /** Cancels it: queued work is dropped, running work sees its signal abort. False if it had finished. */
  cancel(): Promise<boolean>;
}

/**
 * A handle that holds its outcome encoded. Internal (not part of {@linkcode RunHandle}): an owner
 * answering a client sends the encoded result on as it is, instead of decoding a copy only to
 * encode it again.
 */
export interface EncodedResultSource {
  /** The outcome as the codec encoded it, not decoded; rejects as `get()` does. */
  encodedResult(): Promise<Encoded>;
}

/**
 * The encoded outcome of `handle`: the one it holds when it is an {@linkcode EncodedResultSource}
 * (every handle of this library is), else its value encoded.
 */
export function encodedResultOf(handle: RunHandle<unknown>): Promise<Encoded> {
  const source = handle as RunHandle<unknown> & Partial<EncodedResultSource>;
  if (typeof source.encodedResult === "function") return source.encodedResult();
  return handle.get().then((value) => encode(value, "result"));
}

/** Base of handles whose outcome is an encoded value. */
export abstract class EncodedResultHandle<T> implements RunHandle<T>, EncodedResultSource {
  abstract readonly id: string;
  protected abstract readonly clock: Clock;
  protected abstract outcome(): Promise<Encoded>;
  abstract status(): Promise<RunStatus>;
  abstract cancel(): Promise<boolean>;

  /** Internal: see {@linkcode EncodedResultSource}. */
  encodedResult(): Promise<Encoded> {
    return this.outcome();
  }

  get(options?: GetOptions): Promise<T> {
    return waitFor(this.value(), this.id, this.clock, options);
  }

  /** A fresh decoded copy of the result, or the error. */
  protected value(): Promise<T> {
    return this.outcome().then(decode<T>);
  }

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    // One promise fewer than `.then(decode).then(…)`: this is every awaited task's path.
    return this.outcome().then(
      onFulfilled == null ? decode as (encoded: Encoded) => A : (encoded) => onFulfilled(decode<T>(encoded)),
      onRejected,
    );
  }
}

/**
 * The handle of one task run on the local scheduler. Every task submitted and not yet awaited
 * keeps one, so it holds just two references: the run (the id is the run's) and its scheduler
 * (whose clock times `get({ timeout })`).
 */
export class TaskHandle<T> extends EncodedResultHandle<T> {
  readonly #run: TaskRun;
  readonly #scheduler: Scheduler;

  constructor(run: TaskRun, scheduler: Scheduler) {
    super();
    this.#run = run;
    this.#scheduler = scheduler;
  }

  get id(): string {
    return this.#run.id;
  }

  protected get clock(): Clock {
    return this.#scheduler.clock;
  }

  protected outcome(): Promise<Encoded> {
    return this.#run.outcome();
  }

  protected override value(): Promise<T> {
    return this.#run.value() as Promise<T>;
  }

  status(): Promise<RunStatus> {
    return Promise.resolve(this.#run.status);
  }

  cancel(): Promise<boolean> {
    return Promise.resolve(this.#scheduler.cancel(this.#run));
  }
}
