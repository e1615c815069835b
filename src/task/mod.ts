/**
 * Tasks: the registry, signatures, the local scheduler and handles.
 *
 * @module
 */
export * from "./step.ts";
export * from "./signature.ts";
export * from "./registry.ts";
export * from "./task_run.ts";
export * from "./scheduler.ts";
export * from "./handle.ts";
export * from "./task.ts";
export * from "./placement.ts";
export * from "./attempt_events.ts";
export * from "./events.ts";
export * from "./attempt_runner.ts";
export * from "./worker_slots.ts";
export * from "./packed_args.ts";
