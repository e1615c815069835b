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
  encode,
  type Encoded,
  errorData,
  type IdGenerator,
  NonRetryableError,
  PeerLostError,
  SerializationError,
  TaskError,
  TaskTimeoutError,
} from "../common/mod.ts";
import { noJournal } from "../store/mod.ts";
import type { AttemptEvent, AttemptObserver } from "./attempt_events.ts";
import type { TaskFailed, TaskJournal, TaskSucceeded } from "./events.ts";
import { HERE, type Placer, type RemoteWorker } from "./placement.ts";
import { functionOf, registeredElsewhere, type TaskDescriptor } from "./registry.ts";
import { LiveRuns } from "./live_runs.ts";
import type { PackedArgs } from "./packed_args.ts";
import { RunQueue } from "./run_queue.ts";
import type {
  AttemptObjects,
  RunValues,
  SchedulerOptions,
  SchedulerStats,
  SubmitOptions,
} from "./scheduler_options.ts";
import { Attempt, TaskRun } from "./task_run.ts";
import { isThenable, toError } from "./values.ts";
import { type WorkerCounts, WorkerSlots } from "./worker_slots.ts";

export type { AttemptObjects, RunValues, SchedulerOptions, SchedulerStats, SubmitOptions };

/** Runs task runs on this process. */
export class Scheduler {
  /** The slots its attempts take, shared with the attempts other owners place here. */
  readonly #slots: WorkerSlots;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #random: () => number;
  readonly #journal: TaskJournal;
  /** The runs not finished yet (queued, running, waiting to retry). */
  readonly #live = new LiveRuns();
  /** The runs waiting for a slot here, or for a peer to place them on. */
  readonly #queue: RunQueue;
  #placer: Placer | undefined;
  #observer: AttemptObserver | undefined;
  readonly #stats: WorkerCounts;
  /** Attempts of a run lost in a row (their peer left or could not be reached). */
  readonly #losses = new WeakMap<TaskRun, number>();
  readonly #values: RunValues | undefined;
  /** What the arguments of unfinished runs hold (only runs whose arguments hold anything), let go when they finish. */
  readonly #holds = new WeakMap<TaskRun, () => void>();

  constructor(options: SchedulerOptions) {
    this.#slots = new WorkerSlots(options.concurrency ?? 1024);
    this.#stats = this.#slots.counts;
    // A slot another attempt runner gave back may let a queued run start.
    this.#slots.onRoom(() => this.#queue.wake());
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#random = options.random ?? Math.random;
    this.#journal = options.journal ?? noJournal;
    this.#values = options.values;
    this.#queue = new RunQueue((run) => this.#startQueued(run), this.#journal);
  }

  /** The clock its retries and timeouts run on (and its handles' `get({ timeout })`). */
  get clock(): Clock {
    return this.#clock;
  }

  /** Most attempts running here at once. */
  get concurrency(): number {
    return this.#slots.limit;
  }

  /** The slots of this process's attempts: an attempt runner shares them (one concurrency budget). */
  get slots(): WorkerSlots {
    return this.#slots;
  }

  /** Changes the concurrency limit (`actant worker --concurrency`). */
  setConcurrency(concurrency: number): void {
    this.#slots.setLimit(concurrency);
    this.wake();
  }

  /** Holds queued runs back (while recovery runs) until `resume`. */
  pause(): void {
    this.#queue.pause();
  }

  /** Lets queued runs start. */
  resume(): void {
    this.#queue.resume();
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
   * lost (`undefined`: no one).
   */
  observe(observer: AttemptObserver | undefined): void {
    this.#observer = observer;
  }

  /**
   * Tells the observer, if any, about `attempt`; the event is built only when someone observes
   * (this is on the hot path of every task).
   */
  #tellAttempt(attempt: Attempt, kind: "placed", peerId: string | typeof HERE): void;
  #tellAttempt(attempt: Attempt, kind: "lost", error: Error): void;
  #tellAttempt(attempt: Attempt, kind: "failed", error: unknown, retrying: boolean): void;
  #tellAttempt(attempt: Attempt, kind: AttemptEvent["kind"], detail: unknown, retrying = false): void {
    const observer = this.#observer;
    if (observer === undefined) return;
    const ref = { task: attempt.task, runId: attempt.taskId, attempt: attempt.attempt };
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
    this.#queue.wake();
  }

  /** Queues a run of `definition` (a descriptor only: the placer sends it elsewhere) with encoded `args`. */
  submit(definition: TaskDescriptor, args: Encoded, options?: SubmitOptions): TaskRun {
    const run = new TaskRun(options?.recoveredId ?? options?.id ?? this.#ids.next("t"), definition, args);
    if (options?.journaled) {
      run.journaled = true;
      if (options.recoveredId === undefined) this.#recordSubmission(run);
    }
    this.#stats.submitted++;
    const release = this.#values?.hold(args);
    if (release !== undefined) this.#holds.set(run, release);
    this.#live.add(run);
    this.#enqueue(run);
    return run;
  }

  /**
   * Records `run`'s `task.submitted`: by reference where the journal takes it so (a durable log,
   * which then holds the run until it writes the event), else as an event.
   */
  #recordSubmission(run: TaskRun): void {
    const journal = this.#journal;
    if (journal.recordDeferred !== undefined && run.deferrable) {
      run.unwritten = true;
      journal.recordDeferred(run);
    } else journal.record(run.deferredEvent());
  }

  /** Cancels a run: dropped if queued, its signal aborted if running. False if it had finished. */
  cancel(run: TaskRun, reason?: string, options?: { record?: boolean }): boolean {
    if (run.finished || run.recording) return false;
    const recorded = run.journaled && options?.record !== false;
    if (recorded) this.#journal.record({ type: "task.cancelled", id: run.id });
    const attempt = run.attempt;
    const error = run.cancelledError(reason);
    run.settleFailure("cancelled", error, run.journaled && !recorded);
    this.#stats.cancelled++;
    run.retryTimer?.cancel();
    this.#finished(run);
    if (attempt !== undefined && attempt.end()) {
      attempt.abort(error);
      this.#queue.wake();
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

  /** Counts for status reports: of this process's slots, so attempts other owners placed here count too. */
  stats(): SchedulerStats {
    let queued = this.#slots.waiting;
    for (const run of this.#live) if (run.status === "queued") queued++;
    return { queued, running: this.#slots.used, ...this.#stats };
  }

  /** Takes a finished run off the live list and lets go of what its arguments held. */
  #finished(run: TaskRun): void {
    this.#live.remove(run);
    const release = this.#holds.get(run);
    if (release === undefined) return;
    this.#holds.delete(run);
    release();
  }

  #enqueue(run: TaskRun): void {
    this.#queue.push(run);
  }

  /**
   * Starts a queued run: here, in a free slot; on a cluster member, where the placer says.
   * False when it cannot start now (no slot, no peer with room): the queue waits for a wake.
   */
  #startQueued(run: TaskRun): boolean {
    const placer = this.#placer;
    if (placer === undefined) {
      if (!this.#slots.free) return false;
      this.#start(run);
      return true;
    }
    const slots = this.#slots;
    const target = placer.place(run.definition.name, { running: slots.used, concurrency: slots.limit });
    if (target === undefined) return false;
    if (target === HERE) this.#start(run);
    else this.#startRemote(run, target);
    return true;
  }

  /**
   * Sends one attempt to `worker` (it takes no slot here); the outcome comes back encoded, or the
   * peer is lost. The run counts an attempt once it has an outcome: a lost one never happened.
   */
  #startRemote(run: TaskRun, worker: RemoteWorker): void {
    run.status = "running";
    const attempt = new Attempt(run.id, run.definition.name, run.attempts + 1);
    run.attempt = attempt;
    // The owner's log says where each attempt went (workflow members too), for audits and status.
    this.#journal.record({
      type: "task.dispatched",
      id: run.id,
      task: run.definition.name,
      peer: worker.peerId,
      attempt: attempt.attempt,
    });
    this.#tellAttempt(attempt, "placed", worker.peerId);
    const call = worker.execute({ runId: run.id, task: run.definition.name, args: run.args, attempt: attempt.attempt });
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
    this.#tellAttempt(attempt, "lost", error);
    run.attempt = undefined;
    run.status = "queued";
    this.#queue.wake();
    const losses = (this.#losses.get(run) ?? 0) + 1;
    this.#losses.set(run, losses);
    const delay = losses === 1 ? 0 : backoffDelay(losses - 1, LOST_BACKOFF, this.#random);
    run.retryTimer = this.#clock.setTimeout(() => {
      run.retryTimer = undefined;
      if (run.status === "queued") this.#enqueue(run);
    }, delay);
  }

  #start(run: TaskRun): void {
    run.status = "running";
    this.#slots.take();
    // The attempt holds the slot, and gives it back when it ends (in whichever way).
    const attempt = new Attempt(run.id, run.definition.name, run.attempts + 1, this.#slots);
    const values = this.#values;
    attempt.objects = values?.objects;
    run.attempt = attempt;
    this.#tellAttempt(attempt, "placed", HERE);
    const fn = functionOf(run.definition);
    let output: unknown;
    try {
      if (fn === undefined) throw registeredElsewhere(run.definition.name);
      // Only superjson-encoded arguments can carry refs: the usual flat list of primitives skips the app's pass.
      const args = values === undefined || !isStructured(run.packedArgs)
        ? run.argsList()
        : values.prepare(() => run.argsList(), attempt);
      output = fn.apply(attempt, args);
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
    if (timeout === undefined) return;
    attempt.timer = this.#clock.setTimeout(() => {
      const error = new TaskTimeoutError(run.definition.name, timeout);
      attempt.abort(error);
      this.#attemptFailed(run, attempt, error);
    }, timeout);
  }

  #attemptSucceeded(run: TaskRun, attempt: Attempt, value: unknown, encodedAlready: boolean): void {
    if (!attempt.end()) return;
    run.attempt = undefined;
    run.attempts = attempt.attempt;
    this.#losses.delete(run);
    let encoded: Encoded;
    try {
      encoded = encodedAlready ? value as Encoded : encode(value, `result of task "${run.definition.name}"`);
    } catch (error) {
      this.#tellAttempt(attempt, "failed", error, false);
      return this.#finalFailure(run, error);
    }
    this.#stats.succeeded++;
    this.#finished(run);
    this.#queue.wake();
    const ack = run.journaled
      ? this.#record(run, { type: "task.succeeded", id: run.id, result: encoded, attempts: run.attempts })
      : undefined;
    if (ack === undefined) run.settleSuccess(encoded);
    else run.succeedOnAck(ack, encoded);
  }

  /** Records an outcome; the run is settled once the journal acknowledges it. */
  #record(run: TaskRun, event: TaskSucceeded | TaskFailed): Promise<void> | undefined {
    run.recording = true;
    return this.#journal.record(event);
  }

  #attemptFailed(run: TaskRun, attempt: Attempt, error: unknown): void {
    if (!attempt.end()) return;
    run.attempt = undefined;
    run.attempts = attempt.attempt;
    const retries = run.definition.options.retries ?? 0;
    const retryable = !(error instanceof NonRetryableError) && !(error instanceof SerializationError);
    const retrying = retryable && run.attempts <= retries;
    this.#tellAttempt(attempt, "failed", error, retrying);
    if (!retrying) return this.#finalFailure(run, error);
    run.status = "queued";
    this.#queue.wake();
    const delay = backoffDelay(run.attempts, run.definition.options.backoff, this.#random);
    run.retryTimer = this.#clock.setTimeout(() => {
      run.retryTimer = undefined;
      if (run.status === "queued") this.#enqueue(run);
    }, delay);
  }

  #finalFailure(run: TaskRun, error: unknown): void {
    this.#stats.failed++;
    this.#finished(run);
    this.#queue.wake();
    const cause = toError(error);
    const failure = new TaskError(run.definition.name, run.id, run.attempts, cause);
    const ack = run.journaled
      ? this.#record(run, { type: "task.failed", id: run.id, attempts: run.attempts, error: errorData(cause) })
      : undefined;
    if (ack === undefined) run.settleFailure("failed", failure);
    else run.failOnAck(ack, failure);
  }
}

/** Whether packed arguments are a superjson encoding (not a flat list of primitives, not one primitive). */
function isStructured(packed: PackedArgs): boolean {
  return typeof packed === "object" && packed !== null && !Array.isArray(packed) && (packed as Encoded).t === "s";
}

/** Delays before placing a run again after its second, third, … lost attempt in a row. */
const LOST_BACKOFF = { initial: 50, max: 2_000 };
