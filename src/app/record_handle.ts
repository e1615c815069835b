/**
 * A handle over a finished task or workflow that the log remembers (`getResult` after a restart).
 *
 * @module
 */
import {
  CancelledError,
  type Clock,
  type Encoded,
  type ErrorData,
  type GetOptions,
  rebuildError,
  TaskError,
  waitFor,
  WorkflowError,
} from "../common/mod.ts";
import {
  EncodedResultHandle,
  encodedResultOf,
  type EncodedResultSource,
  type RunHandle,
  type RunStatus,
} from "../task/mod.ts";

/** What the log remembers of a finished run. */
export interface FinishedRecord {
  kind: "task" | "workflow";
  /** The task's name (tasks only). */
  task?: string;
  status: "succeeded" | "failed" | "cancelled";
  result?: Encoded;
  error?: ErrorData;
  attempts?: number;
}

/** The handle of a finished run, rebuilt from its record. */
export class RecordHandle<T> extends EncodedResultHandle<T> {
  readonly id: string;
  protected readonly clock: Clock;
  readonly #record: FinishedRecord;

  constructor(id: string, record: FinishedRecord, clock: Clock) {
    super();
    this.id = id;
    this.#record = record;
    this.clock = clock;
  }

  protected outcome(): Promise<Encoded> {
    const record = this.#record;
    if (record.status === "succeeded") return Promise.resolve(record.result ?? { t: "p", v: undefined });
    if (record.status === "cancelled") return Promise.reject(new CancelledError(this.id));
    const error = rebuildError(record.error ?? { name: "Error", message: "unknown error" });
    // A task's record keeps what its last attempt threw; a workflow's, its WorkflowError.
    if (record.kind === "task") {
      return Promise.reject(new TaskError(record.task ?? "?", this.id, record.attempts ?? 1, error));
    }
    if (error instanceof WorkflowError) return Promise.reject(error);
    return Promise.reject(new WorkflowError(this.id, { node: "?", task: "?", attempts: 0 }, error));
  }

  status(): Promise<RunStatus> {
    return Promise.resolve(this.#record.status);
  }

  cancel(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

/**
 * A handle found by id once the app has started (and recovered): `getResult` returns it at once,
 * so that `await app.getResult(id)` gives the result, like awaiting the original handle. The
 * lookup is boxed (`{ handle }`) because a promise would unwrap the awaitable handle itself.
 */
export class LookupHandle<T> implements RunHandle<T>, EncodedResultSource {
  readonly id: string;
  readonly #clock: Clock;
  readonly #lookup: () => Promise<{ handle: RunHandle<T> }>;
  #found: Promise<{ handle: RunHandle<T> }> | undefined;

  constructor(id: string, clock: Clock, lookup: () => Promise<{ handle: RunHandle<T> }>) {
    this.id = id;
    this.#clock = clock;
    this.#lookup = lookup;
  }

  #handle(): Promise<{ handle: RunHandle<T> }> {
    this.#found ??= this.#lookup();
    return this.#found;
  }

  get(options?: GetOptions): Promise<T> {
    return waitFor(this.#handle().then(({ handle }) => handle.get()), this.id, this.#clock, options);
  }

  /** Internal: the found handle's encoded outcome (see {@linkcode EncodedResultSource}). */
  encodedResult(): Promise<Encoded> {
    return this.#handle().then(({ handle }) => encodedResultOf(handle));
  }

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.get().then(onFulfilled, onRejected);
  }

  status(): Promise<RunStatus> {
    return this.#handle().then(({ handle }) => handle.status());
  }

  cancel(): Promise<boolean> {
    return this.#handle().then(({ handle }) => handle.cancel());
  }
}
