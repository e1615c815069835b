/**
 * Settling runs once the journal has acknowledged their outcome. The events recorded in one turn
 * share one acknowledgement (one promise), and so do the runs waiting for it: one callback settles
 * them all, where a callback per run (two closures and a promise) was most of what each finished
 * run of a burst held while the burst's records waited for their commits. Groups go by the
 * promise itself, so one set of them serves every scheduler of the process.
 *
 * @module
 */
import type { Encoded, JsonPrimitive } from "../common/mod.ts";

/** What a waiting run is told (a `TaskRun`). */
interface Waiting {
  settleSuccess(result: Encoded): void;
  settleFailure(status: "failed", error: Error): void;
}

/** A final failure to report once it is acknowledged (a result is kept as its encoded value). */
class Failure {
  readonly error: Error;
  constructor(error: Error) {
    this.error = error;
  }
}

/**
 * What a waiting run is told: a primitive result as the value alone (wrapped again when the run
 * is settled), a structured one encoded, or a failure. A burst's acknowledgements wait for
 * megabytes of records, long enough for what they hold to outlive young collections: a result's
 * wrapper kept here would be copied into the old generation only to die there.
 */
type Outcome = Encoded | JsonPrimitive | undefined | Failure;

/** The runs waiting for one acknowledgement, in the order they were recorded. */
interface Group {
  readonly ack: Promise<void>;
  runs: Waiting[];
  outcomes: Outcome[];
}

/** Runs whose recorded outcome waits for the journal, grouped by the acknowledgement they wait for. */
class AckWaits {
  /** The group of the latest acknowledgement waited for: later runs of the same record join it. */
  #latest: Group | undefined;

  /** Settles `run` with `result` once `ack` resolves (or fails it with the journal's error). */
  succeed(ack: Promise<void>, run: Waiting, result: Encoded): void {
    this.#add(ack, run, result.t === "p" ? result.v : result);
  }

  /** Fails `run` with `error` once `ack` resolves (or with the journal's error). */
  fail(ack: Promise<void>, run: Waiting, error: Error): void {
    this.#add(ack, run, new Failure(error));
  }

  #add(ack: Promise<void>, run: Waiting, outcome: Outcome): void {
    let group = this.#latest;
    if (group === undefined || group.ack !== ack) {
      const created: Group = group = this.#latest = { ack, runs: [], outcomes: [] };
      ack.then(() => this.#settle(created, undefined), (error: Error) => this.#settle(created, error));
    }
    group.runs.push(run);
    group.outcomes.push(outcome);
  }

  #settle(group: Group, journalError: Error | undefined): void {
    if (this.#latest === group) this.#latest = undefined;
    const { runs, outcomes } = group;
    group.runs = [];
    group.outcomes = [];
    for (let i = 0; i < runs.length; i++) {
      const outcome = outcomes[i];
      if (journalError !== undefined) runs[i].settleFailure("failed", journalError);
      else if (outcome instanceof Failure) runs[i].settleFailure("failed", outcome.error);
      else if (typeof outcome === "object" && outcome !== null) runs[i].settleSuccess(outcome);
      else runs[i].settleSuccess({ t: "p", v: outcome });
    }
  }
}

/** The process's runs waiting for an acknowledgement (see `TaskRun.succeedOnAck`, `failOnAck`). */
export const ackWaits: AckWaits = new AckWaits();
