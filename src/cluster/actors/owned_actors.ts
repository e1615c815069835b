/**
 * The actors a peer owns across the cluster, by id and by name, and the pending calls by key:
 * the bookkeeping of `./remote_actors.ts`, which decides where they live and what happens to them.
 *
 * @module
 */
import { ActorStoppedError } from "../../common/mod.ts";
import type { HostLink } from "./host_link.ts";
import type { OwnedActor, PendingCall } from "./owned_actor.ts";

/** Owned actors by id and name; pending calls by key. */
export class OwnedActors {
  readonly #actors = new Map<string, OwnedActor>();
  readonly #names = new Map<string, string>();
  /** The actor of each pending call's key. */
  readonly #callers = new Map<number, OwnedActor>();
  /** The key of each pending call that is a direct call sent again, by its `via` id. */
  readonly #vias = new Map<string, number>();

  /** How many actors this peer owns (placing, live or moving). */
  get size(): number {
    return this.#actors.size;
  }

  /** Whether an owned actor holds `name`. */
  named(name: string): boolean {
    return this.#names.has(name);
  }

  add(actor: OwnedActor): void {
    if (actor.name !== undefined) this.#names.set(actor.name, actor.id);
    this.#actors.set(actor.id, actor);
  }

  /** The actor with id `id`, whatever its state. */
  get(id: string): OwnedActor | undefined {
    return this.#actors.get(id);
  }

  /** The created, not stopped actor named (or with id) `nameOrId`. */
  live(nameOrId: string): OwnedActor | undefined {
    const actor = this.#actors.get(this.#names.get(nameOrId) ?? nameOrId);
    return actor !== undefined && actor.created && actor.status !== "stopped" ? actor : undefined;
  }

  /** How many of the actors not stopped live on `peerId`. */
  hostedOn(peerId: string): number {
    let count = 0;
    for (const actor of this.#actors.values()) if (actor.host === peerId && actor.status !== "stopped") count++;
    return count;
  }

  /** The live actors on `link`. */
  liveOn(link: HostLink): OwnedActor[] {
    return [...this.#actors.values()].filter((actor) => actor.status === "live" && actor.link === link);
  }

  /** Keeps `call` under `key` for `actor` until it is settled. */
  addCall(actor: OwnedActor, key: number, call: PendingCall): void {
    actor.calls.set(key, call);
    this.#callers.set(key, actor);
    if (call.via !== undefined) this.#vias.set(call.via, key);
  }

  /** The key of the pending call sent again under the direct call id `via`. */
  keyOf(via: string): number | undefined {
    return this.#vias.get(via);
  }

  /** The pending call under `key`, taken out (it is being settled), if `accept` takes it. */
  takeCall(key: number, accept: (call: PendingCall) => boolean = () => true): PendingCall | undefined {
    const actor = this.#callers.get(key);
    const call = actor?.calls.get(key);
    if (call === undefined || !accept(call)) return undefined;
    actor!.calls.delete(key);
    this.#callers.delete(key);
    if (call.via !== undefined) this.#vias.delete(call.via);
    return call;
  }

  /** The actor is over: it is forgotten, and its waiting calls fail with `ActorStoppedError`. */
  fail(actor: OwnedActor, reason: string, cause?: unknown): void {
    const calls = [...actor.calls.values()];
    actor.status = "stopped";
    actor.link = undefined;
    this.#actors.delete(actor.id);
    if (actor.name !== undefined && this.#names.get(actor.name) === actor.id) this.#names.delete(actor.name);
    for (const [key, call] of actor.calls) {
      this.#callers.delete(key);
      if (call.via !== undefined) this.#vias.delete(call.via);
    }
    actor.calls.clear();
    const error = new ActorStoppedError(
      `${actor.cls}(${actor.id})`,
      reason,
      cause === undefined ? undefined : { cause },
    );
    for (const call of calls) call.done.reject(error);
  }
}
