/**
 * The version of this copy of Actant: the one place it is written in code (`actant --version`).
 * `package.json` and `deno.json` carry the same, checked by `tests/version.test.ts`.
 *
 * @module
 */

/** This library's version (semver). */
export const VERSION = "0.1.0";
