/**
 * What an object ref is to the layers below `objects/` (tasks type their arguments with it): a
 * value that stands for a `T` held elsewhere. Only its type lives here; `objects/` has the class.
 *
 * @module
 */

/** The phantom key that carries a ref's value type (it never exists at run time). */
export declare const REF_VALUE: unique symbol;

/** Anything that stands for a value of type `T` (an `ObjectRef<T>`). */
export interface RefTo<T> {
  /** The object's id. */
  readonly id: string;
  /** Only a type: what the ref stands for. */
  readonly [REF_VALUE]?: T;
}

/** The parameters `P` where each may also be given as a ref to its value (resolved before the task runs). */
export type ValuesOrRefs<P extends readonly unknown[]> = { [K in keyof P]: P[K] | RefTo<P[K]> };
