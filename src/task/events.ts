/**
 * The events a standalone task run writes to the log (schema version 1; the README's table
 * lists them). The scheduler records them; the app's fold reads them back.
 *
 * @module
 */
import type { Encoded, ErrorData } from "../common/mod.ts";
import type { Journal } from "../store/mod.ts";

/** A run was submitted: enough to run it again after a restart. */
export type TaskSubmitted = {
  readonly type: "task.submitted";
  readonly id: string;
  /** The task's registered name. */
  readonly task: string;
  /** Its arguments, encoded as one list. */
  readonly args: Encoded;
};

/** The run succeeded, after `attempts` attempts. */
export type TaskSucceeded = {
  readonly type: "task.succeeded";
  readonly id: string;
  readonly result: Encoded;
  readonly attempts: number;
};

/** The run failed for good after `attempts` attempts; `error` is what its last attempt threw. */
export type TaskFailed = {
  readonly type: "task.failed";
  readonly id: string;
  readonly attempts: number;
  readonly error: ErrorData;
};

/** The run was cancelled. */
export type TaskCancelled = { readonly type: "task.cancelled"; readonly id: string };

/** Attempt `attempt` of the run was sent to the member `peer` (for audits: recovery ignores it). */
export type TaskDispatched = {
  readonly type: "task.dispatched";
  readonly id: string;
  readonly task: string;
  readonly peer: string;
  readonly attempt: number;
};

/** Every event of a standalone task run. */
export type TaskEvent = TaskSubmitted | TaskSucceeded | TaskFailed | TaskCancelled | TaskDispatched;

/** The journal the scheduler records to. */
export type TaskJournal = Journal<TaskEvent>;
