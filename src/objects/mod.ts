/**
 * Objects: `ObjectRef`, the local object store with its reference counting and reclamation, and
 * bytes in and out as Web Streams.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./object_ref.ts";
export * from "./object_store.ts";
export * from "./byte_streams.ts";
