/**
 * Actors: definitions, the bounded Web Streams mailbox, cells with supervision, typed proxies.
 *
 * @module
 */
export * from "./definition.ts";
export * from "./mailbox.ts";
export * from "./actor_cell.ts";
export * from "./actor_recovery.ts";
export * from "./events.ts";
export * from "./actor_ref.ts";
export * from "./actor_system.ts";
