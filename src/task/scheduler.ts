/**
 * The local scheduler: a FIFO queue of task runs served by the embedded worker within a
 * concurrency limit, with retries (exponential backoff, jitter), per-attempt timeouts and
 * cancellation through `AbortSignal`.
 *
 * @module
 */
import {
  backoffDelay,
  type Clock,
  decode,
  describe,
  type Encoded,
  encode,
  IdGenerator,
  NonRetryableError,
  SerializationError,
  TaskError,
  TaskTimeoutError,
} from "../common/mod.ts";
import { type Journal, noJournal } from "../store/mod.ts";
import type { TaskDefinition } from "./registry.ts";
import { Attempt, TaskRun } from "./task_run.ts";

/** What the scheduler needs from its surroundings. */
export interface SchedulerOptions {
  /** Most attempts running at once. Default 1024. */
  concurrency?: number;
  clock: Clock;
  ids: IdGenerator;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /** Where journaled runs record their submission and outcome. */
  journal?: Journal;
}

/** Options of {@linkcode Scheduler.submit}. */
export interface SubmitOptions {
  /** Record the run's submission and outcome in the journal (a standalone task, not a workflow node). */
  journaled?: boolean;
  /** Re-submit a recovered run under its old id; its submission is already in the journal. */
  recoveredId?: string;
  /** The id to give a new run (chosen by a remote client); one is made if absent. */
  id?: string;
}

/** Runs task runs on this process. */
export class Scheduler {
  readonly concurrency: number;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #random: () => number;
  readonly #journal: Journal;
  #paused = false;
  /** Head of the list of runs not finished yet, for `stats` and `cancelAll`. */
  #live: TaskRun | undefined;
  #queue: TaskRun[] = [];
  #head = 0;
  #running = 0;
  #drainScheduled = false;
  #draining = false;
  #stats = { submitted: 0, succeeded: 0, failed: 0, cancelled: 0 };

  constructor(options: SchedulerOptions) {
    const concurrency = options.concurrency ?? 1024;
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0))) {
      throw new RangeError(`concurrency must be an integer > 0 (or Infinity), got ${String(concurrency)}`);
    }
    this.concurrency = concurrency;
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#random = options.random ?? Math.random;
    this.#journal = options.journal ?? noJournal;
  }

  /** Holds queued runs back (while recovery runs) until `resume`. */
  pause(): void {
    this.#paused = true;
  }

  /** Lets queued runs start. */
  resume(): void {
    this.#paused = false;
    if (this.#head < this.#queue.length && !this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }

  /** Queues a run of `definition` with already encoded `args`. */
  submit(definition: TaskDefinition, args: Encoded, options?: SubmitOptions): TaskRun {
    const run = new TaskRun(options?.recoveredId ?? options?.id ?? this.#ids.next("t"), definition, args);
    if (options?.journaled) {
      run.journaled = true;
      if (options.recoveredId === undefined) {
        this.#journal.record({ type: "task.submitted", id: run.id, task: definition.name, args });
      }
    }
    this.#stats.submitted++;
    this.#link(run);
    this.#enqueue(run);
    return run;
  }

  /** Cancels a run: dropped if queued, its signal aborted if running. False if it had finished. */
  cancel(run: TaskRun, reason?: string, options?: { record?: boolean }): boolean {
    if (run.finished || run.recording) return false;
    if (run.journaled && options?.record !== false) this.#journal.record({ type: "task.cancelled", id: run.id });
    const attempt = run.attempt;
    const error = run.cancelledError(reason);
    run.settleFailure("cancelled", error);
    this.#stats.cancelled++;
    run.retryTimer?.cancel();
    this.#unlink(run);
    if (attempt !== undefined && attempt.end()) {
      attempt.abort(error);
      this.#release();
    }
    return true;
  }

  /**
   * Cancels every unfinished run (queued, running or waiting to retry). With `record: false`
   * (a shutdown) the journal is not told, so the runs are recovered at the next start.
   */
  cancelAll(reason: string, options?: { record?: boolean }): void {
    while (this.#live !== undefined) this.cancel(this.#live, reason, options);
  }

  /** Counts for status reports. */
  stats(): { queued: number; running: number; submitted: number; succeeded: number; failed: number; cancelled: number } {
    let queued = 0;
    for (let run = this.#live; run !== undefined; run = run.nextLive) {
      if (run.status === "pending" || run.status === "retrying") queued++;
    }
    return { queued, running: this.#running, ...this.#stats };
  }

  #link(run: TaskRun): void {
    run.nextLive = this.#live;
    if (this.#live !== undefined) this.#live.prevLive = run;
    this.#live = run;
  }

  #unlink(run: TaskRun): void {
    if (run.prevLive !== undefined) run.prevLive.nextLive = run.nextLive;
    else if (this.#live === run) this.#live = run.nextLive;
    if (run.nextLive !== undefined) run.nextLive.prevLive = run.prevLive;
    run.prevLive = run.nextLive = undefined;
  }

  #enqueue(run: TaskRun): void {
    this.#queue.push(run);
    if (!this.#drainScheduled && !this.#draining) {
      this.#drainScheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }

  #drain(): void {
    this.#drainScheduled = false;
    if (this.#draining || this.#paused) return;
    this.#draining = true;
    try {
      while (this.#running < this.concurrency && this.#head < this.#queue.length) {
        const run = this.#queue[this.#head++];
        if (run.status === "pending" || run.status === "retrying") this.#start(run);
      }
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    } finally {
      this.#draining = false;
    }
  }

  #start(run: TaskRun): void {
    run.attempts++;
    run.status = "running";
    this.#running++;
    const attempt = new Attempt(run);
    run.attempt = attempt;
    const { fn, options } = run.definition;
    let output: unknown;
    try {
      output = fn.apply(attempt, decode<unknown[]>(run.args));
    } catch (error) {
      return this.#attemptFailed(run, attempt, error);
    }
    if (!isThenable(output)) return this.#attemptSucceeded(run, attempt, output);
    if (options.timeout !== undefined) {
      const timeout = options.timeout;
      attempt.timer = this.#clock.setTimeout(() => {
        const error = new TaskTimeoutError(run.definition.name, timeout);
        attempt.abort(error);
        this.#attemptFailed(run, attempt, error);
      }, timeout);
    }
    output.then(
      (value) => this.#attemptSucceeded(run, attempt, value),
      (error) => this.#attemptFailed(run, attempt, error),
    );
  }

  #attemptSucceeded(run: TaskRun, attempt: Attempt, value: unknown): void {
    if (!attempt.end()) return;
    run.attempt = undefined;
    let encoded: Encoded;
    try {
      encoded = encode(value, `result of task "${run.definition.name}"`);
    } catch (error) {
      return this.#finalFailure(run, error);
    }
    this.#stats.succeeded++;
    this.#unlink(run);
    this.#release();
    const ack = run.journaled
      ? this.#record(run, { type: "task.succeeded", id: run.id, result: encoded, attempts: run.attempts })
      : undefined;
    if (ack === undefined) run.settleSuccess(encoded);
    else ack.then(() => run.settleSuccess(encoded), (error) => run.settleFailure("failed", error));
  }

  /** Records an outcome; the run is settled once the journal acknowledges it. */
  #record(run: TaskRun, event: { type: string; id: string; [field: string]: unknown }): Promise<void> | undefined {
    run.recording = true;
    return this.#journal.record(event);
  }

  #attemptFailed(run: TaskRun, attempt: Attempt, error: unknown): void {
    if (!attempt.end()) return;
    run.attempt = undefined;
    const retries = run.definition.options.retries ?? 0;
    const retryable = !(error instanceof NonRetryableError) && !(error instanceof SerializationError);
    if (!retryable || run.attempts > retries) return this.#finalFailure(run, error);
    run.status = "retrying";
    this.#release();
    const delay = backoffDelay(run.attempts, run.definition.options.backoff, this.#random);
    run.retryTimer = this.#clock.setTimeout(() => {
      run.retryTimer = undefined;
      if (run.status === "retrying") this.#enqueue(run);
    }, delay);
  }

  #finalFailure(run: TaskRun, error: unknown): void {
    this.#stats.failed++;
    this.#unlink(run);
    this.#release();
    const cause = toError(error);
    const failure = new TaskError(run.definition.name, run.id, run.attempts, cause);
    const ack = run.journaled
      ? this.#record(run, {
        type: "task.failed",
        id: run.id,
        attempts: run.attempts,
        error: { name: cause.name, message: cause.message },
      })
      : undefined;
    if (ack === undefined) run.settleFailure("failed", failure);
    else ack.then(() => run.settleFailure("failed", failure), (e) => run.settleFailure("failed", e));
  }

  #release(): void {
    this.#running--;
    if (!this.#draining && this.#head < this.#queue.length && !this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(describe(value));
}
