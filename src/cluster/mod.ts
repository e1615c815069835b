/**
 * The cluster: task dispatch between clients and workers over the network layer.
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./worker_service.ts";
export * from "./remote_client.ts";
export * from "./status.ts";
