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

/** A ref its holder can release: the shape of an `ObjectRef<T>`, as a task's context hands them out. */
export interface HeldRef<T> extends RefTo<T>, Disposable {
  /** The id of the store (the app) that owns the object. */
  readonly owner: string;
  /** Whether `release()` was called. */
  readonly released: boolean;
  /** Stops counting this ref with the object's owner. */
  release(): void;
}

/** The object store as task code reaches it through its context (`this.put`, `this.get`, `this.getStream`). */
export interface ObjectAccess {
  /** Puts a stream's bytes (read to its end); see `ActantApp.put`. */
  put(value: ReadableStream<Uint8Array>): Promise<HeldRef<Uint8Array>>;
  /** Puts a value; see `ActantApp.put`. */
  put<T>(value: T): Promise<HeldRef<T>>;
  /** The value of `ref`; see `ActantApp.get`. */
  get<T>(ref: RefTo<T>): Promise<T>;
  /** The bytes of `ref` as a stream; see `ActantApp.getStream`. */
  getStream(ref: RefTo<Uint8Array>): ReadableStream<Uint8Array>;
}
