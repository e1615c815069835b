/**
 * Membership: who is in the cluster (gossipsub announcements and heartbeats, failure detection on
 * the injected clock), which members are proven reachable, the status each member reports, and
 * the events a member tells its app about.
 *
 * @module
 */
export * from "./announcement.ts";
export * from "./membership.ts";
export * from "./member_events.ts";
export * from "./reachability.ts";
export * from "./status.ts";
export * from "./status_table.ts";
export * from "./timing.ts";
export * from "./self_report.ts";
