/**
 * What an actor needs to come back after a restart of its process: its last checkpoint and the
 * calls logged after it. Replaying them on a fresh instance rebuilds the acknowledged state, so
 * actor methods must be deterministic in their state changes.
 *
 * @module
 */
import { decode, type Encoded, encode } from "../common/mod.ts";

/** One logged state change: a call, or a supervised restart (a fresh instance). */
export interface ActorLogEntry {
  /** Position in the actor's history: 1 for the first call or restart, 2 for the next, … */
  readonly n: number;
  readonly method?: string;
  readonly args?: Encoded;
  readonly restart?: true;
}

/** An actor's state at position `n`: its own enumerable fields, encoded. */
export interface ActorCheckpoint {
  readonly n: number;
  readonly state: Encoded;
}

/** Everything needed to rebuild an actor. */
export interface ActorRecovery {
  readonly checkpoint?: ActorCheckpoint;
  /** Entries after the checkpoint, in order. */
  readonly entries: readonly ActorLogEntry[];
}

/**
 * The instance's state as data: its own enumerable fields (not `#private` ones, not closures).
 * `undefined` when some field cannot be serialized: then no checkpoint is taken and recovery
 * replays every call from the constructor instead.
 */
export function snapshotState(instance: object): Encoded | undefined {
  try {
    return encode({ ...instance }, "actor state");
  } catch {
    return undefined;
  }
}

/** Puts a snapshot's fields back onto a freshly constructed instance. */
export function restoreState(instance: object, state: Encoded): void {
  Object.assign(instance, decode<object>(state));
}
