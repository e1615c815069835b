/**
 * Client mode: an app built with `{ address }` runs nothing itself; it submits to the worker at
 * that address, which owns the work, and waits for the answers, across restarts of that worker.
 *
 * @module
 */
import type { ActorClass, ActorDefinition, ActorRef } from "../actor/mod.ts";
import {
  type ClientChannel,
  createRemoteActor,
  findRemoteActor,
  type ReconnectOptions,
  type ReconnectPolicy,
  reconnectPolicy,
  RemoteClient,
  requestStatus,
  TASKS_PROTOCOL,
} from "../cluster/mod.ts";
import { type Clock, InvalidWorkflowError, systemClock } from "../common/mod.ts";
import { createNetNode, type NetNode, parsePeerAddress, parsePeerUrl, PeerUnreachableError } from "../net/mod.ts";
import type { AnyStep, RunHandle, TaskRegistry } from "../task/mod.ts";
import { compile, isStep } from "../workflow/mod.ts";
import { type ActantAppOptions, describeInput } from "./options.ts";
import { LookupHandle } from "./record_handle.ts";

/** The connection of an app given `{ address }`; none otherwise (where `reconnect` is then a mistake). */
export function clientConnection(options: ActantAppOptions): ClientConnection | undefined {
  if (options.address === undefined) {
    if (options.reconnect !== undefined) {
      throw new TypeError(`option reconnect applies to a client (an app given { address }); this app has no address`);
    }
    return undefined;
  }
  const { clock = systemClock, secret, bootstrap, reconnect, random } = options;
  return new ClientConnection(options.address, { clock, secret, bootstrap, reconnect, random });
}

/** What a client-mode app is given. */
export interface ClientConnectionOptions {
  clock: Clock;
  secret?: string | Uint8Array;
  bootstrap?: string[];
  reconnect?: ReconnectOptions;
  random?: () => number;
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
  /** The peer id of a `p2p://<id>` address, found through the bootstrap peers. */
  readonly #peerId: string | undefined;
  #connected: Promise<{ node: NetNode; client: RemoteClient }> | undefined;

  constructor(address: string, options: ClientConnectionOptions) {
    const { clock, secret, bootstrap = [] } = options;
    this.#reconnect = reconnectPolicy(options.reconnect);
    this.#random = options.random;
    this.#peerId = parsePeerUrl(address);
    // An address without /p2p/<id> is a TypeError now, not at first use.
    if (this.#peerId === undefined) parsePeerAddress(address);
    else if (bootstrap.length === 0) {
      throw new TypeError(`address "${address}" names a peer but not where it listens: give bootstrap addresses to find it through`);
    }
    for (const peer of bootstrap) parsePeerAddress(peer, "bootstrap address");
    this.#bootstrap = bootstrap;
    this.address = address;
    this.#clock = clock;
    this.#secret = secret;
  }

  /**
   * Dials the worker (once); fails with `PeerUnreachableError` if it does not answer then. Once
   * connected, a broken connection is dialled again within the `reconnect` bounds (see `RemoteClient`).
   */
  connect(): Promise<{ node: NetNode; client: RemoteClient }> {
    this.#connected ??= (async () => {
      const node = await createNetNode({ secret: this.#secret, bootstrap: this.#bootstrap });
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
    throw new PeerUnreachableError(this.address, `none of the bootstrap peers (${this.#bootstrap.join(", ")}) knows peer ${peerId}`);
  }

  /**
   * Checks what can be checked here (a workflow's shape, tasks this app registers,
   * serializability), then submits `step` under `id`; names this app does not register are the
   * worker's to judge.
   */
  submitStep<T>(step: unknown, id: string, registry: TaskRegistry): RunHandle<T> {
    if (!isStep(step)) {
      throw new InvalidWorkflowError(`submit() expects a signature (task.s()) or a workflow, got ${describeInput(step)}`);
    }
    compile(step, (name) => registry.has(name) ? registry.get(name) : { name, fn: () => {}, options: {} });
    return this.submit<T>(id, step);
  }

  /** Submits `step` under `id` to the worker; the handle is returned at once. */
  submit<T>(id: string, step: AnyStep): RunHandle<T> {
    const submitted = this.connect().then(({ client }) => ({ handle: client.submit<T>(id, step) }));
    submitted.catch(() => {});
    return new LookupHandle<T>(id, this.#clock, () => submitted);
  }

  /** Creates an actor in the cluster: the worker owns it and places it on a member. */
  async createActor<C extends ActorClass>(definition: ActorDefinition<C>, options: { args?: unknown[]; name?: string } = {}): Promise<ActorRef<C>> {
    const { client } = await this.connect();
    return await createRemoteActor(client, definition, options, this.#clock);
  }

  /** The proxy of a live actor the worker owns, by name or id. */
  async getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    const { client } = await this.connect();
    return await findRemoteActor(client, definition, nameOrId, this.#clock);
  }

  /** Closes the channel and stops the local node. */
  async close(): Promise<void> {
    if (this.#connected === undefined) return;
    const connected = await this.#connected.catch(() => undefined);
    if (connected === undefined) return;
    await connected.client.close();
    await connected.node.stop();
  }
}
