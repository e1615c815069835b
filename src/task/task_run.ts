/**
 * One submitted task: its record (status, attempts, encoded result) and the context its
 * function sees. The scheduler owns the transitions; everyone else reads.
 *
 * @module
 */
import { CancelledError, decode, type Encoded, type TimerHandle } from "../common/mod.ts";
import type { TaskContext, TaskDescriptor } from "./registry.ts";
import type { WorkerSlots } from "./worker_slots.ts";

/**
 * Where a task is in its life: the one set of words for local, remote and logged runs. A run
 * waiting for its next attempt (after a retry's backoff, or to be placed again when its member
 * was lost) is `"queued"` again.
 */
export type TaskStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** The record of one submitted task. */
export class TaskRun {
  readonly id: string;
  /** The task: its definition, or only its descriptor for a task other peers run. */
  readonly definition: TaskDescriptor;
  /** The arguments, encoded as one array. */
  readonly args: Encoded;
  status: TaskStatus = "queued";
  /** Attempts that had an outcome (a lost one never happened); the live one is number `attempts + 1`. */
  attempts = 0;
  result: Encoded | undefined;
  error: Error | undefined;
  /** The live attempt, if one is running. */
  attempt: Attempt | undefined;
  /** Neighbours in the scheduler's list of unfinished runs (an intrusive list: no hashing per task). */
  prevLive: TaskRun | undefined;
  nextLive: TaskRun | undefined;
  /** Whether its submission and outcome are recorded in the journal (standalone tasks are). */
  journaled = false;
  /** Set while its outcome is being recorded: it can no longer be cancelled. */
  recording = false;
  /** The timer that re-queues the run after a backoff, while it is `retrying`. */
  retryTimer: TimerHandle | undefined;
  /** The promise of `outcome()` while the run is unfinished, made on first use and shared by every caller. */
  #outcome: Promise<Encoded> | undefined;
  #resolve: ((value: Encoded) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  /** The first caller of `value()` while the run is unfinished, settled directly with its copy. */
  #valueResolve: ((value: unknown) => void) | undefined;
  #valueReject: ((error: unknown) => void) | undefined;

  constructor(id: string, definition: TaskDescriptor, args: Encoded) {
    this.id = id;
    this.definition = definition;
    this.args = args;
  }

  get finished(): boolean {
    return this.status === "succeeded" || this.status === "failed" || this.status === "cancelled";
  }

  /** Resolves with the encoded result, or rejects with the task's error. */
  outcome(): Promise<Encoded> {
    if (this.status === "succeeded") return Promise.resolve(this.result!);
    if (this.finished) return Promise.reject(this.error);
    // One promise per run, not one per caller (plus a record and a list): with many runs queued
    // at once, what each one holds while it waits is what the garbage collector copies.
    return this.#outcome ??= new Promise<Encoded>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * Resolves with a copy of the result decoded for this caller, or rejects with the task's error:
   * what `get()` waits for. The first caller of an unfinished run is settled directly with its
   * copy, with no promise in between (the usual `task.call().get()`); later ones decode from
   * `outcome()`.
   */
  value(): Promise<unknown> {
    if (this.finished || this.#valueResolve !== undefined) return this.outcome().then(decode);
    return new Promise((resolve, reject) => {
      this.#valueResolve = resolve;
      this.#valueReject = reject;
    });
  }

  /** Records success and wakes waiters. */
  settleSuccess(result: Encoded): void {
    if (this.finished) return;
    this.status = "succeeded";
    this.result = result;
    const resolve = this.#resolve;
    const resolveValue = this.#valueResolve;
    const rejectValue = this.#valueReject;
    this.#forget();
    resolve?.(result);
    if (resolveValue === undefined) return;
    let value: unknown;
    try {
      value = decode(result);
    } catch (error) {
      // A result that cannot be decoded (from another peer) fails this wait, as it fails every get().
      return rejectValue!(error);
    }
    resolveValue(value);
  }

  /** Records a final failure or cancellation and wakes waiters. */
  settleFailure(status: "failed" | "cancelled", error: Error): void {
    if (this.finished) return;
    this.status = status;
    this.error = error;
    const reject = this.#reject;
    const rejectValue = this.#valueReject;
    this.#forget();
    reject?.(error);
    rejectValue?.(error);
  }

  #forget(): void {
    this.#outcome =
      this.#resolve =
      this.#reject =
      this.#valueResolve =
      this.#valueReject =
        undefined;
  }

  /** A `CancelledError` for this task. */
  cancelledError(reason?: string): CancelledError {
    return new CancelledError(this.id, reason);
  }
}

/**
 * One attempt of a run: the `this` of the task function, with a lazily made signal. An attempt
 * that runs here holds a slot of its process, given back when it ends.
 */
export class Attempt implements TaskContext {
  readonly taskId: string;
  readonly task: string;
  readonly attempt: number;
  /** Set once the attempt has an outcome (completion, timeout or cancellation); later ones are ignored. */
  over = false;
  /** The attempt's timeout timer, cancelled when the attempt ends in any way. */
  timer: TimerHandle | undefined;
  /** Tells the remote peer to abort (set for remote attempts). */
  onAbort: ((reason: string) => void) | undefined;
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  /** The slot it holds while it runs here (none for an attempt another peer runs). */
  #slots: WorkerSlots | undefined;

  constructor(taskId: string, task: string, attempt: number, slots?: WorkerSlots) {
    this.taskId = taskId;
    this.task = task;
    this.attempt = attempt;
    this.#slots = slots;
  }

  get signal(): AbortSignal {
    // Most tasks never look at their signal: make the controller only when one does.
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Marks the attempt over and gives its slot back; false if it already was (its outcome is then ignored). */
  end(): boolean {
    if (this.over) return false;
    this.over = true;
    this.timer?.cancel();
    this.#slots?.release();
    return true;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.onAbort?.(reason instanceof Error ? reason.message : String(reason));
  }
}
