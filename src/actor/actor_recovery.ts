/**
 * What an actor needs to come back after a restart of its process: its last checkpoint and the
 * calls logged after it. Replaying them on a fresh instance rebuilds the acknowledged state, so
 * actor methods must be deterministic in their state changes.
 *
 * @module
 */
import { decode, encode, type Encoded } from "../common/mod.ts";
import type { JournalEvent } from "../store/mod.ts";
import type { ActorEvent } from "./events.ts";

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

/** How many keys of relayed calls a history remembers, to count a call logged twice once. */
export const REMEMBERED_CALL_KEYS = 256;

/** An actor's history as a log keeps it: the last checkpoint and the entries after it. */
export interface ActorHistory {
  checkpoint?: ActorCheckpoint;
  entries: ActorLogEntry[];
  /**
   * The keys of the last {@linkcode REMEMBERED_CALL_KEYS} calls an owner relayed (each call it
   * relays has its own key, kept when the call is sent again after a move), oldest first. A
   * call whose key is here is already counted: logged again, it changes nothing.
   */
  keys?: number[];
}

/**
 * Folds a call, restart or checkpoint event into `history` (idempotent: an event at or before
 * the history's position changes nothing, and neither does a relayed call whose key the
 * history already counts). Returns false for any other event type (`actor.created` and
 * `actor.stopped` included: they make and end a history, which is the caller's to hold).
 */
export function foldActorEvent(history: ActorHistory, event: ActorEvent | JournalEvent): boolean {
  // An event of another type falls to `default`; one of these types is as its producer wrote it
  // (a host's events reach here checked: a string `type` and `id`, a safe integer `n`).
  const e = event as ActorEvent;
  const last = history.entries.at(-1)?.n ?? history.checkpoint?.n ?? 0;
  switch (e.type) {
    case "actor.call": {
      const { n, key } = e;
      const keyed = typeof key === "number" && Number.isSafeInteger(key);
      if (n <= last || (keyed && history.keys?.includes(key) === true)) return true;
      history.entries.push({ n, method: e.method, args: e.args });
      if (keyed) {
        const keys = history.keys ??= [];
        keys.push(key);
        if (keys.length > REMEMBERED_CALL_KEYS) keys.splice(0, keys.length - REMEMBERED_CALL_KEYS);
      }
      return true;
    }
    case "actor.restarted":
      if (e.n > last) history.entries.push({ n: e.n, restart: true });
      return true;
    case "actor.checkpoint": {
      const { n } = e;
      if (n > (history.checkpoint?.n ?? 0)) {
        history.checkpoint = { n, state: e.state };
        history.entries = history.entries.filter((entry) => entry.n > n);
      }
      return true;
    }
    default:
      return false;
  }
}
