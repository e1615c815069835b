/**
 * Loads a runtime-bound module (a Node built-in, `lmdb`) only when it is needed.
 *
 * @module
 */

/**
 * Imports `specifier` at run time. The specifier is a parameter, never a literal at the `import()`
 * call, so bundlers (esbuild for the browser build) leave the module out instead of failing to
 * resolve it; in a browser the returned promise rejects.
 */
export function importModule<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
