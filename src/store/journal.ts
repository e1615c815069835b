/**
 * The journal: how the layers above record their state changes. With a durable log behind it,
 * `record` appends to the log and its promise resolves once the event is acknowledged; in memory
 * mode nothing is kept and `record` returns `undefined`, so the hot path stays synchronous.
 *
 * @module
 */

/** An event: a `type` and JSON-safe fields. */
export interface JournalEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Where state changes are recorded. */
export interface Journal {
  /** Records `event`; resolves when it is acknowledged, or returns `undefined` when nothing is kept. */
  record(event: JournalEvent): Promise<void> | undefined;
}

/** The journal of memory mode: keeps nothing. */
export const noJournal: Journal = { record: () => undefined };
