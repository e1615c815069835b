/**
 * The caller's side of direct calls (see `../actors/direct_protocol.ts`): an app that runs WebRTC
 * asks an actor's owner where the actor is hosted, and when the host can be dialled over WebRTC
 * (a browser tab, through a relay), sends its calls to the actor there, over that connection,
 * instead of through the owner. Once the direct connection is up, the relayed one that signalled
 * it is closed: nothing else runs over it, and it holds a slot of the relay.
 *
 * A call the host says did not reach the actor (it moved) goes through the owner, as does every
 * call to an actor whose host cannot be dialled so (a server, or a host without WebRTC). A call
 * in flight when the direct connection breaks goes again through the owner under its id (its
 * key): the host logged it under that id if it ran it, and then the owner answers from that
 * event (or the host, if it is alive and still running it, runs nothing new), so it runs once.
 *
 * @module
 */
import { type Clock, type Encoded, rebuildError } from "../../common/mod.ts";
import { type Channel, isWebRtcAddress, MessageSender, type NetNode } from "../../net/mod.ts";
import {
  type ActorHostInfo,
  DIRECT_CALLS_PROTOCOL,
  type DirectAnswer,
  type DirectCall,
} from "../actors/direct_protocol.ts";

/** How long an actor's owner is not asked again where it is, once it said "not over WebRTC". */
export const ROUTE_RECHECK_MS = 5_000;

/**
 * A call to send through the owner instead: with `via` (its key) when it went to the host and the
 * connection broke before the answer (the owner answers it once, whether the host ran it or not).
 */
export class ThroughOwner {
  readonly via: number | undefined;
  constructor(via?: number) {
    this.via = via;
  }
}

const THROUGH_OWNER = new ThroughOwner();

interface Route {
  host: Promise<HostCaller | undefined>;
  /** When the owner was asked (on the clock). */
  asked: number;
  /** Whether the host can be called directly; `undefined` until the owner answered. */
  direct?: boolean;
}

/** Options of {@linkcode DirectCalls}. */
export interface DirectCallsOptions {
  /** Asks the actor's owner where it is hosted (`null`: nowhere it can say). */
  whereIs(actorId: string): Promise<ActorHostInfo | null>;
  clock: Clock;
}

/** The direct calls of one app's node. */
export class DirectCalls {
  readonly #node: NetNode;
  readonly #options: DirectCallsOptions;
  readonly #routes = new Map<string, Route>();
  readonly #hosts = new Map<string, Promise<HostCaller | undefined>>();
  /** Keys of direct calls: unique across this app's hosts, as the ids they are logged under are. */
  readonly #keys = { next: 1 };

  constructor(node: NetNode, options: DirectCallsOptions) {
    this.#node = node;
    this.#options = options;
  }

  /**
   * Calls `method` of `actorId` at its host directly: resolves with the encoded result, or a
   * {@linkcode ThroughOwner} when the call is to go through the owner.
   */
  async call(actorId: string, method: string, args: Encoded): Promise<Encoded | ThroughOwner> {
    const host = await this.#route(actorId).host;
    if (host === undefined) return THROUGH_OWNER;
    const result = await host.call(actorId, method, args);
    if (result instanceof ThroughOwner) this.#routes.delete(actorId); // it moved, or the host went: ask again
    return result;
  }

  /** Closes every direct connection's channel. */
  async close(): Promise<void> {
    const hosts = await Promise.all(this.#hosts.values());
    await Promise.all(hosts.map((host) => host?.close()));
  }

  #route(actorId: string): Route {
    const now = this.#options.clock.now();
    const known = this.#routes.get(actorId);
    // A route through the owner is asked again after a while (the actor may have moved to a tab);
    // a direct one is kept until its connection ends or its host says the actor left.
    if (known !== undefined && (known.direct !== false || now - known.asked < ROUTE_RECHECK_MS)) return known;
    const route: Route = {
      asked: now,
      host: this.#options.whereIs(actorId).then(
        (info) => (info === null ? undefined : this.#host(info)),
        () => undefined,
      ),
    };
    this.#routes.set(actorId, route);
    void route.host.then((host) => {
      route.direct = host !== undefined;
      if (host === undefined) return;
      void host.ended.then(() => {
        if (this.#routes.get(actorId) === route) this.#routes.delete(actorId);
      });
    });
    return route;
  }

  /** The caller for `info`'s host: one channel per host, opened over WebRTC, or none. */
  #host(info: ActorHostInfo): Promise<HostCaller | undefined> {
    const address = info.addresses.find((a) => isWebRtcAddress(a) && a.endsWith(`/p2p/${info.peerId}`));
    if (address === undefined || info.peerId === this.#node.peerId) return Promise.resolve(undefined);
    const known = this.#hosts.get(info.peerId);
    if (known !== undefined) return known;
    const opening = (async () => {
      try {
        const channel = await this.#node.openChannel<DirectAnswer, DirectCall>(address, DIRECT_CALLS_PROTOCOL);
        await this.#node.closeRelayed(info.peerId);
        const host = new HostCaller(channel, this.#keys);
        void host.ended.then(() => {
          if (this.#hosts.get(info.peerId) === opening) this.#hosts.delete(info.peerId);
        });
        return host;
      } catch {
        // Not reachable over WebRTC (now): through the owner, and tried again after a while.
        this.#hosts.delete(info.peerId);
        return undefined;
      }
    })();
    this.#hosts.set(info.peerId, opening);
    return opening;
  }
}

/** One channel to a host, and the calls waiting for its answers. */
class HostCaller {
  /** Settles when the channel has ended (closed or broken). */
  readonly ended: Promise<void>;
  readonly #channel: Channel<DirectAnswer, DirectCall>;
  readonly #sender: MessageSender<DirectCall>;
  readonly #pending = new Map<number, PromiseWithResolvers<Encoded | ThroughOwner>>();
  readonly #keys: { next: number };
  #over = false;

  constructor(channel: Channel<DirectAnswer, DirectCall>, keys: { next: number }) {
    this.#keys = keys;
    this.#channel = channel;
    this.#sender = new MessageSender<DirectCall>(channel.writable, {
      refused: (message, error) => {
        this.#take(message.key)?.reject(error);
        return undefined;
      },
      onError: (error) => this.#end(error),
    });
    this.ended = this.#read();
  }

  call(actorId: string, method: string, args: Encoded): Promise<Encoded | ThroughOwner> {
    if (this.#over) return Promise.resolve(THROUGH_OWNER);
    const key = this.#keys.next++;
    const done = Promise.withResolvers<Encoded | ThroughOwner>();
    this.#pending.set(key, done);
    this.#sender.send({ op: "call", key, actorId, method, args });
    return done.promise;
  }

  /** Ends the channel: the app is closing (a host need not answer what is in flight any more). */
  async close(): Promise<void> {
    await this.#sender.close().catch(() => {});
    this.#end(new Error("the caller closed"));
    await this.ended;
  }

  async #read(): Promise<void> {
    let failure: unknown;
    try {
      const reader = this.#channel.readable.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) this.#answer(next.value);
    } catch (error) {
      failure = error;
    }
    this.#end(failure);
  }

  #answer(message: DirectAnswer): void {
    const m = message as Partial<DirectAnswer> & { key?: unknown; error?: unknown; elsewhere?: unknown };
    if (m?.op !== "done" || typeof m.key !== "number") return;
    const call = this.#take(m.key);
    if (call === undefined) return;
    if (m.ok === true && m.result !== undefined) return call.resolve(m.result as Encoded);
    if (m.ok === false && m.elsewhere === true) return call.resolve(THROUGH_OWNER);
    if (m.ok !== false || typeof m.error !== "object" || m.error === null) {
      // The call reached the host, which may have run it: failed, never sent again.
      return call.reject(
        new TypeError(`The actor's host sent a malformed answer to call ${m.key}: expected { ok, result | error }`),
      );
    }
    call.reject(rebuildError(m.error as Parameters<typeof rebuildError>[0]));
  }

  #take(key: number) {
    const call = this.#pending.get(key);
    this.#pending.delete(key);
    return call;
  }

  /**
   * The channel is over: what is in flight may have run, and goes through the owner under its
   * key (answered once either way); later calls go through the owner.
   */
  #end(cause: unknown): void {
    if (this.#over) return;
    this.#over = true;
    this.#channel.abort(cause ?? new Error("the direct channel ended"));
    for (const [key, call] of this.#pending) {
      this.#pending.delete(key);
      call.resolve(new ThroughOwner(key));
    }
  }
}
