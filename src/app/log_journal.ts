/**
 * The journal of a durable app: every event is folded into the {@linkcode DurableState} and
 * appended to the event log. Events recorded before the log is open (the app opens it on first
 * use) wait in order and are appended once recovery has read the log. Every
 * `checkpointInterval` events, the state is checkpointed and the log compacted, but never more
 * often than once per as many events as the state holds records: a checkpoint writes the whole
 * state, so with a backlog of a million unfinished tasks, one every 100,000 events would write
 * the backlog ten times over per million events (the cost of a checkpoint stays proportional to
 * the events it compacts). Nor is one taken while the log is behind (a burst recorded faster
 * than the disk commits it): the state then holds the burst's backlog, soon finished, and its text
 * would wait in memory beside the burst's own; the next event after the log has caught up takes it.
 *
 * @module
 */
import type { IdGenerator } from "../common/mod.ts";
import type { DeferredEvent, EventLog } from "../store/mod.ts";
import { DurableState } from "./durable_state.ts";
import type { ActantEvent, ActantJournal } from "./events.ts";

/** Options of {@linkcode LogJournal}. */
export interface LogJournalOptions {
  /** Events between two checkpoints. */
  checkpointInterval: number;
  /** Finished results kept for `getResult`. */
  keepResults: number;
  /** The generator of the app's task ids (see `DurableState`). */
  ownIds?: IdGenerator;
}

/** A journal backed by an event log. */
export class LogJournal implements ActantJournal {
  readonly state: DurableState;
  readonly #checkpointInterval: number;
  #log: EventLog | undefined;
  #failure: Error | undefined;
  #early: Array<ActantEvent | DeferredEvent<ActantEvent>> = [];
  #earlyAck = Promise.withResolvers<void>();
  #sinceCheckpoint = 0;
  /** The sequence number the next appended event will get. */
  #nextSeq = 1;

  constructor(options: LogJournalOptions) {
    this.state = new DurableState(options.keepResults, { ownIds: options.ownIds });
    this.#checkpointInterval = options.checkpointInterval;
    // Nobody may be waiting on early events; their failure is reported through `failure`.
    this.#earlyAck.promise.catch(() => {});
  }

  /** Why the journal cannot record any more, if it cannot. */
  get failure(): Error | undefined {
    return this.#failure ?? this.#log?.failure;
  }

  record(event: ActantEvent): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const log = this.#log;
    if (log === undefined) {
      this.#early.push(event);
      return this.#earlyAck.promise;
    }
    this.state.apply(event);
    return this.#appended(log, log.append(event));
  }

  /** As `record`, but the log holds `source` until it writes the event (a burst's submissions wait as references). */
  recordDeferred(source: DeferredEvent<ActantEvent>): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const log = this.#log;
    if (log === undefined) {
      this.#early.push(source);
      return this.#earlyAck.promise;
    }
    this.state.apply(source.deferredEvent());
    return this.#appended(log, log.appendDeferred(source));
  }

  /** Counts the event just appended (acknowledged by `ack`) and checkpoints when it is time. */
  #appended(log: EventLog, ack: Promise<void>): Promise<void> {
    const seq = this.#nextSeq++;
    if (
      ++this.#sinceCheckpoint >= this.#checkpointInterval && this.#sinceCheckpoint >= this.state.size && !log.behind
    ) {
      this.#sinceCheckpoint = 0;
      // Taken now, at exactly `seq`: later events are not in it.
      const snapshot = this.state.snapshot();
      log.checkpoint(seq, snapshot).catch(() => {
        // A failed checkpoint loses nothing: the events stay in the log; `failure` reports it.
      });
    }
    return ack;
  }

  backpressure(): Promise<void> | undefined {
    return this.#log?.backpressure();
  }

  /** Starts appending to `log` (after recovery has read it), then the events that waited. */
  attach(log: EventLog): void {
    this.#log = log;
    this.#nextSeq = log.lastSeq + 1;
    const early = this.#early;
    this.#early = [];
    let last: Promise<void> = Promise.resolve();
    for (const event of early) last = "deferredEvent" in event ? this.recordDeferred(event) : this.record(event);
    last.then(() => this.#earlyAck.resolve(), (error) => this.#earlyAck.reject(error));
  }

  /** The log could not be opened: every waiting and later event fails with `error`. */
  fail(error: Error): void {
    this.#failure = error;
    this.#early = [];
    this.#earlyAck.reject(error);
  }

  /** Resolves when everything recorded so far is acknowledged. */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return this.#log === undefined ? this.#earlyAck.promise : this.#log.flush();
  }
}
