/**
 * What a scheduler tells an observer about the attempts of the runs it owns: where each one was
 * placed, and which failed or were lost with their peer. For logs and metrics (`actant worker
 * --log-level debug`); scheduling never depends on it.
 *
 * @module
 */
import type { HERE } from "./placement.ts";

/** The attempt an event is about. */
export interface AttemptRef {
  /** The task's name. */
  readonly task: string;
  /** The id of the run on its owner (this scheduler). */
  readonly runId: string;
  /** The attempt's number (1 for the first). */
  readonly attempt: number;
}

/** One thing that happened to an attempt of a run this scheduler owns. */
export type AttemptEvent =
  /** The attempt starts on this process ({@linkcode HERE}) or was sent to the peer `peerId`. */
  | AttemptRef & { readonly kind: "placed"; readonly peerId: string | typeof HERE }
  /** The attempt failed (the task threw, timed out, or its result could not be encoded). */
  | AttemptRef & { readonly kind: "failed"; readonly error: Error; readonly retrying: boolean }
  /** The peer running the attempt left or could not be reached: the attempt is placed again. */
  | AttemptRef & { readonly kind: "lost"; readonly error: Error };

/** Told of every {@linkcode AttemptEvent}, synchronously; what it throws is ignored. */
export type AttemptObserver = (event: AttemptEvent) => void;
