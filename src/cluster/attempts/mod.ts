/**
 * Attempts across the cluster: the protocol an owner runs attempts on other members with
 * (`/actant/exec/1`), the member's side that runs them, the owner's side per member, and
 * least-loaded placement.
 *
 * @module
 */
export * from "./exec_protocol.ts";
export * from "./exec_service.ts";
export * from "./least_loaded.ts";
export * from "./peer_worker.ts";
