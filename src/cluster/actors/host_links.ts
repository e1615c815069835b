/**
 * An owner's links to the peers hosting its actors: one per host, opened when first needed; the
 * requests (create, stop) waiting for a host's answer; and the hosts on which the hosting
 * protocol could not be opened lately, which placement tries last. Keys for requests and calls
 * come from one counter, as the host answers both by key.
 *
 * @module
 */
import { type Clock, type ErrorData, PeerLostError, rebuildError } from "../../common/mod.ts";
import { type NetNode, PeerUnreachableError, ProtocolNotSupportedError } from "../../net/mod.ts";
import type { ActorHosting } from "./actor_host_service.ts";
import type { HostEvent, OwnerMessage } from "./actor_protocol.ts";
import { HostLink } from "./host_link.ts";

/** How long a peer whose hosting protocol could not be opened is tried only after every other one. */
export const UNREACHABLE_HOST_MS = 30_000;

/** What the links report to the owner. */
export interface HostLinksEvents {
  /** An event of an actor's history from `link`, numbered `seq` there. */
  record(link: HostLink, event: HostEvent, seq: number): void;
  /** The call under `key`, last sent on `link`, was refused there before it reached its actor. */
  refused(link: HostLink, key: number, error: ErrorData): void;
  /** `link` is gone (its host left, or it ended): the actors on it must move. */
  lost(link: HostLink, reason: string): void;
}

/** Options of {@linkcode HostLinks}. */
export interface HostLinksOptions {
  node: NetNode;
  /** Hosting on this very peer. */
  hosting: ActorHosting;
  clock: Clock;
  events: HostLinksEvents;
}

interface LinkEntry {
  readonly opening: Promise<HostLink>;
  link?: HostLink;
}

interface PendingRequest {
  readonly link: HostLink;
  readonly done: PromiseWithResolvers<void>;
}

/** The links of one owner. */
export class HostLinks {
  readonly #options: HostLinksOptions;
  readonly #links = new Map<string, LinkEntry>();
  readonly #requests = new Map<number, PendingRequest>();
  readonly #unreachable = new Map<string, number>();
  #nextKey = 1;

  constructor(options: HostLinksOptions) {
    this.#options = options;
  }

  /** A fresh key for a request or a call. */
  nextKey(): number {
    return this.#nextKey++;
  }

  /**
   * The link to `host`, opened once.
   *
   * @throws {ProtocolNotSupportedError} / {PeerUnreachableError} when it cannot be opened (the
   *   host is then tried last for {@linkcode UNREACHABLE_HOST_MS}).
   */
  open(host: string): Promise<HostLink> {
    const known = this.#links.get(host);
    if (known !== undefined) return known.opening;
    const { node, hosting, clock } = this.#options;
    const entry: LinkEntry = {
      opening: HostLink.open(node, hosting, host, {
        record: (link, event, seq) => this.#options.events.record(link, event, seq),
        done: (link, key, error) => this.#done(link, key, error),
        ended: (link, reason) => this.#lost(link, reason),
      }),
    };
    this.#links.set(host, entry);
    entry.opening.then((link) => {
      if (this.#links.get(host) === entry) entry.link = link;
    }, (error: unknown) => {
      if (this.#links.get(host) === entry) this.#links.delete(host);
      if (error instanceof ProtocolNotSupportedError || error instanceof PeerUnreachableError) {
        this.#unreachable.set(host, clock.now());
      }
    });
    return entry.opening;
  }

  /** Whether opening the hosting protocol on `peerId` failed lately. */
  unreachable(peerId: string): boolean {
    const failedAt = this.#unreachable.get(peerId);
    return failedAt !== undefined && this.#options.clock.now() - failedAt < UNREACHABLE_HOST_MS;
  }

  /** `peerId` (re)joined: fresh evidence that it may serve hosting now. */
  joined(peerId: string): void {
    this.#unreachable.delete(peerId);
  }

  /**
   * Sends a create or a stop on `link` and waits for its answer.
   *
   * @throws {PeerLostError} when the link is or gets lost first; the host's error when it fails.
   */
  async request(link: HostLink, message: (key: number) => OwnerMessage): Promise<void> {
    if (link.lost) throw new PeerLostError(link.peerId, "its hosting channel closed");
    const key = this.nextKey();
    const request: PendingRequest = { link, done: Promise.withResolvers() };
    this.#requests.set(key, request);
    link.send(message(key));
    await request.done.promise;
  }

  /** The host `peerId` is gone (it left the membership): its link, open or opening, is let go of. */
  hostLost(peerId: string, reason: string): void {
    const entry = this.#links.get(peerId);
    if (entry === undefined) return;
    this.#links.delete(peerId);
    if (entry.link !== undefined) this.#lost(entry.link, reason);
    else void entry.opening.then((link) => this.#lost(link, reason), () => {});
  }

  #lost(link: HostLink, reason: string): void {
    if (this.#links.get(link.peerId)?.link === link) this.#links.delete(link.peerId);
    link.abort(`its host was lost: ${reason}`);
    for (const [key, request] of this.#requests) {
      if (request.link !== link) continue;
      this.#requests.delete(key);
      request.done.reject(new PeerLostError(link.peerId, reason));
    }
    this.#options.events.lost(link, reason);
  }

  #done(link: HostLink, key: number, error: ErrorData | undefined): void {
    const request = this.#requests.get(key);
    if (request === undefined) {
      // A call that reached its actor is answered from its logged event; only a refusal is reported.
      if (error !== undefined) this.#options.events.refused(link, key, error);
      return;
    }
    if (request.link !== link) return;
    this.#requests.delete(key);
    if (error === undefined) request.done.resolve();
    else request.done.reject(rebuildError(error));
  }
}
