/**
 * The application object that wires the layers together.
 *
 * @module
 */
export * from "./actant_app.ts";
export * from "./options.ts";
export * from "./cluster_status.ts";
export type { AppStats } from "./engine.ts";
export { APP_BRAND, APP_BRAND_VERSION } from "./brand.ts";
