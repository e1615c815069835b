/**
 * Opening an event log: its records checked (a torn last record deleted, unless it was
 * acknowledged), and its metadata frame written when the log is new or has no id yet.
 *
 * @module
 */
import { describe, LogCorruptedError, StorageError } from "../common/errors.ts";
import type { Backend, WriteOp } from "./backend.ts";
import { encodeFrame, intactPayload, META_KEY, parsePayload } from "./log_format.ts";
import { type LogScan, scanLog } from "./log_scan.ts";

/**
 * Scans the log in `backend` and repairs what opening it repairs; returns the scan and the log's
 * id. `acknowledged` is the last seq known to have been acknowledged; `warn` is told of a dropped
 * torn record.
 *
 * @throws {LogCorruptedError} when a damaged record has records after it, or is at or below `acknowledged`.
 * @throws {SchemaVersionError} when the log was written by a newer Actant.
 * @throws {StorageError} when the repairs cannot be written.
 */
export async function prepareLog(
  backend: Backend,
  acknowledged: number,
  warn: (message: string) => void,
): Promise<{ scan: LogScan; id: string }> {
  const scan = scanLog(backend);
  if (scan.torn !== undefined && scan.torn.seq <= acknowledged) {
    throw new LogCorruptedError(
      scan.torn.seq,
      `${scan.torn.reason}; it is the last record, but seq ${acknowledged} was acknowledged, ` +
        "so it is damage, not a torn write",
    );
  }
  const repairs: WriteOp[] = [];
  if (scan.torn !== undefined) repairs.push({ type: "delete", key: scan.torn.key });
  const meta = scan.needsMeta ? {} : logMeta(backend);
  const id = typeof meta.id === "string" ? meta.id : crypto.randomUUID();
  if (meta.id !== id) {
    // A new log, or one written before logs had an id: the id lets a seal tell this log from another.
    const value = encodeFrame(1, JSON.stringify({ log: "actant-events", ...meta, id }));
    repairs.push({ type: "put", key: META_KEY, value });
  }
  if (repairs.length > 0) {
    try {
      await backend.write(repairs).durable;
    } catch (cause) {
      throw new StorageError(`Cannot prepare the event log: ${describe(cause)}`, { cause });
    }
  }
  if (scan.torn !== undefined) {
    warn(
      `Event log: dropped the torn last record at seq ${scan.torn.seq} (${scan.torn.reason}); the log now ends at seq ${scan.lastSeq}`,
    );
  }
  return { scan, id };
}

/** The fields of the log's metadata frame. */
function logMeta(backend: Backend): Record<string, unknown> {
  const value = parsePayload(intactPayload(backend.get(META_KEY)!, 0, "The event log's metadata"));
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : {};
}
