/**
 * Where attempts run. Alone, the scheduler runs every attempt on this process; in a cluster it
 * asks a {@linkcode Placer} for each one, which answers "here", another peer, or "nowhere has
 * room yet". The scheduler keeps the record either way (it owns the task): retries, timeouts
 * and cancellation stay with the owner; a remote peer only runs single attempts.
 *
 * @module
 */
import type { Encoded } from "../common/mod.ts";

/** One attempt sent to another peer. */
export interface RemoteAttempt {
  /** The id of the run on its owner. */
  readonly runId: string;
  readonly task: string;
  /** The arguments, encoded as one array. */
  readonly args: Encoded;
  /** The attempt's number on its owner (1 for the first). */
  readonly attempt: number;
}

/** An attempt running on another peer. */
export interface RemoteCall {
  /**
   * The encoded result; rejects with the remote error, or with `PeerLostError` when the peer
   * left before answering (the scheduler then places the attempt again).
   */
  readonly result: Promise<Encoded>;
  /** Asks the peer to abort the attempt (cancellation or timeout on the owner). */
  cancel(reason: string): void;
}

/** A peer that runs attempts for this one. */
export interface RemoteWorker {
  readonly peerId: string;
  execute(attempt: RemoteAttempt): RemoteCall;
}

/** This process's own load, as the placer weighs it. */
export interface LocalLoad {
  readonly running: number;
  readonly concurrency: number;
}

/** The answer "run it on this process". */
export const HERE = "here";

/** Chooses where each attempt runs. */
export interface Placer {
  /**
   * Where the next attempt of `task` runs: {@linkcode HERE}, a remote worker, or `undefined`
   * when no peer that registers it has room (the run stays queued until one has).
   */
  place(task: string, local: LocalLoad): RemoteWorker | typeof HERE | undefined;
}
