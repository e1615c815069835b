/**
 * Reading what earlier versions of schema 1 wrote, in the shapes they wrote it: the fold keeps
 * one shape, and these bring older records to it as they are read (from events and from
 * checkpoints). Nothing here is ever written.
 *
 * @module
 */
import type { ErrorData, ErrorField } from "../common/mod.ts";

/**
 * A workflow's failure as logs written before errors had one shape kept it: where it failed at
 * the top level (`node`, `task`, `attempts`), no `code`, no `fields`, a cause of only a name
 * and a message.
 */
interface LegacyWorkflowError extends ErrorData {
  node?: unknown;
  task?: unknown;
  attempts?: unknown;
}

/**
 * `error` of workflow `id` in today's shape: a `WorkflowError`'s point of failure in its
 * `fields`, with its code. Today's records come back as they are.
 */
export function upgradeWorkflowError(id: string, error: ErrorData): ErrorData {
  const legacy = error as LegacyWorkflowError;
  if (legacy.fields !== undefined || legacy.node === undefined) return error;
  const { node, task, attempts, ...rest } = legacy;
  const fields: Record<string, ErrorField> = {
    workflowId: id,
    node: String(node),
    task: typeof task === "string" ? task : "?",
    attempts: typeof attempts === "number" ? attempts : 0,
  };
  return { ...rest, code: rest.code ?? "WORKFLOW_FAILED", fields };
}

/**
 * A task record of a checkpoint written before runs had one set of status words: an unfinished
 * one was `"pending"`, today `"queued"`.
 */
export function upgradeTaskStatus(record: { status: string }): void {
  if (record.status === "pending") record.status = "queued";
}
