/**
 * Actors across the cluster: the hosting protocol between an actor's owner and its host
 * (`/actant/actors/1`), the host's side, the owner's links to its hosts, placement, and moving an
 * actor with its logged state when its host is lost.
 *
 * @module
 */
export * from "./actor_host_service.ts";
export * from "./actor_placement.ts";
export * from "./actor_protocol.ts";
export * from "./direct_call_service.ts";
export * from "./direct_protocol.ts";
export * from "./host_link.ts";
export * from "./hosted_actors.ts";
export * from "./host_links.ts";
export * from "./owned_actor.ts";
export * from "./remote_actors.ts";
export * from "./owned_actors.ts";
