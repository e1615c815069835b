/**
 * Type tests of the event log's schema: every producer records through a journal of its layer's
 * events and the fold takes the app's union, so a misspelt type, a misspelt or missing field, or
 * one layer's event in another's journal is a compile error; and runs have one set of status
 * words. Only type-checked (`tsc -p .`): every `@ts-expect-error` line proves a mistake does not
 * compile; nothing here runs.
 *
 * @module
 */
import type { ActorJournal } from "../../src/actor/mod.ts";
import { DurableState } from "../../src/app/durable_state.ts";
import type { ActantEventType, ActantJournal } from "../../src/app/events.ts";
import type { Encoded, ErrorData } from "../../src/common/mod.ts";
import type { RunStatus, TaskJournal } from "../../src/task/mod.ts";
import type { WorkflowJournal } from "../../src/workflow/mod.ts";
import { assert, type Equal } from "./expect.ts";

declare const tasks: TaskJournal;
declare const workflows: WorkflowJournal;
declare const actors: ActorJournal;
declare const app: ActantJournal;
declare const args: Encoded;
declare const error: ErrorData;

/** Never called: the records only have to type-check (or fail to, where marked). */
export function eventTypes(): void {
  // The events of schema version 1, each as its producer writes it.
  tasks.record({ type: "task.submitted", id: "t1", task: "add", args });
  tasks.record({ type: "task.succeeded", id: "t1", result: args, attempts: 1 });
  tasks.record({ type: "task.failed", id: "t1", attempts: 2, error });
  tasks.record({ type: "task.cancelled", id: "t1" });
  tasks.record({ type: "task.dispatched", id: "t1", task: "add", peer: "12D3KooW", attempt: 1 });
  workflows.record({ type: "workflow.node", id: "w1", node: "n3", result: args });
  workflows.record({ type: "workflow.failed", id: "w1", error });
  actors.record({ type: "actor.created", id: "a1", actor: "Counter", args });
  actors.record({ type: "actor.call", id: "a1", n: 1, method: "add", args, key: 7, error });
  actors.record({ type: "actor.checkpoint", id: "a1", n: 1, state: args });
  app.record({ type: "actor.stopped", id: "a1" });

  // @ts-expect-error: a misspelt type
  tasks.record({ type: "task.submited", id: "t1", task: "add", args });
  // @ts-expect-error: a misspelt field (`tsk`), so `task` is missing too
  tasks.record({ type: "task.submitted", id: "t1", tsk: "add", args });
  // @ts-expect-error: a missing field: a success records its attempts
  tasks.record({ type: "task.succeeded", id: "t1", result: args });
  // @ts-expect-error: a field of the wrong type
  tasks.record({ type: "task.failed", id: "t1", attempts: "2", error });
  // @ts-expect-error: an error is data with a name and a message, not an Error
  tasks.record({ type: "task.failed", id: "t1", attempts: 2, error: new Error("boom") });
  // @ts-expect-error: a task event is not a workflow's
  workflows.record({ type: "task.cancelled", id: "t1" });
  // @ts-expect-error: an actor's call has a position `n`
  actors.record({ type: "actor.call", id: "a1", method: "add", args });
  // @ts-expect-error: the app's journal takes the schema's events only
  app.record({ type: "actor.moved", id: "a1" });

  // The fold takes the same union.
  const state = new DurableState();
  state.apply({ type: "workflow.cancelled", id: "w1" });
  // @ts-expect-error: nor does the fold take an event outside it
  state.apply({ type: "workflow.canceled", id: "w1" });

  // The union is exactly the README's table.
  assert<
    Equal<
      ActantEventType,
      | "task.submitted"
      | "task.succeeded"
      | "task.failed"
      | "task.cancelled"
      | "task.dispatched"
      | "workflow.started"
      | "workflow.node"
      | "workflow.succeeded"
      | "workflow.failed"
      | "workflow.cancelled"
      | "actor.created"
      | "actor.call"
      | "actor.restarted"
      | "actor.checkpoint"
      | "actor.stopped"
    >
  >();

  // One set of status words for every run, here, remote or read back from the log.
  assert<Equal<RunStatus, "queued" | "running" | "succeeded" | "failed" | "cancelled">>();
}
