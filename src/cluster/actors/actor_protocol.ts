/**
 * The hosting protocol between an actor's owner and the peer hosting it. The owner creates the
 * actor there (fresh, or from its history when it moves after its host was lost) and relays
 * calls; the host sends back every event of the actor's history (calls with their outcome,
 * checkpoints, restarts) for the owner to log, and acts on a call's outcome only after the
 * owner acknowledged it. So the owner's log always holds what the actor's state reflects.
 *
 * @module
 */
import type { ActorCreated, ActorEvent, ActorRecovery } from "../../actor/mod.ts";
import type { Encoded, ErrorData } from "../../common/mod.ts";
import { actantProtocol } from "../../net/mod.ts";

/** The protocol id of actor hosting. */
export const ACTORS_PROTOCOL: string = actantProtocol("actors", "1");

/** What the owner sends to the host. */
export type OwnerMessage =
  | { op: "create"; key: number; actorId: string; cls: string; args: Encoded; recovered?: ActorRecovery }
  /** `via`: a direct call sent again through the owner (the host runs it once). */
  | { op: "call"; key: number; actorId: string; method: string; args: Encoded; via?: string }
  | { op: "stop"; key: number; actorId: string; drain: boolean }
  /** The event numbered `seq` is in the owner's log. */
  | { op: "ack"; seq: number };

/** What the host sends to the owner. */
export type HostMessage =
  /** An event of an actor's history, for the owner to log and then acknowledge. */
  | { op: "record"; seq: number; event: HostEvent }
  /** The answer to a create, a stop, or a call that failed before it reached the actor. */
  | { op: "done"; key: number; ok: true; result?: Encoded }
  | { op: "done"; key: number; ok: false; error: ErrorData };

/** Longest `via` id of a direct call (a caller's peer id and a number). */
export const MAX_VIA_LENGTH = 256;

/** The events of an actor's history its host sends (its creation the owner logs itself). */
export type HostEvent = Exclude<ActorEvent, ActorCreated>;

/**
 * `value` if it has the shape of a {@linkcode HostEvent}, else `undefined`. A host is another
 * peer and what it sends goes into the owner's log: anything else is dropped, not logged.
 */
export function hostEvent(value: unknown): HostEvent | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const event = value as Record<string, unknown>;
  if (typeof event.id !== "string") return undefined;
  const position = Number.isSafeInteger(event.n);
  const isObject = (field: unknown) => field === undefined || (typeof field === "object" && field !== null);
  switch (event.type) {
    case "actor.stopped":
      return value as HostEvent;
    case "actor.restarted":
      return position ? value as HostEvent : undefined;
    case "actor.checkpoint":
      return position && typeof event.state === "object" && event.state !== null ? value as HostEvent : undefined;
    case "actor.call": {
      const fields = typeof event.method === "string" && isObject(event.args) && isObject(event.result) &&
        isObject(event.error) && (event.key === undefined || Number.isSafeInteger(event.key)) &&
        (event.via === undefined || (typeof event.via === "string" && event.via.length <= MAX_VIA_LENGTH)) &&
        (event.failed === undefined || event.failed === true);
      return position && fields ? value as HostEvent : undefined;
    }
    default:
      return undefined;
  }
}
