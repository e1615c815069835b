/**
 * The events a workflow writes to the log (schema version 1; the README's table lists them). The
 * executor records them; the app's fold reads them back and resumes a workflow from them.
 *
 * @module
 */
import type { Encoded, ErrorData } from "../common/mod.ts";
import type { Journal } from "../store/mod.ts";
import type { WorkflowGraph } from "./graph.ts";

/** A workflow was submitted, with its whole compiled DAG (plain data). */
export type WorkflowStarted = { readonly type: "workflow.started"; readonly id: string; readonly graph: WorkflowGraph };

/**
 * A task node finished: `node` is its instance id (`n3`, `n5[2]` in a map, `n7#4` in a loop
 * round). It is not run again after a restart.
 */
export type WorkflowNodeDone = {
  readonly type: "workflow.node";
  readonly id: string;
  readonly node: string;
  readonly result: Encoded;
};

/** The workflow succeeded. */
export type WorkflowSucceeded = { readonly type: "workflow.succeeded"; readonly id: string; readonly result: Encoded };

/** The workflow failed: `error` is its `WorkflowError` (fields `node`, `task`, `attempts`; its cause). */
export type WorkflowFailed = { readonly type: "workflow.failed"; readonly id: string; readonly error: ErrorData };

/** The workflow was cancelled. */
export type WorkflowCancelled = { readonly type: "workflow.cancelled"; readonly id: string };

/** Every event of a workflow. */
export type WorkflowEvent =
  | WorkflowStarted
  | WorkflowNodeDone
  | WorkflowSucceeded
  | WorkflowFailed
  | WorkflowCancelled;

/** The journal a workflow records to. */
export type WorkflowJournal = Journal<WorkflowEvent>;
