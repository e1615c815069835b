/**
 * Compile-time assertions for the type tests in this folder. These files are only type-checked
 * (`tsc -p .`, run by `npm run check`); nothing in them runs, and no test runner picks them up
 * (their names end in neither `.test.ts` nor `_test.ts`).
 *
 * @module
 */

/** True when `A` and `B` are the same type, not merely assignable one to the other. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

/** Compiles only when `T` is `true`: `assert<Equal<typeof value, string>>()`. */
export function assert<T extends true>(): T | undefined {
  return undefined;
}

/** Compiles only when `value` is assignable to `T`: `expectType<number>(add.call(1, 2))` fails. */
export function expectType<T>(value: T): T {
  return value;
}
