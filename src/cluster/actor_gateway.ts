/**
 * What a worker's clients reach when they create, find and call actors: the actors this peer
 * owns in the cluster (placed on members), and, failing those, the actors living in this peer's
 * own actor system — among them the ones it owned before a restart, which its log brings back here.
 *
 * @module
 */
import type { ActorSystem } from "../actor/mod.ts";
import {
  ActorNameTakenError,
  ActorNotFoundError,
  ActorStoppedError,
  decode,
  encode,
  type Encoded,
} from "../common/mod.ts";
import type { RemoteActors } from "./actors/mod.ts";
import type { ActorGateway } from "./client/mod.ts";

/** The gateway of a cluster member: owned actors first, then local ones. */
export function memberActorGateway(owned: RemoteActors, local: ActorSystem): ActorGateway {
  return {
    create: (cls, args, name) => {
      // The same error as a local app's createActor gives for a taken name.
      if (name !== undefined && local.live(name) !== undefined) throw new ActorNameTakenError(name);
      return owned.create(cls, args, name);
    },
    find(cls, nameOrId) {
      if (owned.knows(nameOrId)) return owned.find(cls, nameOrId);
      const cell = local.live(nameOrId);
      if (cell === undefined) throw new ActorNotFoundError(`No live actor named "${nameOrId}" (nor with that id)`);
      if (cell.definition.name !== cls) {
        throw new ActorNotFoundError(`Actor "${nameOrId}" is a ${cell.definition.name}, not a ${cls}`);
      }
      return cell.id;
    },
    async call(actorId, method, args, via) {
      if (owned.knows(actorId)) return owned.call(actorId, method, args, via);
      const cell = local.live(actorId);
      if (cell === undefined) throw new ActorStoppedError(actorId, "no such actor is live in this cluster");
      const decoded = decode<unknown[]>(args);
      if (!Array.isArray(decoded)) throw new TypeError(`The arguments of a call must be a list, got ${typeof decoded}`);
      return encode(await cell.call(method, decoded), `result of ${cell.definition.name}.${method}`) as Encoded;
    },
    host: (actorId) => owned.knows(actorId) ? owned.hostOf(actorId) : null,
    async stop(actorId, drain) {
      if (owned.knows(actorId)) return owned.stop(actorId, drain);
      await local.live(actorId)?.stop({ drain });
    },
  };
}
