/**
 * Shared foundations: errors, the codec, ids, the injected clock and awaitable results.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./error_data.ts";
export * from "./codec.ts";
export * from "./clock.ts";
export * from "./ids.ts";
export * from "./result.ts";
export * from "./backoff.ts";
export * from "./options.ts";
export * from "./version.ts";
export * from "./ref_type.ts";
