/**
 * The event log: the node's source of truth. Every state change is appended as an event and
 * acknowledged only once stored; recovery replays from the newest checkpoint.
 *
 * @module
 */

import { describe, StorageError } from "../common/errors.ts";
import { afterTurn } from "../runtime/next_turn.ts";
import type { Backend, WriteOp } from "./backend.ts";
import type { DeferredEvent, JournalEvent } from "./journal.ts";
import { CHECKPOINT_PREFIX, encodeFrame, EVENT_SCHEMA_VERSION, RECORD_PREFIX, seqKey } from "./log_format.ts";
import { type LoggedEvent, readEvents, readLatestCheckpoint } from "./log_read.ts";
import type { LogScan, RecordSpan } from "./log_scan.ts";
import { freeBytes } from "./free_bytes.ts";
import { prepareLog } from "./log_open.ts";
import { eventJSON, stateJSON } from "./log_json.ts";
import { INITIAL_RECORD_BYTES, RecordBuilder } from "./record_builder.ts";
import { handled, type Job, type Stretch } from "./log_jobs.ts";
import { MAX_RECORD_BYTES, MAX_WRITE_BYTES, PRESSURE_BYTES, RECORD_BUFFER_BYTES, RELIEF_BYTES } from "./log_sizes.ts";

export { EVENT_SCHEMA_VERSION };

/** An event: a JSON-safe object with a `type` (what a {@linkcode JournalEvent} records). */
export type LogEvent = JournalEvent;

export type { LoggedEvent } from "./log_read.ts";

/** How an {@linkcode EventLog} acknowledges. */
export interface EventLogOptions {
  /** `"sync"`: once fsynced; `"batched"`: once committed (survives a process kill, not a power cut). */
  durability: "sync" | "batched";
  /** Told when recovery drops a torn last record; `console.warn` by default. */
  warn?: (message: string) => void;
  /**
   * The last seq known to have been acknowledged (kept outside the backend, e.g. in the data
   * directory's seal). A damaged last record at or below it is not a torn write but damage to
   * acknowledged work: the open fails with `LogCorruptedError` instead of dropping it.
   */
  acknowledgedSeq?: number;
}

/**
 * An append-only log of events in a {@linkcode Backend}, with group commit, checksums, torn-write
 * recovery and checkpoints that compact what they cover.
 *
 * Reads (`read`, `latestCheckpoint`) see what the backend has committed: `await flush()` first to
 * include every append. Writes go out one batch at a time, each after the previous one committed,
 * so a failed write never leaves a later record behind a hole.
 *
 * @example
 * ```ts
 * import { MemoryBackend } from "./memory_backend.ts";
 *
 * const log = await EventLog.open(new MemoryBackend(), { durability: "batched" });
 * log.append({ type: "task.submitted", id: "t1" });
 * await log.append({ type: "task.started", id: "t1" }); // same record, same promise
 * for (const { seq, event } of log.read(0)) console.log(seq, event.type);
 * await log.close();
 * ```
 */
export class EventLog {
  #backend: Backend;
  #durability: "sync" | "batched";
  #lastSeq: number;
  #records: RecordSpan[];
  #checkpointSeq: number;
  #checkpointKeys: string[];
  #stretch: Stretch | undefined;
  #queue: Job[] = [];
  /** Bytes appended (events, checkpoints) and not yet handed to the backend. */
  #backlog = 0;
  #writing = false;
  /** Settles once everything handed to the writer so far is acknowledged. */
  #settled: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;
  /**
   * The jobs of the writes issued and not yet acknowledged (in `"sync"`, a write can be committed
   * and waiting for its fsync while the next one is issued): `halt` must reject them even if the
   * backend commits them later.
   */
  readonly #inFlight = new Set<Job[]>();
  #halted = false;
  readonly #id: string;
  #failed: Promise<never> | undefined;
  #closed = false;
  /** Resolved once the backlog is down to RELIEF_BYTES (made when someone asks past PRESSURE_BYTES). */
  #relief: PromiseWithResolvers<void> | undefined;

  private constructor(backend: Backend, options: EventLogOptions, scan: LogScan, id: string) {
    this.#backend = backend;
    this.#id = id;
    this.#durability = options.durability;
    this.#lastSeq = scan.lastSeq;
    this.#records = scan.records;
    this.#checkpointSeq = scan.checkpointSeq;
    this.#checkpointKeys = scan.checkpointKeys;
  }

  /**
   * Opens the log in `backend`, checking every record. A damaged last record is a torn write: it
   * is deleted and `warn` is told its seq.
   *
   * @throws {LogCorruptedError} when a damaged record has records after it.
   * @throws {SchemaVersionError} when the log was written by a newer Actant.
   */
  static async open(backend: Backend, options: EventLogOptions): Promise<EventLog> {
    if (options?.durability !== "sync" && options?.durability !== "batched") {
      throw new TypeError(`Invalid durability ${JSON.stringify(options?.durability)}: expected "sync" or "batched"`);
    }
    const { scan, id } = await prepareLog(backend, options.acknowledgedSeq ?? 0, options.warn ?? console.warn);
    return new EventLog(backend, options, scan, id);
  }

  /** This log's identity: a random id written into the log when it was created. */
  get id(): string {
    return this.#id;
  }

  /**
   * Whether the log is behind: more bytes of events and checkpoints wait to be handed to the
   * backend than one write takes (a burst recorded faster than the disk commits it).
   */
  get behind(): boolean {
    return this.#backlog > MAX_WRITE_BYTES;
  }

  /**
   * `undefined` unless the backlog is well past {@linkcode EventLog.behind} (four writes' worth);
   * then a promise that resolves once it is down to two writes' worth (or once the log has failed:
   * appends reject then). A producer that waits on it keeps the log busy but behind, so no
   * checkpoint is taken in the middle of its burst (the state then holds the whole backlog).
   */
  backpressure(): Promise<void> | undefined {
    if (this.#backlog <= PRESSURE_BYTES || this.#failure !== undefined) return undefined;
    return (this.#relief ??= Promise.withResolvers<void>()).promise;
  }

  /** The seq of the last event appended (acknowledged or not); 0 for an empty log. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Stops the log with `error` (e.g. its files vanished): every append not yet acknowledged,
   * and every later one, rejects with it, even one the backend still commits afterwards.
   */
  halt(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#halted = true;
    this.#failure = error;
    this.#failed = Promise.reject(error);
    this.#failed.catch(() => undefined);
    this.#fail(error, [...this.#inFlight].flat());
  }

  /** The write failure that stopped this log, if any; every append after it rejects with it. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Appends an event and gives it the next seq (readable as `lastSeq` right after the call).
   * Events appended in one turn of the event loop (the synchronous code and the microtasks it
   * queues) share a record and the promise returned, which resolves when the record is committed
   * (`"batched"`) or fsynced (`"sync"`).
   */
  append(event: LogEvent): Promise<void> {
    if (this.#failure !== undefined) return this.#failed!;
    if (this.#closed) return Promise.reject(new StorageError("Cannot append to the event log: it is closed"));
    const json = eventJSON(event);
    if (json instanceof TypeError) return Promise.reject(json);
    const record = this.#openRecord();
    const before = record.bytes;
    record.add(json);
    return this.#appended(record.bytes - before);
  }

  /**
   * Appends `source.deferredEvent()` as `append` does (the same seq, record and promise), but
   * holds `source` until the record is written, and makes the event's JSON only then (see
   * {@linkcode DeferredEvent}): a backlog of submissions costs a reference each.
   */
  appendDeferred(source: DeferredEvent): Promise<void> {
    if (this.#failure !== undefined) return this.#failed!;
    if (this.#closed) return Promise.reject(new StorageError("Cannot append to the event log: it is closed"));
    const record = this.#openRecord();
    const before = record.bytes;
    record.defer(source);
    return this.#appended(record.bytes - before);
  }

  /** The record the next event goes into: the open stretch's, or a new one's. */
  #openRecord(): RecordBuilder {
    const stretch = this.#stretch;
    if (stretch !== undefined && stretch.record.bytes <= MAX_RECORD_BYTES) return stretch.record;
    const full = stretch !== undefined;
    if (full) this.#seal();
    const initial = full ? RECORD_BUFFER_BYTES : INITIAL_RECORD_BYTES; // after a full one, the next fills too
    const record = new RecordBuilder(this.#lastSeq + 1, RECORD_BUFFER_BYTES, initial);
    this.#stretch = { record, done: handled() };
    // The stretch closes once the current turn is over, its microtasks included: that is the group
    // commit. Closing it at the first microtask instead would split what one turn records (a task
    // submitted, then its result a few microtasks later; a workflow's last node, then its end) into
    // records written one after the other, each waiting a whole commit (about an fsync) for the last.
    afterTurn(this.#sealLater);
    return record;
  }

  /** Counts an event just added to the open stretch (`bytes` more of backlog); its promise. */
  #appended(bytes: number): Promise<void> {
    this.#backlog += bytes;
    this.#lastSeq++;
    return this.#stretch!.done.promise;
  }

  /** Resolves once every event appended so far is acknowledged; rejects with `failure` if any is lost. */
  flush(): Promise<void> {
    this.#seal();
    if (this.#failure !== undefined) return this.#failed!;
    return this.#settled.then(() => undefined);
  }

  /** Resolves once every event appended so far is fsynced, whatever the durability setting. */
  async sync(): Promise<void> {
    await this.flush();
    // An empty batch commits no pages; LMDB's flush after it covers every earlier commit.
    await this.#backend.write([]).durable;
  }

  /**
   * Stores `state` as the state after event `seq` and, in the same atomic write, deletes the
   * records it makes unnecessary (all their events <= `seq`) and the older checkpoints.
   */
  checkpoint(seq: number, state: unknown): Promise<void> {
    if (this.#failure !== undefined) return this.#failed!;
    if (this.#closed) return Promise.reject(new StorageError("Cannot checkpoint the event log: it is closed"));
    if (!Number.isSafeInteger(seq) || seq < this.#checkpointSeq || seq > this.#lastSeq) {
      return Promise.reject(
        new RangeError(
          `Invalid checkpoint seq ${seq}: expected an integer from ${this.#checkpointSeq} to ${this.#lastSeq}`,
        ),
      );
    }
    const text = stateJSON(state);
    if (text instanceof TypeError) return Promise.reject(text);
    this.#seal(); // the records it covers are written first
    this.#checkpointSeq = seq;
    this.#backlog += text.length;
    return this.#enqueue(() => this.#checkpointOps(seq, text), text.length);
  }

  /** The newest committed checkpoint, or `undefined` if there is none. */
  latestCheckpoint(): { seq: number; state: unknown } | undefined {
    return readLatestCheckpoint(this.#backend);
  }

  /**
   * The committed events with seq > `afterSeq`, in order, read lazily.
   *
   * @throws {RangeError} (while iterating) when events after `afterSeq` were compacted into a
   *   checkpoint: read from the checkpoint's seq instead.
   */
  read(afterSeq: number): Iterable<LoggedEvent> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
      throw new RangeError(`Invalid seq ${afterSeq}: expected a non-negative integer`);
    }
    return readEvents(this.#backend, afterSeq);
  }

  /** Acknowledges what was appended, then closes the backend. A write failure is not rethrown here: its appends got it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#seal();
    await this.#settled.catch(() => undefined);
    await this.#backend.close();
  }

  readonly #sealLater = (): void => this.#seal();

  /** Closes the open stretch into a record job. */
  #seal(): void {
    const stretch = this.#stretch;
    if (stretch === undefined) return;
    this.#stretch = undefined;
    const { record } = stretch;
    const key = seqKey(RECORD_PREFIX, record.first);
    this.#enqueue(
      () => {
        this.#records.push({ key, first: record.first, count: record.count });
        return [{ type: "put", key, value: record.frame() }];
      },
      record.bytes,
      stretch.done,
    );
  }

  #checkpointOps(seq: number, json: string): WriteOp[] {
    const key = seqKey(CHECKPOINT_PREFIX, seq);
    const ops: WriteOp[] = [{ type: "put", key, value: encodeFrame(1, json) }];
    let covered = 0;
    while (covered < this.#records.length && this.#records[covered].first + this.#records[covered].count - 1 <= seq) {
      ops.push({ type: "delete", key: this.#records[covered++].key });
    }
    this.#records.splice(0, covered);
    for (const old of this.#checkpointKeys) if (old !== key) ops.push({ type: "delete", key: old });
    this.#checkpointKeys = [key];
    return ops;
  }

  #enqueue(build: () => WriteOp[], bytes: number, done = handled()): Promise<void> {
    if (this.#failure !== undefined) {
      done.reject(this.#failure);
      return done.promise;
    }
    this.#queue.push({ build, bytes, done });
    const settled = Promise.all([this.#settled, done.promise]);
    settled.catch(() => undefined);
    this.#settled = settled;
    this.#pump();
    return done.promise;
  }

  /**
   * Issues the queued jobs, up to MAX_WRITE_BYTES of them, as one atomic write, unless a write is
   * still in flight.
   */
  #pump(): void {
    const queue = this.#queue;
    if (this.#writing || queue.length === 0 || this.#failure !== undefined) return;
    let count = 1;
    let bytes = queue[0].bytes;
    while (count < queue.length && bytes + queue[count].bytes <= MAX_WRITE_BYTES) bytes += queue[count++].bytes;
    this.#backlog -= bytes;
    if (this.#relief !== undefined && this.#backlog <= RELIEF_BYTES) this.#relieve();
    const jobs = count === queue.length ? queue : queue.slice(0, count);
    this.#queue = count === queue.length ? [] : queue.slice(count);
    let result;
    try {
      const ops: WriteOp[] = [];
      for (const job of jobs) {
        for (const op of job.build!()) ops.push(op);
        job.build = undefined; // what it held is in `ops` now, and is the backend's once written
      }
      result = this.#backend.write(ops);
      // The backend has its copies now: the records' buffers (a megabyte each in a burst) go at once.
      for (const op of ops) if (op.type === "put") freeBytes(op.value);
    } catch (cause) {
      this.#fail(cause, jobs);
      return;
    }
    this.#writing = true;
    this.#inFlight.add(jobs);
    const fail = (cause: unknown) => this.#fail(cause, jobs);
    result.committed.then(() => {
      this.#writing = false;
      this.#pump();
    }, fail);
    (this.#durability === "sync" ? result.durable : result.committed).then(() => {
      this.#inFlight.delete(jobs);
      // After a halt these were rejected already; a late commit acknowledges nothing.
      if (this.#halted) return;
      for (const job of jobs) job.done.resolve();
    }, fail);
  }

  /** Stops the log: the failed jobs and everything after them reject with one `StorageError`. */
  #fail(cause: unknown, jobs: Job[]): void {
    if (this.#failure === undefined) {
      this.#failure = new StorageError(`The event log cannot write: ${describe(cause)}; it accepts no more events`, {
        cause,
      });
      this.#failed = Promise.reject(this.#failure);
      this.#failed.catch(() => undefined);
    }
    const pending = [...jobs, ...this.#queue];
    if (this.#stretch !== undefined) pending.push({ build: undefined, bytes: 0, done: this.#stretch.done });
    this.#queue = [];
    this.#stretch = undefined;
    this.#backlog = 0;
    this.#relieve();
    for (const job of pending) job.done.reject(this.#failure);
  }

  #relieve(): void {
    const relief = this.#relief;
    this.#relief = undefined;
    relief?.resolve();
  }
}
