/**
 * The sizes the event log writes in: records, writes, and the backlog past which producers are
 * asked to wait.
 *
 * @module
 */

/** A stretch larger than this is cut into several records, to keep values (and strings) bounded. */
export const MAX_RECORD_BYTES = 1 << 20;
/** Most bytes a record's buffer grows to: room for the event that takes it past MAX_RECORD_BYTES. */
export const RECORD_BUFFER_BYTES = MAX_RECORD_BYTES + (64 << 10);
/**
 * One backend write takes queued jobs up to about this many bytes (at least one job): a backlog
 * (a million tasks submitted at once) goes out in writes of a few records each, instead of one
 * write holding the whole backlog three times over (text, frames, the backend's copies).
 */
export const MAX_WRITE_BYTES = 4 * MAX_RECORD_BYTES;
/** A backlog past this many bytes asks producers that can wait to wait (see `backpressure`)… */
export const PRESSURE_BYTES = 4 * MAX_WRITE_BYTES;
/** …until it is down to this many: between the two, the writer always has the next write ready. */
export const RELIEF_BYTES = 2 * MAX_WRITE_BYTES;
