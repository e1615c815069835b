/**
 * Recovery's first step: one pass over a log's keys that checks every frame and finds where the
 * log ends. Damage is never skipped: only a damaged *last* record (a torn write) is dropped.
 *
 * @module
 */

import { LogCorruptedError, SchemaVersionError } from "../common/errors.ts";
import type { Backend } from "./backend.ts";
import {
  checkFrame,
  CHECKPOINT_PREFIX,
  EVENT_SCHEMA_VERSION,
  intactPayload,
  keySeq,
  META_KEY,
  prefixEnd,
  RECORD_PREFIX,
} from "./log_format.ts";

/** Where one record sits and which seqs it holds. */
export interface RecordSpan {
  key: string;
  first: number;
  count: number;
}

/** What a scan found. */
export interface LogScan {
  /** The seq of the last event (0 for an empty log). */
  lastSeq: number;
  /** The intact records, in seq order. */
  records: RecordSpan[];
  /** The newest checkpoint's seq (0 when there is none). */
  checkpointSeq: number;
  /** Every checkpoint key (normally one); older ones go at the next checkpoint. */
  checkpointKeys: string[];
  /** A damaged last record, to be dropped. */
  torn?: { key: string; seq: number; reason: string };
  /** Whether the metadata frame has yet to be written (a new log). */
  needsMeta: boolean;
}

/**
 * Checks the metadata, the newest checkpoint and every record of the log in `backend`.
 *
 * @throws {SchemaVersionError} when any of them was written by a newer schema.
 * @throws {LogCorruptedError} when a damaged record has records after it, or seqs are missing.
 */
export function scanLog(backend: Backend): LogScan {
  const meta = backend.get(META_KEY);
  if (meta !== undefined) intactPayload(meta, 0, "The event log's metadata");

  const checkpointKeys = [...keysWith(backend, CHECKPOINT_PREFIX)];
  let checkpointSeq = 0;
  const newest = checkpointKeys.at(-1);
  if (newest !== undefined) {
    checkpointSeq = seqOf(CHECKPOINT_PREFIX, newest, 0);
    intactPayload(
      backend.get(newest) ?? new Uint8Array(),
      checkpointSeq,
      `The event log checkpoint at seq ${checkpointSeq}`,
    );
  }

  const records: RecordSpan[] = [];
  let damaged: LogScan["torn"];
  // The next seq a record must start at; after compaction the first record may start inside the checkpoint.
  let expected: number | undefined = checkpointSeq === 0 ? 1 : undefined;
  for (const { key, value } of backend.range({ start: RECORD_PREFIX, end: prefixEnd(RECORD_PREFIX) })) {
    const first = seqOf(RECORD_PREFIX, key, expected ?? checkpointSeq + 1);
    if (damaged !== undefined) {
      throw new LogCorruptedError(damaged.seq, `${damaged.reason}; the record at seq ${first} follows it`);
    }
    if (expected === undefined ? first > checkpointSeq + 1 : first !== expected) {
      const from = expected ?? checkpointSeq + 1;
      throw new LogCorruptedError(from, `seqs ${from} to ${first - 1} are missing before the record at seq ${first}`);
    }
    const check = checkFrame(value);
    if (check.kind === "newer") {
      throw new SchemaVersionError(check.version, EVENT_SCHEMA_VERSION, `The event log record at seq ${first}`);
    }
    if (check.kind === "damaged" || check.count === 0) {
      damaged = { key, seq: first, reason: check.kind === "damaged" ? check.reason : "it holds no events" };
      continue;
    }
    records.push({ key, first, count: check.count });
    expected = first + check.count;
  }
  const recordEnd = expected === undefined ? 0 : expected - 1;
  return {
    lastSeq: Math.max(checkpointSeq, recordEnd),
    records,
    checkpointSeq,
    checkpointKeys,
    torn: damaged,
    needsMeta: meta === undefined,
  };
}

function* keysWith(backend: Backend, prefix: string): Generator<string> {
  for (const { key } of backend.range({ start: prefix, end: prefixEnd(prefix) })) yield key;
}

/** The seq in one of our keys; a foreign key under our prefixes is damage, not something to skip. */
function seqOf(prefix: string, key: string, near: number): number {
  const seq = keySeq(prefix, key);
  if (seq === undefined) throw new LogCorruptedError(near, `unexpected key ${JSON.stringify(key)} in the log`);
  return seq;
}
