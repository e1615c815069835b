/**
 * The journal: how the layers above record their state changes. With a durable log behind it,
 * `record` appends to the log and its promise resolves once the event is acknowledged; in memory
 * mode nothing is kept and `record` returns `undefined`, so the hot path stays synchronous.
 *
 * The store knows no event but by its `type`: each layer above declares its own events as a
 * union (`TaskEvent`, `WorkflowEvent`, `ActorEvent`) and records through a `Journal` of that
 * union, so an event with a misspelt type or field does not compile; the app's journal takes
 * them all.
 *
 * @module
 */

/** An event: a `type` and JSON-safe fields. Every layer's events are of this form. */
export interface JournalEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Where state changes are recorded: events of type `E`. */
export interface Journal<E extends JournalEvent = JournalEvent> {
  /** Records `event`; resolves when it is acknowledged, or returns `undefined` when nothing is kept. */
  record(event: E): Promise<void> | undefined;
  /**
   * `undefined` while the journal keeps up with what is recorded; otherwise a promise that
   * resolves once it has caught up enough. Producers that can wait (the scheduler, before it
   * starts another attempt) do, so a burst recorded faster than the disk commits it does not also
   * pile up every result behind it in memory.
   */
  backpressure?(): Promise<void> | undefined;
}

/** The journal of memory mode: keeps nothing. */
export const noJournal: Journal = { record: () => undefined };
