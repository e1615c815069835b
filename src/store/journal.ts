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

/**
 * An event recorded by reference: a durable log holds the object until it writes the event's
 * record, and only then makes its JSON. A million tasks submitted at once, faster than the disk
 * commits them, then wait as a million references to runs that are held anyway, instead of a
 * million texts of about a hundred bytes each.
 *
 * From its recording until `deferredWritten()` is called, `deferredEvent()` must give the same
 * event (the same JSON) every time: the log may call it when it folds the event and again when it
 * writes it. Its fields must be JSON-safe by construction: a failure to serialize at write time
 * stops the log.
 */
export interface DeferredEvent<E extends JournalEvent = JournalEvent> {
  /** The event as it was recorded. */
  deferredEvent(): E;
  /**
   * About how many bytes of JSON the event makes: what the log counts it for (records' sizes,
   * its backlog) until it is written. A guess is fine; a gross underestimate only makes records larger.
   */
  readonly deferredBytes: number;
  /** The event's JSON is made (its record is about to be written): what it read may be released. */
  deferredWritten(): void;
}

/** Where state changes are recorded: events of type `E`. */
export interface Journal<E extends JournalEvent = JournalEvent> {
  /** Records `event`; resolves when it is acknowledged, or returns `undefined` when nothing is kept. */
  record(event: E): Promise<void> | undefined;
  /**
   * Records `source.deferredEvent()` as `record` does, acknowledged exactly as that would be, but
   * may hold `source` itself until the event is written (see {@linkcode DeferredEvent}). Absent
   * where holding the event costs nothing (memory mode): call `record` then. A journal that
   * has it calls `source.deferredWritten()` once it has made the event's JSON (never, if it fails first).
   */
  recordDeferred?(source: DeferredEvent<E>): Promise<void> | undefined;
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
