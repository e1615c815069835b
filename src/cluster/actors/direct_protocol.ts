/**
 * Direct calls (`/actant/actor-calls/1`): a caller that reaches an actor's host over a connection
 * of its own (two browser tabs over WebRTC) sends the call there rather than through the actor's
 * owner. The host runs it in the actor's mailbox like any other call, and answers only once the
 * owner has logged it (the call's event goes to the owner over the hosting channel, as every
 * call's does): a direct answer means what an answer through the owner means.
 *
 * @module
 */
import type { Encoded, ErrorData } from "../../common/mod.ts";
import { actantProtocol } from "../../net/mod.ts";

/** The protocol id of direct calls. */
export const DIRECT_CALLS_PROTOCOL: string = actantProtocol("actor-calls", "1");

/** A call, from the caller to the actor's host. */
export type DirectCall = { op: "call"; key: number; actorId: string; method: string; args: Encoded };

/**
 * The host's answer to the call under `key`. `elsewhere` says the call did not reach the actor
 * here (no such actor is hosted here, or it is stopping as it moves): the caller sends it through
 * the owner instead, which knows where the actor is now.
 */
export type DirectAnswer =
  | { op: "done"; key: number; ok: true; result: Encoded }
  | { op: "done"; key: number; ok: false; error: ErrorData; elsewhere?: true };

/** Where an actor is hosted, as its owner answers `actor.host`: the host's peer id and addresses. */
export interface ActorHostInfo {
  peerId: string;
  addresses: string[];
}

/**
 * The id a direct call is logged under: its caller's peer id and its key (unique per caller).
 * The host builds it from the peer that sent the call, the owner from the client that sent it
 * again: a caller cannot name another's calls.
 */
export function directCallId(caller: string, key: number): string {
  return `${caller}:${key}`;
}
