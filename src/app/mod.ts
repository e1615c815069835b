/**
 * The application object that wires the layers together.
 *
 * @module
 */
export * from "./actant_app.ts";
export * from "./options.ts";
export * from "./cluster_status.ts";
export type { AppStats } from "./engine.ts";
export { isActantApp } from "./brand.ts";
