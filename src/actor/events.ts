/**
 * The events an actor's life writes to the log (schema version 1; the README's table lists them).
 * The actor cell and system record them; the log's fold reads them back with
 * {@linkcode foldActorEvent}.
 *
 * @module
 */
import type { Encoded, ErrorData } from "../common/mod.ts";
import type { Journal } from "../store/mod.ts";

/** An actor was created (logged before its constructor runs; in a cluster, once a host holds it). */
export type ActorCreated = {
  readonly type: "actor.created";
  readonly id: string;
  /** Its class's registered name. */
  readonly actor: string;
  readonly name?: string;
  readonly args: Encoded;
  /** The member it was placed on (cluster). */
  readonly host?: string;
};

/**
 * A handled call: its state change, at position `n` of the actor's history. A call an owner
 * relayed from another peer also carries its `key` and its outcome, so the owner can answer
 * from its log alone (a second event under the same key counts once); a call made directly at
 * the host carries the caller's `via` id (`<caller peer id>:<n>`) and its outcome.
 */
export type ActorCall = {
  readonly type: "actor.call";
  readonly id: string;
  readonly n: number;
  readonly method: string;
  readonly args: Encoded;
  readonly failed?: true;
  readonly key?: number;
  readonly via?: string;
  readonly result?: Encoded;
  readonly error?: ErrorData;
};

/** A supervised restart: a fresh instance, at position `n`. */
export type ActorRestarted = { readonly type: "actor.restarted"; readonly id: string; readonly n: number };

/** The actor's state after position `n`: its own enumerable fields, encoded. */
export type ActorCheckpointed = {
  readonly type: "actor.checkpoint";
  readonly id: string;
  readonly n: number;
  readonly state: Encoded;
};

/** The actor is gone for good (a stop, or a constructor that failed): it is never brought back. */
export type ActorStopped = { readonly type: "actor.stopped"; readonly id: string };

/** Every event of an actor's life. */
export type ActorEvent = ActorCreated | ActorCall | ActorRestarted | ActorCheckpointed | ActorStopped;

/** The journal actors record to. */
export type ActorJournal = Journal<ActorEvent>;
