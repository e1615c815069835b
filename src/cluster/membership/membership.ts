/**
 * Membership: every worker announces itself on its app's gossipsub topic (what it registers,
 * where it listens, how busy it is) at start and then as a heartbeat. Peers learn of each other
 * through the peers they know (gossipsub forwards announcements; a new member's addresses are
 * dialled), and a member is taken as gone when its last connection closes or when it misses
 * heartbeats for `failAfterMs`, whichever comes first.
 *
 * A node id (`--node-id`) names one member: the first peer heard with it keeps it, and the
 * announcements of any other peer claiming it (or this peer's own) are ignored, with a warning.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../../common/mod.ts";
import { isWebRtcAddress, type NetNode } from "../../net/mod.ts";
import { MAX_ANNOUNCEMENT_BYTES, type MemberAnnouncement, parseAnnouncement } from "./announcement.ts";

import { DEFAULT_FAIL_AFTER_MS, DEFAULT_HEARTBEAT_MS } from "./timing.ts";

export { DEFAULT_FAIL_AFTER_MS, DEFAULT_HEARTBEAT_MS };

/** A member as this peer last heard of it. */
export interface Member {
  readonly peerId: string;
  announcement: MemberAnnouncement;
  /** When its last announcement arrived, or it last answered a ping (clock ms). */
  lastSeen: number;
  /** Set while a ping to a silent light worker is out. */
  probing?: boolean;
}

/** A change of membership. */
export type MembershipChange =
  | { kind: "joined"; member: Member }
  | { kind: "updated"; member: Member }
  | { kind: "left"; peerId: string; reason: string };

/**
 * The part of a {@linkcode NetNode} membership uses: publish/subscribe on the topic, connection
 * events, and dialling a member heard of through another one (a fake of it runs membership in tests).
 */
export type MembershipNode = Pick<
  NetNode,
  | "peerId"
  | "peers"
  | "connections"
  | "closeRelayed"
  | "dial"
  | "ping"
  | "publish"
  | "subscribe"
  | "addEventListener"
  | "removeEventListener"
>;

/** Options of {@linkcode Membership}. */
export interface MembershipOptions {
  /** Time between two heartbeats. Default {@linkcode DEFAULT_HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Silence after which a member is gone. Default {@linkcode DEFAULT_FAIL_AFTER_MS}. */
  failAfterMs?: number;
  /** Times the heartbeats and the silence of members (a `ManualClock` in tests). Default the system clock. */
  clock?: Clock;
  /** This peer's own node id, which no other member may take. */
  nodeId?: string;
  /** Where warnings go (a peer claiming a node id another holds). Default `console.warn`. */
  warn?: (message: string) => void;
  /**
   * Whether a member may join: `undefined` to let it, or why not (its announcements are then
   * ignored, with one warning). Default: every member may.
   */
  admit?: (announcement: MemberAnnouncement, peerId: string) => string | undefined;
  /**
   * Whether to dial light workers heard of through other members over WebRTC, to take them as
   * members (a server whose node runs WebRTC). Default false: a light worker dials no other.
   */
  dialsLightWorkers?: boolean;
}

/** A WebRTC dial in flight. */
const DIALLING = "dialling";

/** Most claimants remembered as warned about, so a claimant's heartbeats do not repeat the warning. */
const MAX_WARNED = 1_024;

/** The topic a cluster of app `app` announces on. */
export function membershipTopic(app: string): string {
  return `/actant/${app}/members/1`;
}

/** This peer's view of its cluster, kept current from announcements and connection events. */
export class Membership {
  readonly #node: MembershipNode;
  readonly #app: string;
  readonly #announce: () => MemberAnnouncement;
  readonly #heartbeatMs: number;
  readonly #failAfterMs: number;
  readonly #clock: Clock;
  readonly #members = new Map<string, Member>();
  /** Node id → the peer that holds it. */
  readonly #holders = new Map<string, string>();
  readonly #nodeId: string | undefined;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  /** Light workers being dialled over WebRTC, or when a dial failed (a bounded record, as #warned). */
  readonly #webRtcDials = new Map<string, number | typeof DIALLING>();
  readonly #admit: MembershipOptions["admit"];
  readonly #dialsLightWorkers: boolean;
  #list: Member[] | undefined;
  readonly #listeners = new Set<(change: MembershipChange) => void>();
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();
  #unsubscribe: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  readonly #onDisconnect = (event: CustomEvent<{ peerId: string }>) =>
    this.#leave(event.detail.peerId, "its connection closed");
  readonly #onConnect = () => this.announce();

  constructor(node: MembershipNode, app: string, announce: () => MemberAnnouncement, options: MembershipOptions = {}) {
    this.#node = node;
    this.#app = app;
    this.#announce = announce;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#failAfterMs = options.failAfterMs ?? DEFAULT_FAIL_AFTER_MS;
    this.#clock = options.clock ?? systemClock;
    this.#nodeId = options.nodeId;
    this.#warn = options.warn ?? ((message) => console.warn(`actant: ${message}`));
    this.#admit = options.admit;
    this.#dialsLightWorkers = options.dialsLightWorkers ?? false;
  }

  /** Subscribes to the topic, announces this peer and starts the heartbeat. */
  start(): void {
    this.#unsubscribe = this.#node.subscribe(membershipTopic(this.#app), ({ data, from }) => this.#receive(data, from));
    this.#node.addEventListener("peer:disconnect", this.#onDisconnect);
    // A new connection may be a new member that has not heard of this one yet.
    this.#node.addEventListener("peer:connect", this.#onConnect);
    this.#tick();
  }

  /**
   * The members alive now (this peer excluded). The same array until one joins or leaves: the
   * placer reads it for every attempt.
   */
  members(): readonly Member[] {
    return this.#list ??= [...this.#members.values()];
  }

  /** The member with `peerId`, if alive. */
  get(peerId: string): Member | undefined {
    return this.#members.get(peerId);
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  onChange(listener: (change: MembershipChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Publishes this peer's announcement now (besides the heartbeat). */
  announce(extra?: Partial<MemberAnnouncement>): Promise<void> {
    const body = this.#encoder.encode(JSON.stringify({ ...this.#announce(), ...extra }));
    return this.#node.publish(membershipTopic(this.#app), body).catch(() => {});
  }

  /** Announces that this peer leaves, and stops. */
  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#node.removeEventListener("peer:disconnect", this.#onDisconnect);
    this.#node.removeEventListener("peer:connect", this.#onConnect);
    if (this.#unsubscribe === undefined) return;
    await this.announce({ leaving: true });
    this.#unsubscribe();
    this.#unsubscribe = undefined;
  }

  #tick(): void {
    void this.announce();
    const now = this.#clock.now();
    for (const member of this.#members.values()) {
      if (now - member.lastSeen <= this.#failAfterMs) continue;
      // A light worker's heartbeats are its tab's timers, which a background tab fires once a
      // minute: its silence is no evidence. A ping it does not answer is.
      if (member.announcement.light) this.#probe(member);
      else this.#leave(member.peerId, `no heartbeat for ${this.#failAfterMs} ms`);
    }
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#heartbeatMs);
  }

  /**
   * Pings a silent light worker: an answer within `failAfterMs` counts as a heartbeat; none (a
   * frozen or closed tab) takes it as gone.
   */
  #probe(member: Member): void {
    if (member.probing) return;
    member.probing = true;
    const controller = new AbortController();
    const timer = this.#clock.setTimeout(() => controller.abort(), this.#failAfterMs);
    const silentFor = this.#clock.now() - member.lastSeen;
    this.#node.ping(member.peerId, { signal: controller.signal }).then(
      () => {
        if (this.#members.get(member.peerId) === member) member.lastSeen = this.#clock.now();
      },
      () => {
        if (this.#members.get(member.peerId) !== member) return;
        this.#leave(member.peerId, `no heartbeat for ${silentFor} ms, and no answer to a ping`);
      },
    ).finally(() => {
      timer.cancel();
      member.probing = false;
    });
  }

  #receive(data: Uint8Array, from: string): void {
    if (from === this.#node.peerId || data.byteLength > MAX_ANNOUNCEMENT_BYTES) return;
    let announcement: MemberAnnouncement;
    try {
      announcement = parseAnnouncement(JSON.parse(this.#decoder.decode(data)), from);
    } catch {
      return; // not an announcement of this protocol: gossipsub already checked the signature
    }
    if (announcement.app !== this.#app) return;
    if (announcement.leaving) return this.#leave(from, "it announced that it leaves");
    const known = this.#members.get(from);
    if (!this.#mayHold(from, announcement.status.nodeId, known)) return;
    const refusal = this.#admit?.(announcement, from);
    // A light worker listens on nothing: a member only for the peers it is connected to (its
    // server), and for those that reach it over WebRTC (signalled through a relay), once they have.
    if (announcement.light && !this.#reachesDirectly(from)) {
      if (refusal === undefined) this.#dialOverWebRtc(from, announcement.status.addresses);
      return;
    }
    if (refusal !== undefined) {
      if (known !== undefined) this.#leave(from, refusal);
      return this.#warnOnce(`refused ${from}`, `peer ${from} ("${announcement.status.nodeId}") ${refusal}`);
    }
    if (known !== undefined) {
      known.announcement = announcement;
      known.lastSeen = this.#clock.now();
      return this.#emit({ kind: "updated", member: known });
    }
    const member: Member = { peerId: from, announcement, lastSeen: this.#clock.now() };
    this.#members.set(from, member);
    this.#holders.set(announcement.status.nodeId, from);
    this.#list = undefined;
    // Discovery through known peers: connect straight to a member heard of through another one.
    if (!this.#node.peers().includes(from)) this.#dialAny(announcement.status.addresses);
    this.#emit({ kind: "joined", member });
  }

  /**
   * Whether `peerId` may announce itself as `nodeId`: no other member (nor this peer) holds it,
   * and a member keeps the node id it joined with.
   */
  #mayHold(peerId: string, nodeId: string, known: Member | undefined): boolean {
    const holder = nodeId === this.#nodeId ? this.#node.peerId : this.#holders.get(nodeId);
    const kept = known === undefined || known.announcement.status.nodeId === nodeId;
    if ((holder === undefined || holder === peerId) && kept) return true;
    this.#warnOnce(
      `${peerId} ${nodeId}`,
      kept
        ? `peer ${peerId} claims node id "${nodeId}", held by ${holder}: its announcements are ignored`
        : `member ${peerId} ("${known!.announcement.status.nodeId}") announced node id "${nodeId}": ignored`,
    );
    return false;
  }

  /** Warns once per `key` (a claimant's heartbeats do not repeat the warning). */
  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    if (this.#warned.size >= MAX_WARNED) this.#warned.clear();
    this.#warned.add(key);
    this.#warn(message);
  }

  /** Whether this peer has a connection to `peerId` that is not a limited (relayed) one. */
  #reachesDirectly(peerId: string): boolean {
    return this.#node.connections().some((c) => c.peerId === peerId && c.transport !== "relayed");
  }

  /**
   * Dials a light worker heard of through another member over WebRTC, if both run it (at most once
   * per `failAfterMs` per peer); once connected, its next announcement makes it a member.
   */
  #dialOverWebRtc(peerId: string, addresses: readonly string[]): void {
    if (!this.#dialsLightWorkers) return;
    const address = addresses.find((a) => isWebRtcAddress(a) && a.endsWith(`/p2p/${peerId}`));
    const last = this.#webRtcDials.get(peerId);
    if (address === undefined || last === DIALLING) return;
    if (last !== undefined && this.#clock.now() - last < this.#failAfterMs) return;
    if (this.#webRtcDials.size >= MAX_WARNED) this.#webRtcDials.clear();
    this.#webRtcDials.set(peerId, DIALLING);
    this.#node.dial(address).then(
      () => {
        this.#webRtcDials.delete(peerId);
        return this.#node.closeRelayed(peerId);
      },
      // Not reachable over WebRTC (now): tried again on an announcement after failAfterMs.
      () => void this.#webRtcDials.set(peerId, this.#clock.now()),
    );
  }

  #dialAny(addresses: readonly string[]): void {
    const tryNext = (i: number): void => {
      if (i >= addresses.length) return;
      this.#node.dial(addresses[i]).catch(() => tryNext(i + 1));
    };
    tryNext(0);
  }

  #leave(peerId: string, reason: string): void {
    const member = this.#members.get(peerId);
    if (member === undefined) return;
    this.#members.delete(peerId);
    const nodeId = member.announcement.status.nodeId;
    if (this.#holders.get(nodeId) === peerId) this.#holders.delete(nodeId);
    this.#list = undefined;
    this.#emit({ kind: "left", peerId, reason });
  }

  #emit(change: MembershipChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
