/**
 * Client mode: an app built with `{ address }` runs nothing itself; it submits to the worker at
 * that address, which owns the work, and waits for the answers.
 *
 * @module
 */
import type { ActorClass, ActorDefinition, ActorRef } from "../actor/mod.ts";
import { createRemoteActor, findRemoteActor, RemoteClient, requestStatus } from "../cluster/mod.ts";
import { type Clock, InvalidWorkflowError } from "../common/mod.ts";
import { createNetNode, type NetNode, parsePeerAddress, parsePeerUrl, PeerUnreachableError } from "../net/mod.ts";
import type { AnyStep, RunHandle, TaskRegistry } from "../task/mod.ts";
import { compile, isStep } from "../workflow/mod.ts";
import { describeInput } from "./options.ts";
import { LookupHandle } from "./record_handle.ts";

/** The connection of a client-mode app to its worker. */
export class ClientConnection {
  readonly address: string;
  readonly #clock: Clock;
  readonly #secret: string | Uint8Array | undefined;
  readonly #bootstrap: string[];
  /** The peer id of a `p2p://<id>` address, found through the bootstrap peers. */
  readonly #peerId: string | undefined;
  #connected: Promise<{ node: NetNode; client: RemoteClient }> | undefined;

  constructor(address: string, clock: Clock, secret?: string | Uint8Array, bootstrap: string[] = []) {
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

  /** Dials the worker (once); fails with `PeerUnreachableError` if it does not answer. */
  connect(): Promise<{ node: NetNode; client: RemoteClient }> {
    this.#connected ??= (async () => {
      const node = await createNetNode({ secret: this.#secret, bootstrap: this.#bootstrap });
      try {
        const address = this.#peerId === undefined ? this.address : await this.#find(node, this.#peerId);
        return { node, client: await RemoteClient.connect(node, address, this.#clock) };
      } catch (error) {
        await node.stop();
        throw error;
      }
    })();
    return this.#connected;
  }

  /** A dialable address of `peerId`: a bootstrap address, or one a bootstrap peer's membership knows. */
  async #find(node: NetNode, peerId: string): Promise<string> {
    const direct = this.#bootstrap.find((address) => parsePeerAddress(address).peerId === peerId);
    if (direct !== undefined) return direct;
    for (const bootstrap of this.#bootstrap) {
      const peers = await requestStatus(node, bootstrap).catch(() => []);
      const found = peers.find((peer) => peer.peerId === peerId)?.addresses[0];
      if (found !== undefined) return found;
    }
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
