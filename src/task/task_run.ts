/**
 * One submitted task: its record (status, attempts, encoded result) and the context its
 * function sees. The scheduler owns the transitions; everyone else reads.
 *
 * @module
 */
import {
  CancelledError,
  decode,
  type Encoded,
  type HeldRef,
  type JsonPrimitive,
  type RefTo,
  type TimerHandle,
} from "../common/mod.ts";
import { ackWaits } from "./ack_waits.ts";
import { decodeArgs, packArgs, type PackedArgs, unpackArgs } from "./packed_args.ts";
import type { DeferredEvent } from "../store/mod.ts";
import type { TaskSubmitted } from "./events.ts";
import type { TaskContext, TaskDescriptor } from "./registry.ts";
import type { AttemptObjects } from "./scheduler_options.ts";
import type { WorkerSlots } from "./worker_slots.ts";

/**
 * Where a task is in its life: the one set of words for local, remote and logged runs. A run
 * waiting for its next attempt (after a retry's backoff, or to be placed again when its member
 * was lost) is `"queued"` again.
 */
export type TaskStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/**
 * Who waits for an unfinished run: made on the first wait, so a queued run that nobody awaits yet
 * holds none of it (a million runs submitted at once, awaited one by one, make one at a time).
 */
interface Waiters {
  /** The promise of `outcome()`, shared by every caller. */
  outcome?: Promise<Encoded>;
  resolve?: (value: Encoded) => void;
  reject?: (error: unknown) => void;
  /** The first caller of `value()`, settled directly with its copy. */
  valueResolve?: (value: unknown) => void;
  valueReject?: (error: unknown) => void;
}

/** What a finished run keeps as its arguments: they are not needed again. */
const RELEASED_ARGS: readonly JsonPrimitive[] = Object.freeze([]);

/** The statuses, by their number in the low bits of `#bits`. */
const STATUSES: readonly TaskStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];
const STATUS_BITS = 7;
const STATUS_NUMBER: Readonly<Record<TaskStatus, number>> = {
  queued: 0,
  running: 1,
  succeeded: 2,
  failed: 3,
  cancelled: 4,
};
const JOURNALED = 8;
const RECORDING = 16;
/** Its `task.submitted` is held by the log as this run (see `deferredEvent`), not yet written. */
const UNWRITTEN = 32;
/** The bits above the flags count attempts (`#bits / ATTEMPT`, rounded down). */
const ATTEMPT = 64;
const FLAG_BITS = ATTEMPT - 1;

/**
 * The record of one submitted task. It is what every queued task costs, so it keeps few fields:
 * waiters are made on first use and share one field with the result or the error (a run has
 * waiters only until it has an outcome), the live attempt shares one with a retry's timer, the
 * status, three flags and the count of attempts share another, a flat list of arguments is kept without its wrapper, and the arguments
 * are released once the run has finished.
 *
 * A journaled run is also its own `task.submitted` event ({@linkcode DeferredEvent}): a durable
 * log behind on its writes holds the run, which has the task, id and arguments anyway, and makes
 * the event's text only when it writes it.
 */
export class TaskRun implements DeferredEvent<TaskSubmitted> {
  readonly id: string;
  /** The task: its definition, or only its descriptor for a task other peers run. */
  readonly definition: TaskDescriptor;
  /** The arguments, packed (`args` wraps them again when read, once an attempt starts). */
  #args: PackedArgs;
  /** The status (its number, in the low bits), `journaled`, `recording` and, above them, `attempts`. */
  #bits = 0;
  /** Neighbours in the scheduler's list of unfinished runs (an intrusive list: no hashing per task). */
  prevLive: TaskRun | undefined;
  nextLive: TaskRun | undefined;
  /** The live attempt, or the timer of a retry's backoff: a run never has both at once. */
  #next: Attempt | TimerHandle | undefined;
  /**
   * Unfinished, who waits for it (if anyone does yet). Finished, the encoded result once it
   * succeeded (a primitive result as the value alone: `result` wraps it again when read), or the
   * error once it failed or was cancelled.
   */
  #end: Waiters | Encoded | JsonPrimitive | Error | undefined;

  constructor(id: string, definition: TaskDescriptor, args: Encoded) {
    this.id = id;
    this.definition = definition;
    this.#args = packArgs(args);
  }

  /** The arguments, encoded as one array (an empty one once the run has finished: nothing reads them then). */
  get args(): Encoded {
    return unpackArgs(this.#args);
  }

  /** The arguments as packed (what a durable app's state reads of a queued task it holds as its run). */
  get packedArgs(): PackedArgs {
    return this.#args;
  }

  /**
   * Whether its `task.submitted` can be recorded by reference: its arguments are primitives, so the
   * text is as cheap to make later as now and its size cheap to tell (anything else is recorded
   * as an event).
   */
  get deferrable(): boolean {
    const args = this.#args;
    if (!Array.isArray(args)) return typeof args !== "object" || args === null;
    for (const value of args) if (typeof value === "object" && value !== null) return false;
    return true;
  }

  /** Its `task.submitted` event: what a log holding this run writes (its arguments are kept until then). */
  deferredEvent(): TaskSubmitted {
    return { type: "task.submitted", id: this.id, task: this.definition.name, args: this.args };
  }

  /** About the length of {@linkcode TaskRun.deferredEvent}'s JSON (exact for ASCII strings and short numbers). */
  get deferredBytes(): number {
    // `{"type":"task.submitted","id":"","task":"","args":{"t":"a","v":[]}}`, then what goes in it.
    let bytes = 67 + this.id.length + this.definition.name.length;
    const args = this.#args;
    if (!Array.isArray(args)) return bytes + primitiveBytes(args as JsonPrimitive);
    for (const value of args) bytes += primitiveBytes(value) + 1;
    return bytes - (args.length > 0 ? 1 : 0);
  }

  /**
   * Set when its `task.submitted` is recorded by reference: until the log has made its text
   * (`deferredWritten`), the run keeps its arguments, even once finished (cancelled meanwhile).
   */
  get unwritten(): boolean {
    return (this.#bits & UNWRITTEN) !== 0;
  }

  set unwritten(on: boolean) {
    this.#bits = on ? this.#bits | UNWRITTEN : this.#bits & ~UNWRITTEN;
  }

  /** The log has made its `task.submitted` text: the arguments may go once the run finishes. */
  deferredWritten(): void {
    this.unwritten = false;
  }

  /** A fresh decoded copy of the arguments, for an attempt (made without the encoded wrapper `args` gives). */
  argsList(): unknown[] {
    return decodeArgs(this.#args);
  }

  /** The live attempt, if one is running. */
  get attempt(): Attempt | undefined {
    const next = this.#next;
    return next instanceof Attempt ? next : undefined;
  }

  set attempt(attempt: Attempt | undefined) {
    if (attempt !== undefined || this.#next instanceof Attempt) this.#next = attempt;
  }

  /** The timer that re-queues the run after a retry's backoff, while it waits (`queued`). */
  get retryTimer(): TimerHandle | undefined {
    const next = this.#next;
    return next instanceof Attempt ? undefined : next;
  }

  set retryTimer(timer: TimerHandle | undefined) {
    if (timer !== undefined || !(this.#next instanceof Attempt)) this.#next = timer;
  }

  /** Attempts that had an outcome (a lost one never happened); the live one is number `attempts + 1`. */
  get attempts(): number {
    return Math.floor(this.#bits / ATTEMPT);
  }

  set attempts(attempts: number) {
    this.#bits = (this.#bits & FLAG_BITS) + attempts * ATTEMPT;
  }

  /** Where the run is in its life. */
  get status(): TaskStatus {
    return STATUSES[this.#bits & STATUS_BITS];
  }

  set status(status: TaskStatus) {
    this.#bits = (this.#bits & ~STATUS_BITS) | STATUS_NUMBER[status];
  }

  /** Whether its submission and outcome are recorded in the journal (standalone tasks are). */
  get journaled(): boolean {
    return (this.#bits & JOURNALED) !== 0;
  }

  set journaled(on: boolean) {
    this.#bits = on ? this.#bits | JOURNALED : this.#bits & ~JOURNALED;
  }

  /** Set while its outcome is being recorded: it can no longer be cancelled. */
  get recording(): boolean {
    return (this.#bits & RECORDING) !== 0;
  }

  set recording(on: boolean) {
    this.#bits = on ? this.#bits | RECORDING : this.#bits & ~RECORDING;
  }

  /** The encoded result, once the run has succeeded. */
  get result(): Encoded | undefined {
    if (this.status !== "succeeded") return undefined;
    const end = this.#end;
    return typeof end === "object" && end !== null ? end as Encoded : { t: "p", v: end as JsonPrimitive };
  }

  /** The error, once the run has failed or was cancelled. */
  get error(): Error | undefined {
    return this.status === "failed" || this.status === "cancelled" ? this.#end as Error : undefined;
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
    const waiters = this.#waitersMade();
    return waiters.outcome ??= new Promise<Encoded>((resolve, reject) => {
      waiters.resolve = resolve;
      waiters.reject = reject;
    });
  }

  /**
   * Resolves with a copy of the result decoded for this caller, or rejects with the task's error:
   * what `get()` waits for. The first caller of an unfinished run is settled directly with its
   * copy, with no promise in between (the usual `task.call().get()`); later ones decode from
   * `outcome()`.
   */
  value(): Promise<unknown> {
    if (this.finished || (this.#end as Waiters | undefined)?.valueResolve !== undefined) {
      return this.outcome().then(decode);
    }
    const waiters = this.#waitersMade();
    return new Promise((resolve, reject) => {
      waiters.valueResolve = resolve;
      waiters.valueReject = reject;
    });
  }

  /** Records success and wakes waiters. */
  settleSuccess(result: Encoded): void {
    if (this.finished) return;
    const waiters = this.#end as Waiters | undefined;
    this.status = "succeeded";
    this.#end = result.t === "p" ? result.v : result;
    this.#releaseArgs();
    if (waiters === undefined) return;
    waiters.resolve?.(result);
    const resolveValue = waiters.valueResolve;
    if (resolveValue === undefined) return;
    let value: unknown;
    try {
      value = decode(result);
    } catch (error) {
      // A result that cannot be decoded (from another peer) fails this wait, as it fails every get().
      return waiters.valueReject!(error);
    }
    resolveValue(value);
  }

  /** Records success once `ack` (the journal's acknowledgement of it) resolves; fails if it rejects. */
  succeedOnAck(ack: Promise<void>, result: Encoded): void {
    ackWaits.succeed(ack, this, result);
  }

  /** Records a final failure once `ack` resolves (or fails with the journal's error). */
  failOnAck(ack: Promise<void>, error: Error): void {
    ackWaits.fail(ack, this, error);
  }

  /**
   * Records a final failure or cancellation and wakes waiters. `keepArgs` keeps the arguments of a
   * run cancelled without its log being told (a shutdown): the log still holds it unfinished, and
   * a checkpoint taken before the log closes writes them from the run.
   */
  settleFailure(status: "failed" | "cancelled", error: Error, keepArgs = false): void {
    if (this.finished) return;
    const waiters = this.#end as Waiters | undefined;
    this.status = status;
    this.#end = error;
    if (!keepArgs) this.#releaseArgs();
    if (waiters === undefined) return;
    waiters.reject?.(error);
    waiters.valueReject?.(error);
  }

  /**
   * Lets the arguments go, unless the log still has to write them (a run cancelled while its
   * submission waits for the disk: it keeps them, a rare case not worth a flag of its own).
   */
  #releaseArgs(): void {
    if ((this.#bits & UNWRITTEN) === 0) this.#args = RELEASED_ARGS;
  }

  /** The waiters of this unfinished run, made on first use. */
  #waitersMade(): Waiters {
    return (this.#end ??= {}) as Waiters;
  }

  /** A `CancelledError` for this task. */
  cancelledError(reason?: string): CancelledError {
    return new CancelledError(this.id, reason);
  }
}

/** About the length of `value`'s JSON: a guess for numbers, exact for an ASCII string without escapes. */
function primitiveBytes(value: JsonPrimitive): number {
  return typeof value === "string" ? value.length + 2 : typeof value === "number" ? 8 : 5;
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
  /** The object store its function reaches through `this` (set by the scheduler that runs it). */
  objects: AttemptObjects | undefined;
  /** The refs the attempt was handed (in its arguments, by `this.put` and `this.get`): released when it ends. */
  #held: Disposable[] | undefined;

  constructor(taskId: string, task: string, attempt: number, slots?: WorkerSlots) {
    this.taskId = taskId;
    this.task = task;
    this.attempt = attempt;
    this.#slots = slots;
  }

  put(value: ReadableStream<Uint8Array>): Promise<HeldRef<Uint8Array>>;
  put<T>(value: T): Promise<HeldRef<T>>;
  async put(value: unknown): Promise<HeldRef<unknown>> {
    const ref = await this.#objectStore("put").put(value);
    // Put after the attempt ended (by work it left running): that ref is left to its holder and the collector.
    if (!this.over) this.held.push(ref);
    return ref;
  }

  async get<T>(ref: RefTo<T>): Promise<T> {
    return await this.#objectStore("get").get(ref, this.over ? undefined : this.held) as T;
  }

  /** Where refs the attempt is handed go, to be released when it ends. */
  get held(): Disposable[] {
    return this.#held ??= [];
  }

  getStream(ref: RefTo<Uint8Array>): ReadableStream<Uint8Array> {
    return this.#objectStore("getStream").getStream(ref);
  }

  #objectStore(method: string): AttemptObjects {
    if (this.objects !== undefined) return this.objects;
    throw new TypeError(
      `this.${method}() in task "${this.task}": the object store runs in local mode only for now (this attempt was placed here by another peer)`,
    );
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
    const held = this.#held;
    if (held !== undefined && held.length > 0) {
      // Released after the current turn: the scheduler encodes a result right after `end()`, and a
      // ref the task returns must still be live then, so the result's copy holds its object.
      queueMicrotask(() => {
        for (const ref of held) ref[Symbol.dispose]();
      });
    }
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
