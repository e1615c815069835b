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
  describe,
  encode,
  type Encoded,
  type IdGenerator,
  NonRetryableError,
  PeerLostError,
  SerializationError,
  TaskError,
  TaskTimeoutError,
} from "../common/mod.ts";
import { type Journal, noJournal } from "../store/mod.ts";
import type { AttemptEvent, AttemptObserver } from "./attempt_events.ts";
import { HERE, type Placer, type RemoteWorker } from "./placement.ts";
import type { TaskDefinition } from "./registry.ts";
import { LiveRuns } from "./live_runs.ts";
import {
  checkConcurrency,
  type SchedulerOptions,
  type SchedulerStats,
  type SubmitOptions,
} from "./scheduler_options.ts";
import { Attempt, TaskRun } from "./task_run.ts";

export type { SchedulerOptions, SchedulerStats, SubmitOptions };

/** Runs task runs on this process. */
export class Scheduler {
  #concurrency: number;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #random: () => number;
  readonly #journal: Journal;
  #paused = false;
  /** The runs not finished yet (queued, running, waiting to retry). */
  readonly #live = new LiveRuns();
  #queue: TaskRun[] = [];
  #head = 0;
  #running = 0;
  #placer: Placer | undefined;
  #observer: AttemptObserver | undefined;
  #drainScheduled = false;
  #draining = false;
  #stats = { submitted: 0, succeeded: 0, failed: 0, cancelled: 0 };
  /** Attempts of a run lost in a row (their peer left or could not be reached). */
  readonly #losses = new WeakMap<TaskRun, number>();

  constructor(options: SchedulerOptions) {
    this.#concurrency = checkConcurrency(options.concurrency ?? 1024);
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#random = options.random ?? Math.random;
    this.#journal = options.journal ?? noJournal;
  }

  /** Most attempts running here at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Changes the concurrency limit (`actant worker --concurrency`). */
  setConcurrency(concurrency: number): void {
    this.#concurrency = checkConcurrency(concurrency);
    this.wake();
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

  /**
   * Lets `placer` choose where attempts run from now on (a cluster member), or only here again
   * (`undefined`).
   */
  usePlacer(placer: Placer | undefined): void {
    this.#placer = placer;
    this.wake();
  }

  /**
   * Tells `observer` where each attempt of a run this scheduler owns goes, and which fail or are
   * lost (`undefined`: no one). Attempts another owner placed here (pinned runs) are that owner's
   * to report.
   */
  observe(observer: AttemptObserver | undefined): void {
    this.#observer = observer;
  }

  /**
   * Tells the observer, if any, about the current attempt of `run`; the event is built only when
   * someone observes (this is on the hot path of every task).
   */
  #tellAttempt(run: TaskRun, kind: "placed", peerId: string | typeof HERE): void;
  #tellAttempt(run: TaskRun, kind: "lost", error: Error): void;
  #tellAttempt(run: TaskRun, kind: "failed", error: unknown, retrying: boolean): void;
  #tellAttempt(run: TaskRun, kind: AttemptEvent["kind"], detail: unknown, retrying = false): void {
    const observer = this.#observer;
    if (observer === undefined || run.pinned) return;
    const ref = { task: run.definition.name, runId: run.id, attempt: run.attempts };
    const event: AttemptEvent = kind === "placed"
      ? { ...ref, kind, peerId: detail as string | typeof HERE }
      : kind === "lost"
      ? { ...ref, kind, error: detail as Error }
      : { ...ref, kind, error: toError(detail), retrying };
    try {
      observer(event);
    } catch {
      // An observer (a log line) never changes what happens to the run.
    }
  }

  /** Tries queued runs again: a peer has room now (it finished work, or joined). */
  wake(): void {
    if (this.#head < this.#queue.length && !this.#drainScheduled && !this.#paused) {
      this.#drainScheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }

  /** Queues a run of `definition` with already encoded `args`. */
  submit(definition: TaskDefinition, args: Encoded, options?: SubmitOptions): TaskRun {
    const run = new TaskRun(options?.recoveredId ?? options?.id ?? this.#ids.next("t"), definition, args);
    if (options?.pinned) run.pinned = true;
    if (options?.journaled) {
      run.journaled = true;
      if (options.recoveredId === undefined) {
        this.#journal.record({ type: "task.submitted", id: run.id, task: definition.name, args });
      }
    }
    this.#stats.submitted++;
    this.#live.add(run);
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
    this.#live.remove(run);
    if (attempt !== undefined && attempt.end()) {
      attempt.abort(error);
      this.#release(attempt);
    }
    return true;
  }

  /**
   * Cancels every unfinished run (queued, running or waiting to retry). With `record: false`
   * (a shutdown) the journal is not told, so the runs are recovered at the next start.
   */
  cancelAll(reason: string, options?: { record?: boolean }): void {
    for (let run = this.#live.first; run !== undefined; run = this.#live.first) this.cancel(run, reason, options);
  }

  /** Counts for status reports. */
  stats(): SchedulerStats {
    let queued = 0;
    for (const run of this.#live) if (run.status === "pending" || run.status === "retrying") queued++;
    return { queued, running: this.#running, ...this.#stats };
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
      if (this.#placer === undefined) {
        while (this.#running < this.#concurrency && this.#head < this.#queue.length) {
          const run = this.#queue[this.#head++];
          if (run.status === "pending" || run.status === "retrying") this.#start(run);
        }
      } else this.#drainPlaced(this.#placer);
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

  /** The drain loop of a cluster member: each attempt goes where the placer says. */
  #drainPlaced(placer: Placer): void {
    while (this.#head < this.#queue.length) {
      const run = this.#queue[this.#head];
      if (run.status !== "pending" && run.status !== "retrying") {
        this.#head++;
        continue;
      }
      const target = run.pinned
        ? (this.#running < this.#concurrency ? HERE : undefined)
        : placer.place(run.definition.name, { running: this.#running, concurrency: this.#concurrency });
      if (target === undefined) return;
      this.#head++;
      if (target === HERE) this.#start(run);
      else this.#startRemote(run, target);
    }
  }

  /** Sends one attempt to `worker`; the outcome comes back encoded, or the peer is lost. */
  #startRemote(run: TaskRun, worker: RemoteWorker): void {
    run.attempts++;
    run.status = "running";
    const attempt = new Attempt(run);
    attempt.remote = true;
    run.attempt = attempt;
    // The owner's log says where each attempt went (workflow members too), for audits and status.
    this.#journal.record({
      type: "task.dispatched",
      id: run.id,
      task: run.definition.name,
      peer: worker.peerId,
      attempt: run.attempts,
    });
    this.#tellAttempt(run, "placed", worker.peerId);
    const call = worker.execute({ runId: run.id, task: run.definition.name, args: run.args, attempt: run.attempts });
    attempt.onAbort = (reason) => call.cancel(reason);
    this.#armTimeout(run, attempt);
    call.result.then(
      (encoded) => this.#attemptSucceeded(run, attempt, encoded, true),
      (error) =>
        error instanceof PeerLostError
          ? this.#attemptLost(run, attempt, error)
          : this.#attemptFailed(run, attempt, error),
    );
  }

  /**
   * The peer running the attempt left: the attempt did not happen as far as the run is concerned.
   * The run is placed again from a timer, never from this callback: a peer that fails at once must
   * not turn placement into a loop of microtasks that starves timers, I/O and signals. The delay
   * grows with losses in a row (0 ms for the first, so failover stays immediate).
   */
  #attemptLost(run: TaskRun, attempt: Attempt, error: PeerLostError): void {
    if (!attempt.end()) return;
    this.#tellAttempt(run, "lost", error);
    run.attempt = undefined;
    run.attempts--;
    run.status = "pending";
    this.#release(attempt);
    const losses = (this.#losses.get(run) ?? 0) + 1;
    this.#losses.set(run, losses);
    const delay = losses === 1 ? 0 : backoffDelay(losses - 1, LOST_BACKOFF, this.#random);
    run.retryTimer = this.#clock.setTimeout(() => {
      run.retryTimer = undefined;
      if (run.status === "pending") this.#enqueue(run);
    }, delay);
  }

  #start(run: TaskRun): void {
    run.attempts++;
    run.status = "running";
    this.#running++;
    const attempt = new Attempt(run);
    run.attempt = attempt;
    this.#tellAttempt(run, "placed", HERE);
    const { fn } = run.definition;
    let output: unknown;
    try {
      output = fn.apply(attempt, run.argsList());
    } catch (error) {
      return this.#attemptFailed(run, attempt, error);
    }
    if (!isThenable(output)) return this.#attemptSucceeded(run, attempt, output, false);
    this.#armTimeout(run, attempt);
    output.then(
      (value) => this.#attemptSucceeded(run, attempt, value, false),
      (error) => this.#attemptFailed(run, attempt, error),
    );
  }

  #armTimeout(run: TaskRun, attempt: Attempt): void {
    const timeout = run.definition.options.timeout;
    if (timeout === undefined || run.pinned) return; // a pinned attempt's owner keeps the time
    attempt.timer = this.#clock.setTimeout(() => {
      const error = new TaskTimeoutError(run.definition.name, timeout);
      attempt.abort(error);
      this.#attemptFailed(run, attempt, error);
    }, timeout);
  }

  #attemptSucceeded(run: TaskRun, attempt: Attempt, value: unknown, encodedAlready: boolean): void {
    if (!attempt.end()) return;
    run.attempt = undefined;
    this.#losses.delete(run);
    let encoded: Encoded;
    try {
      encoded = encodedAlready ? value as Encoded : encode(value, `result of task "${run.definition.name}"`);
    } catch (error) {
      this.#tellAttempt(run, "failed", error, false);
      return this.#finalFailure(run, attempt, error);
    }
    this.#stats.succeeded++;
    this.#live.remove(run);
    this.#release(attempt);
    const ack = run.journaled
      ? this.#record(run, { type: "task.succeeded", id: run.id, result: encoded, attempts: run.attempts })
      : undefined;
    if (ack === undefined) run.settleSuccess(encoded);
    else run.succeedOnAck(ack, encoded);
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
    const retrying = retryable && run.attempts <= retries && !run.pinned;
    this.#tellAttempt(run, "failed", error, retrying);
    if (!retrying) return this.#finalFailure(run, attempt, error);
    run.status = "retrying";
    this.#release(attempt);
    const delay = backoffDelay(run.attempts, run.definition.options.backoff, this.#random);
    run.retryTimer = this.#clock.setTimeout(() => {
      run.retryTimer = undefined;
      if (run.status === "retrying") this.#enqueue(run);
    }, delay);
  }

  #finalFailure(run: TaskRun, attempt: Attempt, error: unknown): void {
    this.#stats.failed++;
    this.#live.remove(run);
    this.#release(attempt);
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
    else run.failOnAck(ack, failure);
  }

  #release(attempt: Attempt): void {
    // Attempts other peers run take no slot here.
    if (!attempt.remote) this.#running--;
    if (!this.#draining && this.#head < this.#queue.length && !this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }
}

/** Delays before placing a run again after its second, third, … lost attempt in a row. */
const LOST_BACKOFF = { initial: 50, max: 2_000 };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(describe(value));
}
