/**
 * A client's proxy of an actor owned by the worker it is connected to: the same typed proxy as
 * a local actor's, each call a request on the client's channel (or, for an app that runs WebRTC,
 * a direct call to the actor's host when it can be reached so: see `./direct_calls.ts`).
 *
 * @module
 */
import {
  type ActorClass,
  type ActorDefinition,
  type ActorEndpoint,
  type ActorRef,
  createActorRef,
} from "../../actor/mod.ts";
import { type Clock, decode, encode } from "../../common/mod.ts";
import { type DirectCalls, ThroughOwner } from "./direct_calls.ts";
import type { RemoteClient } from "./remote_client.ts";

/** What a remote actor's proxy runs on: the client's clock, and its direct calls if it makes any. */
export interface RemoteActorContext {
  clock: Clock;
  direct?: DirectCalls;
}

/** Creates an actor through `client`'s worker and returns its proxy. */
export async function createRemoteActor<C extends ActorClass>(
  client: RemoteClient,
  definition: ActorDefinition<C>,
  options: { args?: unknown[]; name?: string },
  context: RemoteActorContext,
): Promise<ActorRef<C>> {
  const args = options.args ?? [];
  if (!Array.isArray(args)) throw new TypeError(`createActor() option args must be an array of constructor arguments`);
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === "")) {
    throw new TypeError(`createActor() option name must be a non-empty string, got ${String(options.name)}`);
  }
  const encoded = encode(args, `args of ${definition.name} constructor`);
  const id = decode<string>(
    await client.request({ op: "actor.create", cls: definition.name, args: encoded, name: options.name }),
  );
  return createActorRef<C>(endpoint(client, definition, id, context.direct), context.clock);
}

/** The proxy of the live actor named (or with id) `nameOrId`, through `client`'s worker. */
export async function findRemoteActor<C extends ActorClass>(
  client: RemoteClient,
  definition: ActorDefinition<C>,
  nameOrId: string,
  context: RemoteActorContext,
): Promise<ActorRef<C>> {
  const id = decode<string>(await client.request({ op: "actor.get", cls: definition.name, name: nameOrId }));
  return createActorRef<C>(endpoint(client, definition, id, context.direct), context.clock);
}

function endpoint(
  client: RemoteClient,
  definition: ActorDefinition,
  id: string,
  direct: DirectCalls | undefined,
): ActorEndpoint {
  return {
    id,
    definition,
    async call(method, args) {
      const encoded = encode(args, `args of ${definition.name}.${method}`);
      const sent = await direct?.call(id, method, encoded);
      if (sent !== undefined && !(sent instanceof ThroughOwner)) return decode(sent);
      // Through the owner: a direct call that may have reached its host goes under its key.
      const via = sent?.via === undefined ? {} : { via: sent.via };
      return decode(await client.request({ op: "actor.call", actor: id, method, args: encoded, ...via }));
    },
    async stop(options) {
      await client.request({ op: "actor.stop", actor: id, drain: options?.drain !== false });
    },
  };
}
