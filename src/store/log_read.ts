/**
 * Reading a log back: its events after a seq, and its newest checkpoint. Frames are checked again
 * as they are read, so damage that appears after recovery is reported, not returned.
 *
 * @module
 */

import { LogCorruptedError } from "../common/errors.ts";
import type { Backend } from "./backend.ts";
import type { JournalEvent } from "./journal.ts";
import {
  CHECKPOINT_PREFIX,
  intactPayload,
  keySeq,
  parsePayload,
  prefixEnd,
  RECORD_PREFIX,
  seqKey,
} from "./log_format.ts";

/** The newest checkpoint in `backend`, or `undefined`. */
export function readLatestCheckpoint(backend: Backend): { seq: number; state: unknown } | undefined {
  const newest = { start: CHECKPOINT_PREFIX, end: prefixEnd(CHECKPOINT_PREFIX), reverse: true, limit: 1 };
  for (const { key, value } of backend.range(newest)) {
    const seq = keySeq(CHECKPOINT_PREFIX, key) ?? 0;
    return { seq, state: parsePayload(intactPayload(value, seq, `The event log checkpoint at seq ${seq}`)) };
  }
  return undefined;
}

/** An event with the sequence number the log gave it. */
export interface LoggedEvent {
  seq: number;
  event: JournalEvent;
}

/**
 * The events with seq > `afterSeq`, lazily. Throws a `RangeError` while iterating if some of
 * them were compacted into a checkpoint, rather than hand back a log with a hole.
 */
export function* readEvents(backend: Backend, afterSeq: number): Generator<LoggedEvent> {
  const end = prefixEnd(RECORD_PREFIX);
  // Start at the record holding afterSeq + 1: the last one whose first seq is <= afterSeq + 1.
  let start = RECORD_PREFIX;
  for (const { key } of backend.range({ start, end: seqKey(RECORD_PREFIX, afterSeq + 2), reverse: true, limit: 1 })) {
    start = key;
  }
  let next = afterSeq + 1;
  for (const { key, value } of backend.range({ start, end })) {
    const first = keySeq(RECORD_PREFIX, key) ?? next;
    const events = parsePayload(intactPayload(value, first, `The event log record at seq ${first}`));
    if (!Array.isArray(events)) throw new LogCorruptedError(first, "its payload is not an array of events");
    for (let i = 0; i < events.length; i++) {
      const seq = first + i;
      if (seq < next) continue;
      if (seq > next) missing(next, seq, latestCheckpointSeq(backend));
      yield { seq, event: events[i] };
      next++;
    }
  }
  const checkpoint = latestCheckpointSeq(backend);
  if (next <= checkpoint) missing(next, checkpoint + 1, checkpoint);
}

/** The seq of the newest checkpoint (0 without one), read and checked like the checkpoint itself. */
function latestCheckpointSeq(backend: Backend): number {
  return readLatestCheckpoint(backend)?.seq ?? 0;
}

/** Explains seqs `from` to `to - 1` that are not in the log, given the newest checkpoint's seq. */
function missing(from: number, to: number, checkpoint: number): never {
  if (from <= checkpoint) {
    throw new RangeError(
      `Cannot read events ${from} to ${
        to - 1
      }: they were compacted into the checkpoint at seq ${checkpoint}; read after seq ${checkpoint}`,
    );
  }
  throw new LogCorruptedError(from, `seqs ${from} to ${to - 1} are missing`);
}
