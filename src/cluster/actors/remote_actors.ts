/**
 * The owner's side of actors it placed in the cluster (those its clients create). Each actor
 * lives on one host (possibly this peer); the owner logs its history as the host reports it
 * (calls with their outcome, checkpoints), answers callers from that log, and when the host is
 * lost moves the actor to another member, rebuilt from its last checkpoint plus the calls
 * logged after it, then sends the calls still unanswered there.
 *
 * A move is atomic with respect to the log. From the moment it starts, nothing the old host
 * sends is logged, folded or answered; what was handed to the log before is waited for, and
 * the new host is built from all of it. A call is answered once, from the one logged event of
 * its effect: it may run again on the new host (at-least-once execution) but is counted once.
 *
 * @module
 */
import { type ActorJournal, type ActorRecovery, foldActorEvent } from "../../actor/mod.ts";
import {
  ActorNameTakenError,
  ActorNotFoundError,
  ActorPlacementError,
  ActorStoppedError,
  type Clock,
  type Encoded,
  type ErrorData,
  type IdGenerator,
  PeerLostError,
  rebuildError,
  SerializationError,
  systemClock,
} from "../../common/mod.ts";
import { type EncodedMessage, encodeForChannel, type NetNode } from "../../net/mod.ts";
import type { ActorHosting } from "./actor_host_service.ts";
import { actorCandidates } from "./actor_placement.ts";
import type { HostEvent, OwnerMessage } from "./actor_protocol.ts";
import type { ActorHostInfo } from "./direct_protocol.ts";
import type { HostLink } from "./host_link.ts";
import { HostLinks } from "./host_links.ts";
import type { Membership } from "../membership/mod.ts";
import { isOver, type OwnedActor, type PendingCall } from "./owned_actor.ts";
import { OwnedActors } from "./owned_actors.ts";

/**
 * How many direct calls' outcomes an owner keeps per actor, to answer a call its caller sends
 * again through it (its connection to the host broke before the answer came) without running it twice.
 */
export const REMEMBERED_OUTCOMES = 1_024;

/** What the owner needs from its own peer. */
export interface RemoteActorsLocal {
  hosting: ActorHosting;
  registers: (cls: string) => boolean;
  journal: ActorJournal;
  ids: IdGenerator;
  /** For how long an unreachable host is tried last. Default: the system clock. */
  clock?: Clock;
  /**
   * Whether a member is proven reachable (task placement's evidence: a direct ping or answer);
   * one that is not is tried last, like a host whose actors protocol failed to open.
   */
  reachable?: (peerId: string) => boolean;
}

/** Actors this peer owns across the cluster. */
export class RemoteActors {
  readonly #node: NetNode;
  readonly #membership: Membership;
  readonly #local: RemoteActorsLocal;
  readonly #links: HostLinks;
  readonly #actors = new OwnedActors();

  constructor(node: NetNode, membership: Membership, local: RemoteActorsLocal) {
    this.#node = node;
    this.#membership = membership;
    this.#local = local;
    this.#links = new HostLinks({
      node,
      hosting: local.hosting,
      clock: local.clock ?? systemClock,
      events: {
        record: (link, event, seq) => this.#record(link, event, seq),
        refused: (link, key, error) => this.#refused(link, key, error),
        lost: (link, reason) => this.#linkLost(link, reason),
      },
    });
    membership.onChange((change) => {
      if (change.kind === "left") this.#links.hostLost(change.peerId, change.reason);
      if (change.kind === "joined") this.#links.joined(change.member.peerId);
    });
  }

  /**
   * Places a new actor of class `cls` on the member hosting fewest actors; resolves with its id.
   *
   * @throws {ActorNameTakenError} when an actor this peer owns already has `name` (as in local mode).
   * @throws {ActorNotFoundError} when no peer registers `cls`.
   * @throws {ActorPlacementError} when none of those that do could host it.
   */
  async create(cls: string, args: Encoded, name?: string): Promise<string> {
    if (name !== undefined && this.#actors.named(name)) throw new ActorNameTakenError(name);
    const actor: OwnedActor = {
      id: this.#local.ids.next("a"),
      cls,
      name,
      args,
      status: "placing",
      host: undefined,
      link: undefined,
      entries: [],
      calls: new Map(),
      recording: new Set(),
      placed: undefined,
      created: false,
      direct: new Map(),
    };
    this.#actors.add(actor);
    try {
      actor.placed = this.#place(actor, undefined, undefined);
      await actor.placed;
      // Logged once a host holds it: a create that fails leaves nothing to bring back.
      await this.#local.journal.record({
        type: "actor.created",
        id: actor.id,
        actor: cls,
        name,
        args,
        host: actor.host,
      });
    } catch (error) {
      if (actor.link !== undefined) {
        actor.link.send({ op: "stop", key: this.#links.nextKey(), actorId: actor.id, drain: false });
      }
      this.#actors.fail(actor, "it could not be created", error);
      throw error;
    }
    if (isOver(actor)) throw new ActorStoppedError(`${cls}(${actor.id})`, "it stopped as it was created");
    actor.created = true;
    return actor.id;
  }

  /** Whether `nameOrId` names (or is the id of) a live actor this peer owns. */
  knows(nameOrId: string): boolean {
    return this.#actors.live(nameOrId) !== undefined;
  }

  /** The id of the live actor named (or with id) `nameOrId`, of class `cls`. */
  find(cls: string, nameOrId: string): string {
    const actor = this.#actors.live(nameOrId);
    if (actor === undefined) throw new ActorNotFoundError(`No live actor named "${nameOrId}" (nor with that id)`);
    if (actor.cls !== cls) throw new ActorNotFoundError(`Actor "${nameOrId}" is a ${actor.cls}, not a ${cls}`);
    return actor.id;
  }

  /**
   * Where the live actor `actorId` is hosted: the host's peer id and the addresses it announces
   * (a caller that can dial one calls it there directly), or `null` while it is being placed.
   */
  hostOf(actorId: string): ActorHostInfo | null {
    const actor = this.#actors.live(actorId);
    if (actor === undefined || actor.status !== "live" || actor.host === undefined) return null;
    const addresses = actor.host === this.#node.peerId
      ? this.#node.addresses()
      : this.#membership.get(actor.host)?.announcement.status.addresses ?? [];
    return { peerId: actor.host, addresses };
  }

  /**
   * Relays a call; resolves with its encoded result once its outcome is logged here. A `via` id
   * (a direct call its caller sends again, its connection to the host having broken) is answered
   * from the call's logged event if the host ran it: it runs once.
   */
  call(actorId: string, method: string, args: Encoded, via?: string): Promise<Encoded | undefined> {
    const actor = this.#actors.live(actorId);
    if (actor === undefined) {
      return Promise.reject(new ActorStoppedError(actorId, "no such actor is live in this cluster"));
    }
    const logged = via === undefined ? undefined : actor.direct.get(via);
    if (logged !== undefined) {
      return logged.error === undefined ? Promise.resolve(logged.result) : Promise.reject(rebuildError(logged.error));
    }
    const key = this.#links.nextKey();
    // Encoded once, here (the same message goes to each host the actor moves to): one too big for
    // a frame is refused now, or it would break the hosting channel of every actor there.
    let message: EncodedMessage<OwnerMessage>;
    try {
      message = encodeForChannel<OwnerMessage>(
        via === undefined
          ? { op: "call", key, actorId: actor.id, method, args }
          : { op: "call", key, actorId: actor.id, method, args, via },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new SerializationError(`the arguments of ${actor.cls}.${method}`, reason));
    }
    const call: PendingCall = { method, message, done: Promise.withResolvers(), via };
    this.#actors.addCall(actor, key, call);
    // While the actor is being placed its calls wait, and go out in order once it is live.
    if (actor.status === "live") this.#sendCall(actor, call);
    return call.done.promise;
  }

  /** Stops an actor on its host (following it if it moves meanwhile). */
  async stop(actorId: string, drain: boolean): Promise<void> {
    const actor = this.#actors.live(actorId);
    while (actor !== undefined && actor.status !== "stopped") {
      if (actor.status === "placing") {
        await actor.placed?.catch(() => {});
        continue;
      }
      try {
        await this.#links.request(actor.link!, (key) => ({ op: "stop", key, actorId, drain }));
        return;
      } catch (error) {
        // Its host was lost before it answered: the actor moves, and the stop follows it.
        if (!(error instanceof PeerLostError)) throw error;
      }
    }
  }

  /** How many live actors this peer owns. */
  get size(): number {
    return this.#actors.size;
  }

  /**
   * Puts `actor` on the best peer that takes it, trying the next one when a peer cannot be
   * reached or refuses; `recovered` rebuilds a moving actor there. It is `live` when this
   * resolves, and its waiting calls have gone out, in order, in the same turn.
   */
  async #place(actor: OwnedActor, recovered: ActorRecovery | undefined, lost: string | undefined): Promise<void> {
    const tried = new Set<string>(lost === undefined ? [] : [lost]);
    const failures: Array<{ peerId: string; error: unknown }> = [];
    for (;;) {
      const host = this.#candidates(actor.cls, tried)[0];
      if (host === undefined || isOver(actor)) break;
      tried.add(host);
      actor.host = host;
      try {
        const link = await this.#links.open(host);
        actor.link = link;
        await this.#links.request(
          link,
          (key) => ({ op: "create", key, actorId: actor.id, cls: actor.cls, args: actor.args, recovered }),
        );
        if (isOver(actor)) return;
        if (link.lost) throw new PeerLostError(host, "its hosting channel closed as the actor started there");
        // Live, and in the same turn the waiting calls go out in the order they were made: a call
        // made from now on is sent after them.
        actor.status = "live";
        for (const call of actor.calls.values()) this.#sendCall(actor, call);
        return;
      } catch (error) {
        actor.link = undefined;
        failures.push({ peerId: host, error });
        // The actor's own constructor failing would fail anywhere: not a reason to try another peer.
        if ((error as Error).name === "ActorInitError") throw error;
      }
    }
    actor.host = undefined;
    if (failures.length === 0) {
      throw new ActorNotFoundError(`No peer of this cluster registers actor class ${actor.cls}`);
    }
    throw new ActorPlacementError(recovered === undefined ? actor.cls : `${actor.cls}(${actor.id})`, failures);
  }

  #candidates(cls: string, exclude: ReadonlySet<string>): string[] {
    return actorCandidates(cls, {
      members: this.#membership.members(),
      self: { peerId: this.#node.peerId, registers: this.#local.registers(cls) },
      hostedOn: (peerId) => this.#actors.hostedOn(peerId),
      unreachable: (peerId) =>
        this.#links.unreachable(peerId) || (peerId !== this.#node.peerId && this.#local.reachable?.(peerId) === false),
    }, exclude);
  }

  /** A host's link is gone (it left, or the link ended): its actors move, from their logged history. */
  #linkLost(link: HostLink, reason: string): void {
    for (const actor of this.#actors.liveOn(link)) this.#move(actor, link.peerId, reason);
  }

  /**
   * Moves `actor` off `lost`. Records from the old host are refused from now on; those already
   * handed to the log are waited for, so the new host is built from everything acknowledged.
   */
  #move(actor: OwnedActor, lost: string, reason: string): void {
    actor.status = "placing";
    actor.link = undefined;
    actor.placed = (async () => {
      await Promise.all(actor.recording);
      if (actor.status === "stopped") return;
      const recovered: ActorRecovery = { checkpoint: actor.checkpoint, entries: actor.entries.slice() };
      try {
        await this.#place(actor, recovered, lost);
      } catch (error) {
        const why = `its host ${lost} was lost (${reason}) and it could not move: ${(error as Error).message}`;
        this.#actors.fail(actor, why, error);
      }
    })();
  }

  #sendCall(actor: OwnedActor, call: PendingCall): void {
    call.sentOn = actor.link;
    actor.link!.send(call.message);
  }

  /**
   * An event of an actor's history from `link`. Logged (and folded here in the same turn as the
   * log folds it) only while the actor lives on that link; acknowledged to the host and answered
   * once the log acknowledged it.
   */
  #record(link: HostLink, event: HostEvent, seq: number): void {
    const actor = this.#actors.get(event.id);
    // A host the actor has left (or never lived on): its word is not logged and not answered.
    if (actor === undefined || actor.link !== link || actor.status === "stopped") return;
    let acked: Promise<void> | undefined;
    try {
      acked = this.#local.journal.record(event);
    } catch (error) {
      acked = Promise.reject(error);
    }
    foldActorEvent(actor, event);
    const recorded = Promise.resolve(acked).then(
      () => {
        link.send({ op: "ack", seq });
        this.#answer(actor, event);
      },
      (error: unknown) => this.#actors.fail(actor, "its owner's log cannot record its calls", error),
    );
    actor.recording.add(recorded);
    void recorded.finally(() => actor.recording.delete(recorded));
  }

  /**
   * Answers the call a logged event settles (by its key, or the `via` id of a direct call sent
   * again), or ends an actor whose stop was logged. A direct call's outcome is kept a while, for
   * its caller's copy that may come through here later.
   */
  #answer(actor: OwnedActor, event: HostEvent): void {
    if (event.type === "actor.stopped") return this.#actors.fail(actor, "it was stopped");
    if (event.type !== "actor.call") return;
    if (event.via !== undefined) {
      actor.direct.set(event.via, { result: event.result, error: event.error });
      if (actor.direct.size > REMEMBERED_OUTCOMES) actor.direct.delete(actor.direct.keys().next().value!);
    }
    const key = typeof event.key === "number" && actor.calls.has(event.key)
      ? event.key
      : event.via === undefined
      ? undefined
      : this.#actors.keyOf(event.via);
    if (key === undefined) return;
    const call = this.#actors.takeCall(key)!;
    if (event.error !== undefined) call.done.reject(rebuildError(event.error));
    else call.done.resolve(event.result!);
  }

  /** A call refused before it reached its actor: answered so, if `link` is where it was last sent. */
  #refused(link: HostLink, key: number, error: ErrorData): void {
    this.#actors.takeCall(key, (call) => call.sentOn === link)?.done.reject(rebuildError(error));
  }
}
