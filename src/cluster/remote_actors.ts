/**
 * The owner's side of actors it placed in the cluster (those its clients create). Each actor
 * lives on one host (possibly this peer); the owner logs its history as the host reports it
 * (creation, calls with their outcome, checkpoints), answers callers from that log, and when
 * the host is lost re-creates the actor on another member from its last checkpoint plus the
 * calls logged after it, then sends the calls still unanswered again. A call is thus delivered
 * at least once, and its effect on the logged state counted exactly once.
 *
 * @module
 */
import { type ActorLogEntry, type ActorRecovery, foldActorEvent } from "../actor/mod.ts";
import { ActorNotFoundError, ActorStoppedError, type Encoded, type IdGenerator, PeerLostError, SerializationError } from "../common/mod.ts";
import { messageSize, type NetNode } from "../net/mod.ts";
import type { Journal, JournalEvent } from "../store/mod.ts";
import { type ActorHosting, hostLocally, type MessageEnd } from "./actor_host_service.ts";
import { ACTORS_PROTOCOL, type HostMessage, type OwnerMessage } from "./actor_protocol.ts";
import { MAX_BATCH_BYTES } from "./batch.ts";
import type { Membership } from "./membership.ts";
import { type ErrorInfo, rebuildError } from "./protocol.ts";

/** An actor this peer owns, and what its log says about it. */
interface OwnedActor {
  readonly id: string;
  readonly cls: string;
  readonly name: string | undefined;
  readonly args: Encoded;
  host: string;
  checkpoint: { n: number; state: Encoded } | undefined;
  entries: ActorLogEntry[];
  stopped: boolean;
}

/** A call waiting for its logged outcome. */
type Pending =
  /** A call, answered from its logged event; it follows its actor to a new host. */
  | { readonly kind: "call"; readonly actorId: string; readonly method: string; readonly args: Encoded; readonly done: PromiseWithResolvers<Encoded | undefined> }
  /** A create or a stop, answered by `done` from the host it went to. */
  | { readonly kind: "request"; readonly host: string; readonly done: PromiseWithResolvers<Encoded | undefined> };

/** The connection to one host. */
interface HostLink {
  readonly writer: WritableStreamDefaultWriter<OwnerMessage>;
  lost: boolean;
}

/** Actors this peer owns across the cluster. */
export class RemoteActors {
  readonly #node: NetNode;
  readonly #membership: Membership;
  readonly #hosting: ActorHosting;
  readonly #registersHere: (cls: string) => boolean;
  readonly #journal: Journal;
  readonly #ids: IdGenerator;
  readonly #actors = new Map<string, OwnedActor>();
  readonly #names = new Map<string, string>();
  readonly #pending = new Map<number, Pending>();
  readonly #links = new Map<string, Promise<HostLink>>();
  #nextKey = 1;

  constructor(
    node: NetNode,
    membership: Membership,
    local: { hosting: ActorHosting; registers: (cls: string) => boolean; journal: Journal; ids: IdGenerator },
  ) {
    this.#node = node;
    this.#membership = membership;
    this.#hosting = local.hosting;
    this.#registersHere = local.registers;
    this.#journal = local.journal;
    this.#ids = local.ids;
    membership.onChange((change) => {
      if (change.kind === "left") void this.#hostLost(change.peerId, change.reason);
    });
  }

  /** Places a new actor of class `cls` on the member hosting fewest actors; resolves with its id. */
  async create(cls: string, args: Encoded, name?: string): Promise<string> {
    if (name !== undefined && this.#names.has(name)) throw new TypeError(`An actor named "${name}" already exists`);
    const host = this.#place(cls, undefined);
    const actor: OwnedActor = { id: this.#ids.next("a"), cls, name, args, host, checkpoint: undefined, entries: [], stopped: false };
    if (name !== undefined) this.#names.set(name, actor.id);
    await this.#journal.record({ type: "actor.created", id: actor.id, actor: cls, name, args, host });
    try {
      await this.#request(host, (key) => ({ op: "create", key, actorId: actor.id, cls, args }));
    } catch (error) {
      if (name !== undefined) this.#names.delete(name);
      throw error;
    }
    this.#actors.set(actor.id, actor);
    return actor.id;
  }

  /** Whether `nameOrId` names (or is the id of) a live actor this peer owns. */
  knows(nameOrId: string): boolean {
    const actor = this.#actors.get(this.#names.get(nameOrId) ?? nameOrId);
    return actor !== undefined && !actor.stopped;
  }

  /** The id of the live actor named (or with id) `nameOrId`, of class `cls`. */
  find(cls: string, nameOrId: string): string {
    const actor = this.#actors.get(this.#names.get(nameOrId) ?? nameOrId);
    if (actor === undefined || actor.stopped) throw new ActorNotFoundError(`No live actor named "${nameOrId}" (nor with that id)`);
    if (actor.cls !== cls) throw new ActorNotFoundError(`Actor "${nameOrId}" is a ${actor.cls}, not a ${cls}`);
    return actor.id;
  }

  /** Relays a call; resolves with its encoded result once its outcome is logged here. */
  call(actorId: string, method: string, args: Encoded): Promise<Encoded | undefined> {
    const actor = this.#actors.get(actorId);
    if (actor === undefined || actor.stopped) {
      return Promise.reject(new ActorStoppedError(actorId, "no such actor is live in this cluster"));
    }
    const key = this.#nextKey++;
    const message: OwnerMessage = { op: "call", key, actorId, method, args };
    // Too big for a frame: refused here, or it would break the hosting channel of every actor there.
    if (messageSize(message) > MAX_BATCH_BYTES) {
      return Promise.reject(new SerializationError(`the arguments of ${actor.cls}.${method}`, `more than a frame carries (${MAX_BATCH_BYTES} bytes)`));
    }
    const call: Pending = { kind: "call", actorId, method, args, done: Promise.withResolvers() };
    this.#pending.set(key, call);
    void this.#send(actor.host, message);
    return call.done.promise;
  }

  /** Stops an actor on its host. */
  async stop(actorId: string, drain: boolean): Promise<void> {
    const actor = this.#actors.get(actorId);
    if (actor === undefined || actor.stopped) return;
    await this.#request(actor.host, (key) => ({ op: "stop", key, actorId, drain }));
  }

  /** How many live actors this peer owns. */
  get size(): number {
    return this.#actors.size;
  }

  /** The member hosting fewest actors that registers `cls` (another member wins a tie with this peer). */
  #place(cls: string, except: string | undefined): string {
    let best: string | undefined;
    let bestCount = Infinity;
    for (const member of this.#membership.members()) {
      if (member.peerId === except || !member.announcement.registers.actors.includes(cls)) continue;
      const count = member.announcement.status.actors + this.#hostedOn(member.peerId);
      if (count < bestCount) [best, bestCount] = [member.peerId, count];
    }
    if (this.#registersHere(cls) && this.#hostedOn(this.#node.peerId) < bestCount) best = this.#node.peerId;
    if (best === undefined) throw new ActorNotFoundError(`No peer of this cluster registers actor class ${cls}`);
    return best;
  }

  #hostedOn(peerId: string): number {
    let count = 0;
    for (const actor of this.#actors.values()) if (actor.host === peerId && !actor.stopped) count++;
    return count;
  }

  /** A host was lost: its actors move, from their logged history, and their unanswered calls follow. */
  async #hostLost(peerId: string, reason: string): Promise<void> {
    const link = await this.#links.get(peerId)?.catch(() => undefined);
    if (link !== undefined) link.lost = true;
    this.#links.delete(peerId);
    for (const [key, call] of this.#pending) {
      if (call.kind !== "request" || call.host !== peerId) continue;
      this.#pending.delete(key);
      call.done.reject(new PeerLostError(peerId, reason));
    }
    for (const actor of this.#actors.values()) {
      if (actor.host !== peerId || actor.stopped) continue;
      try {
        actor.host = this.#place(actor.cls, peerId);
        const recovered: ActorRecovery = { checkpoint: actor.checkpoint, entries: actor.entries.slice() };
        await this.#request(actor.host, (key) => ({ op: "create", key, actorId: actor.id, cls: actor.cls, args: actor.args, recovered }));
      } catch (error) {
        this.#fail(actor, `its host ${peerId} was lost (${reason}) and it could not move: ${(error as Error).message}`);
        continue;
      }
      for (const [key, call] of this.#pending) {
        if (call.kind === "call" && call.actorId === actor.id) {
          void this.#send(actor.host, { op: "call", key, actorId: actor.id, method: call.method, args: call.args });
        }
      }
    }
  }

  #fail(actor: OwnedActor, reason: string): void {
    actor.stopped = true;
    this.#actors.delete(actor.id);
    if (actor.name !== undefined) this.#names.delete(actor.name);
    for (const [key, call] of this.#pending) {
      if (call.kind !== "call" || call.actorId !== actor.id) continue;
      this.#pending.delete(key);
      call.done.reject(new ActorStoppedError(`${actor.cls}(${actor.id})`, reason));
    }
  }

  /** Sends a create or a stop and waits for its answer. */
  async #request(host: string, message: (key: number) => OwnerMessage): Promise<void> {
    const key = this.#nextKey++;
    const call: Pending = { kind: "request", host, done: Promise.withResolvers() };
    this.#pending.set(key, call);
    await this.#send(host, message(key));
    await call.done.promise;
  }

  async #send(host: string, message: OwnerMessage): Promise<void> {
    try {
      const link = await this.#link(host);
      await link.writer.write(message);
    } catch {
      // The host is unreachable: membership will report it lost, and its actors will move.
    }
  }

  #link(host: string): Promise<HostLink> {
    let link = this.#links.get(host);
    if (link === undefined) {
      link = (async () => {
        const end: MessageEnd<HostMessage, OwnerMessage> = host === this.#node.peerId
          ? hostLocally(this.#hosting)
          : await this.#node.openChannel<HostMessage, OwnerMessage>(host, ACTORS_PROTOCOL);
        const opened: HostLink = { writer: end.writable.getWriter(), lost: false };
        void this.#read(end.readable, opened, host);
        return opened;
      })();
      this.#links.set(host, link);
      link.catch(() => this.#links.delete(host));
    }
    return link;
  }

  async #read(readable: ReadableStream<HostMessage>, link: HostLink, host: string): Promise<void> {
    try {
      for await (const message of readable) {
        if (link.lost) return;
        if (message?.op === "record") await this.#record(message.event, message.seq, link);
        else if (message?.op === "done") this.#done(message.key, message.ok ? undefined : message.error);
      }
    } catch {
      // A broken channel: handled below like a closed one.
    }
    // The host's side ended while it may still be a member: its actors move all the same.
    if (!link.lost) void this.#hostLost(host, "its hosting channel closed");
  }

  /** Logs an event of an actor's history, acknowledges it, and answers the call it settles. */
  async #record(event: JournalEvent, seq: number, link: HostLink): Promise<void> {
    const actor = this.#actors.get(event.id as string);
    await this.#journal.record(event);
    if (actor !== undefined) foldActorEvent(actor, event);
    await link.writer.write({ op: "ack", seq }).catch(() => {});
    if (event.type === "actor.stopped" && actor !== undefined) this.#fail(actor, "it was stopped");
    if (event.type !== "actor.call" || typeof event.key !== "number") return;
    const call = this.#pending.get(event.key);
    if (call === undefined) return;
    this.#pending.delete(event.key);
    if (event.error !== undefined) call.done.reject(rebuildError(event.error as ErrorInfo));
    else call.done.resolve(event.result as Encoded);
  }

  #done(key: number, error: ErrorInfo | undefined): void {
    const call = this.#pending.get(key);
    // A call that reached its actor is answered from its logged event, not from here.
    if (call === undefined || (error === undefined && call.kind === "call")) return;
    this.#pending.delete(key);
    if (error === undefined) call.done.resolve(undefined);
    else call.done.reject(rebuildError(error));
  }
}
