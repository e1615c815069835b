/**
 * The event log's schema: every event an app writes, as one discriminated union of what each
 * layer declares (`task/events.ts`, `workflow/events.ts`, `actor/events.ts`). The app's journal
 * takes exactly these and its fold reads exactly these, so an event with a misspelt type or
 * field is a compile error on both sides. The README's "The event log (schema version 1)" lists
 * them with their fields.
 *
 * @module
 */
import type { ActorEvent } from "../actor/mod.ts";
import type { Journal } from "../store/mod.ts";
import type { TaskEvent } from "../task/mod.ts";
import type { WorkflowEvent } from "../workflow/mod.ts";

/** Every event of the log (schema version 1). */
export type ActantEvent = TaskEvent | WorkflowEvent | ActorEvent;

/** Every event's `type`. */
export type ActantEventType = ActantEvent["type"];

/** The app's journal: it takes every event of the schema. */
export type ActantJournal = Journal<ActantEvent>;
