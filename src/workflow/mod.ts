/**
 * Workflows: builders, the compiled graph and its executor.
 *
 * @module
 */
export * from "./builders.ts";
export * from "./graph.ts";
export * from "./graph_check.ts";
export * from "./executor.ts";
export * from "./handle.ts";
export * from "./events.ts";
