/**
 * The cluster: membership (gossipsub announcements and heartbeats), placement of attempts on
 * the least loaded member, dispatch between owners and the peers running their attempts, the
 * client protocol and status.
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./worker_service.ts";
export * from "./remote_client.ts";
export * from "./status.ts";
export * from "./announcement.ts";
export * from "./membership.ts";
export * from "./exec_protocol.ts";
export * from "./exec_service.ts";
export * from "./peer_worker.ts";
export * from "./least_loaded.ts";
export * from "./cluster_member.ts";
export * from "./member_events.ts";
export * from "./remote_actor_ref.ts";
export * from "./actor_protocol.ts";
export * from "./actor_host_service.ts";
export * from "./remote_actors.ts";
export * from "./actor_gateway.ts";
export * from "./client_errors.ts";
export * from "./reconnect.ts";
