/**
 * The options of the local scheduler and of one submission to it, and the check of its
 * concurrency limit.
 *
 * @module
 */
import type { Clock, Encoded, HeldRef, IdGenerator } from "../common/mod.ts";
import type { TaskJournal } from "./events.ts";

/** What the scheduler needs from its surroundings. */
export interface SchedulerOptions {
  /** Most attempts running at once. Default 1024. */
  concurrency?: number;
  clock: Clock;
  ids: IdGenerator;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /** Where journaled runs record their submission and outcome. */
  journal?: TaskJournal;
  /** What the app does with the values runs carry (the object store's refs); nothing by default. */
  values?: RunValues;
}

/**
 * The app's say over the values of runs, for what the scheduler cannot know (refs of the object
 * store, a layer above it): what a queued run's arguments keep alive, and what its function sees.
 */
export interface RunValues {
  /** A run was queued with the encoded `args`: what to call once it finishes, if its arguments hold anything. */
  hold(args: Encoded): (() => void) | undefined;
  /**
   * The arguments an attempt's function is called with, from `decode` (which makes a fresh copy
   * of them); what the attempt holds from them (refs nested in them) is added to `attempt.held`
   * (made when first read: most attempts hold nothing).
   */
  prepare(decode: () => unknown[], attempt: { readonly held: Disposable[] }): unknown[];
  /** The object store that attempts run here reach through their context. */
  readonly objects: AttemptObjects;
}

/**
 * The object store as an attempt's context reaches it. Refs the attempt is handed are the
 * attempt's: it releases them when it ends (see `Attempt.end`).
 */
export interface AttemptObjects {
  put(value: unknown): Promise<HeldRef<unknown>>;
  /** The value of `ref`; refs decoded in it are added to `held` (if given). */
  get(ref: unknown, held: Disposable[] | undefined): Promise<unknown>;
  getStream(ref: unknown): ReadableStream<Uint8Array>;
}

/** Options of {@linkcode Scheduler.submit}. */
export interface SubmitOptions {
  /** Record the run's submission and outcome in the journal (a standalone task, not a workflow node). */
  journaled?: boolean;
  /** Re-submit a recovered run under its old id; its submission is already in the journal. */
  recoveredId?: string;
  /** The id to give a new run (chosen by a remote client); one is made if absent. */
  id?: string;
}

/** A scheduler's counts, for status reports. */
export interface SchedulerStats {
  queued: number;
  running: number;
  submitted: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** `concurrency`, checked to be an integer > 0 or `Infinity` (else a `RangeError`). */
export function checkConcurrency(concurrency: number): number {
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0))) {
    throw new RangeError(`concurrency must be an integer > 0 (or Infinity), got ${String(concurrency)}`);
  }
  return concurrency;
}
