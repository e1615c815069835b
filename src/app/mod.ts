/**
 * The application object that wires the layers together.
 *
 * @module
 */
export * from "./actant_app.ts";
/** A signature by task name: what a client (and `actant submit`) sends without the task's code. */
export { signature } from "../task/mod.ts";
export * from "./options.ts";
export * from "./cluster_status.ts";
export type { AppStats } from "./engine.ts";
export { APP_BRAND, APP_BRAND_VERSION } from "./brand.ts";
