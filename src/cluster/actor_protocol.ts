/**
 * The hosting protocol between an actor's owner and the peer hosting it. The owner creates the
 * actor there (fresh, or from its history when it moves after its host was lost) and relays
 * calls; the host sends back every event of the actor's history (calls with their outcome,
 * checkpoints, restarts) for the owner to log, and acts on a call's outcome only after the
 * owner acknowledged it. So the owner's log always holds what the actor's state reflects.
 *
 * @module
 */
import type { ActorRecovery } from "../actor/mod.ts";
import type { Encoded } from "../common/mod.ts";
import type { JournalEvent } from "../store/mod.ts";
import { actantProtocol } from "../net/mod.ts";
import type { ErrorInfo } from "./protocol.ts";

/** The protocol id of actor hosting. */
export const ACTORS_PROTOCOL: string = actantProtocol("actors", "1");

/** What the owner sends to the host. */
export type OwnerMessage =
  | { op: "create"; key: number; actorId: string; cls: string; args: Encoded; recovered?: ActorRecovery }
  | { op: "call"; key: number; actorId: string; method: string; args: Encoded }
  | { op: "stop"; key: number; actorId: string; drain: boolean }
  /** The event numbered `seq` is in the owner's log. */
  | { op: "ack"; seq: number };

/** What the host sends to the owner. */
export type HostMessage =
  /** An event of an actor's history, for the owner to log and then acknowledge. */
  | { op: "record"; seq: number; event: JournalEvent }
  /** The answer to a create, a stop, or a call that failed before it reached the actor. */
  | { op: "done"; key: number; ok: true; result?: Encoded }
  | { op: "done"; key: number; ok: false; error: ErrorInfo };
