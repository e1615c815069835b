/**
 * What the event log's writer queues: the stretch of events one turn appends (it becomes a
 * record), the write jobs waiting their turn, and the deferred their appenders share.
 *
 * @module
 */
import type { WriteOp } from "./backend.ts";
import type { RecordBuilder } from "./record_builder.ts";

/** Events appended in one turn of the event loop: they become one record and share one promise. */
export interface Stretch {
  record: RecordBuilder;
  done: PromiseWithResolvers<void>;
}

/**
 * A write waiting its turn; `build` runs when it is issued, so it sees every write before it, and
 * is dropped then (with what it holds: the events' text) while the write is in flight.
 */
export interface Job {
  build: (() => WriteOp[]) | undefined;
  /** About how many bytes it writes (the text it holds). */
  bytes: number;
  done: PromiseWithResolvers<void>;
}

/** A deferred whose rejection counts as handled: appenders may drop the promise, `failure` keeps the error. */
export function handled(): PromiseWithResolvers<void> {
  const deferred = Promise.withResolvers<void>();
  deferred.promise.catch(() => undefined);
  return deferred;
}
