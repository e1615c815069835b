/**
 * The attempt runner: runs single attempts that another owner placed on this peer, each the
 * task's function with its context (the owner's run id and attempt number, a signal that aborts
 * on cancellation), in a slot of the budget this peer's scheduler uses too. It keeps no record
 * and makes no retries or timeouts: those stay with the owner, which holds the run.
 *
 * @module
 */
import { CancelledError, decode, encode, type Encoded, TaskError, UnknownTaskError } from "../common/mod.ts";
import type { TaskDefinition, TaskRegistry } from "./registry.ts";
import { Attempt } from "./task_run.ts";
import { isThenable, toError } from "./values.ts";
import type { WorkerSlots } from "./worker_slots.ts";

/** The attempt's place on its owner, as the owner says: the run's id and the attempt's number (1 for the first). */
export interface PlacedAttemptOrigin {
  readonly runId: string;
  readonly attempt: number;
}

/** One attempt placed here, waiting for a slot or running. */
export interface PlacedAttempt {
  /**
   * The encoded result; rejects with a `TaskError` (its `cause` is the task's own error) when the
   * attempt fails, or with a `CancelledError` when it is cancelled.
   */
  readonly outcome: Promise<Encoded>;
  /** Drops the attempt if it waits for a slot, or aborts its signal if it runs; nothing once it is over. */
  cancel(reason: string): void;
}

/** Runs the attempts other owners place here, within the slots of this process. */
export class AttemptRunner {
  readonly #registry: TaskRegistry;
  readonly #slots: WorkerSlots;

  constructor(registry: TaskRegistry, slots: WorkerSlots) {
    this.#registry = registry;
    this.#slots = slots;
  }

  /**
   * Starts an attempt of `task` with `args` (an encoded list, as the owner sent it), as soon as a
   * slot is free.
   *
   * @throws {UnknownTaskError} when this process does not register `task`
   * @throws {TypeError} when `args` is not an encoded list
   */
  run(task: string, args: Encoded, origin: PlacedAttemptOrigin): PlacedAttempt {
    const definition = this.#registry.definition(task);
    if (definition === undefined) throw new UnknownTaskError(task, this.#registry.names());
    if (!isEncodedList(args)) throw new TypeError(`The arguments of an attempt of "${task}" must be an encoded list`);
    this.#slots.counts.submitted++;
    return new Placed(definition, args, origin, this.#slots);
  }
}

/** One placed attempt: waiting in line, then running, then over. */
class Placed implements PlacedAttempt {
  readonly outcome: Promise<Encoded>;
  readonly #definition: TaskDefinition;
  readonly #args: Encoded;
  readonly #origin: PlacedAttemptOrigin;
  readonly #slots: WorkerSlots;
  readonly #done = Promise.withResolvers<Encoded>();
  /** Set once it starts, holding its slot. */
  #context: Attempt | undefined;
  #over = false;

  constructor(definition: TaskDefinition, args: Encoded, origin: PlacedAttemptOrigin, slots: WorkerSlots) {
    this.#definition = definition;
    this.#args = args;
    this.#origin = origin;
    this.#slots = slots;
    this.outcome = this.#done.promise;
    // Its failure is the caller's to handle, through `outcome`; this promise itself is not left unhandled.
    this.outcome.catch(() => {});
    slots.queue(this.#start);
  }

  /** Runs the task in the slot it was given. */
  readonly #start = (): void => {
    // Cancelled after it was given its slot, before it could start.
    if (this.#over) return this.#slots.release();
    const { name, fn } = this.#definition;
    const context = new Attempt(this.#origin.runId, name, this.#origin.attempt, this.#slots);
    this.#context = context;
    let output: unknown;
    try {
      output = fn.apply(context, decode<unknown[]>(this.#args));
    } catch (error) {
      return this.#failed(error);
    }
    if (!isThenable(output)) return this.#succeeded(output);
    output.then((value) => this.#succeeded(value), (error) => this.#failed(error));
  };

  cancel(reason: string): void {
    if (this.#over) return;
    const context = this.#context;
    if (context !== undefined && !context.end()) return;
    // Waiting in line: it leaves the line (else it was given a slot, and its start gives it back).
    if (context === undefined) this.#slots.dequeue(this.#start);
    this.#over = true;
    const error = new CancelledError(this.#origin.runId, reason);
    context?.abort(error);
    this.#slots.counts.cancelled++;
    this.#done.reject(error);
  }

  #succeeded(value: unknown): void {
    if (!this.#context!.end()) return;
    let encoded: Encoded;
    try {
      encoded = encode(value, `result of task "${this.#definition.name}"`);
    } catch (error) {
      return this.#fail(error);
    }
    this.#over = true;
    this.#slots.counts.succeeded++;
    this.#done.resolve(encoded);
  }

  #failed(error: unknown): void {
    if (this.#context!.end()) this.#fail(error);
  }

  #fail(error: unknown): void {
    this.#over = true;
    this.#slots.counts.failed++;
    const cause = toError(error);
    this.#done.reject(new TaskError(this.#definition.name, this.#origin.runId, this.#origin.attempt, cause));
  }
}

/** Whether `args` (from the network) decodes to a list, as a task's arguments must. */
function isEncodedList(args: Encoded): boolean {
  if ((args as { t?: unknown })?.t === "a") return Array.isArray((args as { v?: unknown }).v);
  try {
    return Array.isArray(decode(args));
  } catch {
    return false;
  }
}
