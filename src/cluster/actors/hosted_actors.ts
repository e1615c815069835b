/**
 * The actors this peer hosts for their owners, by id, and the direct calls it has taken: what a
 * caller that reaches the host itself (`./direct_call_service.ts`) calls, and what lets the host
 * tell a direct call from the same call sent again through its owner (after the caller's direct
 * connection broke), so that it runs once.
 *
 * @module
 */
import type { ActorCell } from "../../actor/mod.ts";
import { ActorStoppedError } from "../../common/mod.ts";

/** How many direct calls' ids a host remembers, to run a call that comes again through its owner once. */
export const REMEMBERED_DIRECT_CALLS = 10_000;

/** Cells hosted here by actor id, and the ids of the direct calls taken lately. */
export class HostedActors {
  readonly #cells = new Map<string, ActorCell>();
  /** Direct calls taken, by `via` id, oldest first. */
  readonly #taken = new Map<string, Promise<unknown>>();

  add(cell: ActorCell): void {
    this.#cells.set(cell.id, cell);
  }

  /** Forgets `cell` (if it is still the one hosted under its id). */
  remove(cell: ActorCell): void {
    if (this.#cells.get(cell.id) === cell) this.#cells.delete(cell.id);
  }

  /**
   * Calls `method` of actor `actorId` for a caller that reached this peer directly, under the
   * caller's `via` id (logged with the call, so its owner answers the same call sent again
   * through it from that event).
   *
   * @throws {ActorStoppedError} (rejected) when no such actor is hosted here: it ran nothing.
   */
  callDirect(actorId: string, method: string, args: unknown[], via: string): Promise<unknown> {
    const cell = this.#cells.get(actorId);
    if (cell === undefined) return Promise.reject(new ActorStoppedError(actorId, "it is not hosted on this peer"));
    const call = cell.call(method, args, { via });
    this.#taken.set(via, call);
    if (this.#taken.size > REMEMBERED_DIRECT_CALLS) this.#taken.delete(this.#taken.keys().next().value!);
    return call;
  }

  /**
   * The direct call `via`, if it was taken here: the owner's copy of it runs nothing, and settles
   * as it did (the call's logged event answers it; a call refused before it ran, with its error).
   */
  takenDirect(via: string): Promise<unknown> | undefined {
    return this.#taken.get(via);
  }
}
