/**
 * The cluster, by subsystem: membership (announcements, heartbeats, failure detection, status),
 * attempts (placing and running them on other members), actors (hosting, placing and moving
 * them), and the client protocol; `cluster_member.ts` joins them into one member of a cluster.
 *
 * @module
 */
export * from "./membership/mod.ts";
export * from "./attempts/mod.ts";
export * from "./actors/mod.ts";
export * from "./client/mod.ts";
export * from "./cluster_member.ts";
export * from "./actor_gateway.ts";
export * from "./light_member.ts";
export * from "./light_errors.ts";
