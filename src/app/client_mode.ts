/**
 * The network side of client mode, loaded on demand by the client engine: the connection to the
 * worker that owns what the client submits, kept across restarts of that worker.
 *
 * @module
 */
import type { ActorClass, ActorDefinition, ActorRef } from "../actor/mod.ts";
import {
  type ClientChannel,
  createRemoteActor,
  DirectCalls,
  findRemoteActor,
  type ReconnectOptions,
  type ReconnectPolicy,
  reconnectPolicy,
  RemoteClient,
  requestStatus,
  TASKS_PROTOCOL,
} from "../cluster/mod.ts";
import { type Clock, decode, type Encoded } from "../common/mod.ts";
import {
  createNetNode,
  type NetNode,
  parsePeerAddress,
  parsePeerUrl,
  PeerUnreachableError,
  type WebRtcSupport,
} from "../net/mod.ts";
import type { RunHandle } from "../task/mod.ts";
import type { WorkflowGraph } from "../workflow/mod.ts";

/** What a client-mode app is given. */
export interface ClientConnectionOptions {
  clock: Clock;
  secret?: string | Uint8Array;
  bootstrap?: string[];
  reconnect?: ReconnectOptions;
  random?: () => number;
  /** Run gossipsub on the node (a light worker joins its server's membership over it). */
  pubsub?: boolean;
  /** Run WebRTC (through the relays it connects to), and call actors hosted on WebRTC peers directly. */
  webrtc?: WebRtcSupport;
}

/**
 * The connection of a client-mode app to its worker (the owner of what it submits). It outlives a
 * restart of that worker: it dials the same peer id again, at the same address (a worker that
 * restarts listens where it did: give it a fixed `--listen` port), or, for a `p2p://<id>` address,
 * wherever the bootstrap peers see it now.
 */
export class ClientConnection {
  readonly address: string;
  readonly #clock: Clock;
  readonly #secret: string | Uint8Array | undefined;
  readonly #bootstrap: string[];
  readonly #reconnect: ReconnectPolicy;
  readonly #random: (() => number) | undefined;
  readonly #pubsub: boolean;
  readonly #webrtc: WebRtcSupport | undefined;
  /** The peer id of a `p2p://<id>` address, found through the bootstrap peers. */
  readonly #peerId: string | undefined;
  #connected: Promise<{ node: NetNode; client: RemoteClient }> | undefined;
  #client: RemoteClient | undefined;
  /** Calls straight to actors hosted on WebRTC peers (with `webrtc`). */
  #direct: DirectCalls | undefined;

  constructor(address: string, options: ClientConnectionOptions) {
    const { clock, secret, bootstrap = [] } = options;
    this.#reconnect = reconnectPolicy(options.reconnect);
    this.#random = options.random;
    this.#pubsub = options.pubsub ?? false;
    this.#webrtc = options.webrtc;
    this.#peerId = parsePeerUrl(address);
    // An address without /p2p/<id> is a TypeError now, not at first use.
    if (this.#peerId === undefined) parsePeerAddress(address);
    else if (bootstrap.length === 0) {
      throw new TypeError(
        `address "${address}" names a peer but not where it listens: give bootstrap addresses to find it through`,
      );
    }
    for (const peer of bootstrap) parsePeerAddress(peer, "bootstrap address");
    this.#bootstrap = bootstrap;
    this.address = address;
    this.#clock = clock;
    this.#secret = secret;
  }

  /** The peer id of the worker this connection submits to. */
  get ownerPeerId(): string {
    return this.#peerId ?? parsePeerAddress(this.address).peerId;
  }

  /**
   * Dials the worker (once); fails with `PeerUnreachableError` if it does not answer then. Once
   * connected, a broken connection is dialled again within the `reconnect` bounds (see `RemoteClient`).
   */
  connect(): Promise<{ node: NetNode; client: RemoteClient }> {
    this.#connected ??= (async () => {
      const node = await createNetNode({
        secret: this.#secret,
        bootstrap: this.#bootstrap,
        pubsub: this.#pubsub,
        webrtc: this.#webrtc,
      });
      try {
        // Each (re)connection looks the owner up again: after a restart it may listen elsewhere.
        let dials = 0;
        const dial = async () => {
          const again = dials++ > 0;
          const address = this.#peerId === undefined ? this.address : await this.#find(node, this.#peerId, again);
          return await node.openChannel(address, TASKS_PROTOCOL) as ClientChannel;
        };
        const client = await RemoteClient.connect({
          address: this.address,
          dial,
          clock: this.#clock,
          reconnect: this.#reconnect,
          random: this.#random,
        });
        this.#client = client;
        if (this.#webrtc !== undefined) {
          this.#direct = new DirectCalls(node, {
            clock: this.#clock,
            whereIs: async (actor) => decode(await client.request({ op: "actor.host", actor })),
          });
        }
        return { node, client };
      } catch (error) {
        await node.stop();
        throw error;
      }
    })();
    return this.#connected;
  }

  /**
   * A dialable address of `peerId`: a bootstrap address, or one a bootstrap peer's membership
   * knows. On a reconnection (`again`), the membership is asked first: a bootstrap address of the
   * owner itself is where it listened before it restarted.
   */
  async #find(node: NetNode, peerId: string, again: boolean): Promise<string> {
    const direct = this.#bootstrap.find((address) => parsePeerAddress(address).peerId === peerId);
    if (direct !== undefined && !again) return direct;
    for (const bootstrap of this.#bootstrap) {
      if (bootstrap === direct) continue;
      const peers = await requestStatus(node, bootstrap).catch(() => []);
      const found = peers.find((peer) => peer.peerId === peerId)?.addresses[0];
      if (found !== undefined) return found;
    }
    if (direct !== undefined) return direct;
    throw new PeerUnreachableError(
      this.address,
      `none of the bootstrap peers (${this.#bootstrap.join(", ")}) knows peer ${peerId}`,
    );
  }

  /** Submits the compiled `graph` under `id` to the worker, once connected; the handle is the remote run's. */
  submit<T>(id: string, graph: WorkflowGraph): RunHandle<T> {
    if (this.#client === undefined) throw new TypeError(`submit() before the connection to ${this.address} is up`);
    return this.#client.submit<T>(id, graph);
  }

  /** Submits one task by its name and encoded arguments (a signature on its own). */
  submitTask<T>(id: string, task: string, args: Encoded): RunHandle<T> {
    if (this.#client === undefined) throw new TypeError(`submit() before the connection to ${this.address} is up`);
    return this.#client.submitTask<T>(id, task, args);
  }

  /** Creates an actor in the cluster: the worker owns it and places it on a member. */
  async createActor<C extends ActorClass>(
    definition: ActorDefinition<C>,
    options: { args?: unknown[]; name?: string } = {},
  ): Promise<ActorRef<C>> {
    const { client } = await this.connect();
    return await createRemoteActor(client, definition, options, { clock: this.#clock, direct: this.#direct });
  }

  /** The proxy of a live actor the worker owns, by name or id. */
  async getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    const { client } = await this.connect();
    return await findRemoteActor(client, definition, nameOrId, { clock: this.#clock, direct: this.#direct });
  }

  /** Closes the channel and stops the local node. */
  async close(): Promise<void> {
    if (this.#connected === undefined) return;
    const connected = await this.#connected.catch(() => undefined);
    if (connected === undefined) return;
    await this.#direct?.close();
    await connected.client.close();
    await connected.node.stop();
  }
}
