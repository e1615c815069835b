/**
 * Client mode: an app built with `{ address }` runs nothing itself; it submits to the worker at
 * that address, which owns the work, and waits for the answers.
 *
 * @module
 */
import type { ActorClass, ActorDefinition, ActorRef } from "../actor/mod.ts";
import { createRemoteActor, findRemoteActor, RemoteClient } from "../cluster/mod.ts";
import type { Clock } from "../common/mod.ts";
import { createNetNode, type NetNode, parsePeerAddress } from "../net/mod.ts";
import type { AnyStep, RunHandle } from "../task/mod.ts";
import { LookupHandle } from "./record_handle.ts";

/** The connection of a client-mode app to its worker. */
export class ClientConnection {
  readonly address: string;
  readonly #clock: Clock;
  readonly #secret: string | Uint8Array | undefined;
  #connected: Promise<{ node: NetNode; client: RemoteClient }> | undefined;

  constructor(address: string, clock: Clock, secret?: string | Uint8Array) {
    parsePeerAddress(address); // an address without /p2p/<id> is a TypeError now, not at first use
    this.address = address;
    this.#clock = clock;
    this.#secret = secret;
  }

  /** Dials the worker (once); fails with `PeerUnreachableError` if it does not answer. */
  connect(): Promise<{ node: NetNode; client: RemoteClient }> {
    this.#connected ??= (async () => {
      const node = await createNetNode({ secret: this.#secret });
      try {
        return { node, client: await RemoteClient.connect(node, this.address, this.#clock) };
      } catch (error) {
        await node.stop();
        throw error;
      }
    })();
    return this.#connected;
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
