/**
 * The client protocol (`/actant/tasks/1`): what a client sends and a worker answers, the worker's
 * side, the client's side with its reconnection policy, typed proxies of the actors a client
 * reaches, and the errors only a client meets.
 *
 * @module
 */
export * from "./client_errors.ts";
export * from "./direct_calls.ts";
export * from "./protocol.ts";
export * from "./reconnect.ts";
export * from "./remote_actor_ref.ts";
export * from "./remote_client.ts";
export * from "./worker_service.ts";
