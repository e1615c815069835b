/**
 * The typed shape shared by task signatures and workflows: a step takes an input of type `In`
 * (the previous step's result) and produces `Out`. The types live in a phantom property that is
 * never set at run time, so steps stay plain data.
 *
 * @module
 */

declare const stepTypes: unique symbol;

/** Anything that can run as part of a workflow: a signature or a workflow node. */
export interface Step<In, Out> {
  /** The node kind: `"task"`, `"chain"`, `"group"`, … */
  readonly kind: string;
  /** Phantom: carries `In` contravariantly and `Out` covariantly; never present at run time. */
  readonly [stepTypes]?: { readonly input: (input: In) => void; readonly output: Out };
}

/** Any step, whatever its types. */
// deno-lint-ignore no-explicit-any
export type AnyStep = Step<any, any>;

/** The input type a step accepts. */
// deno-lint-ignore no-explicit-any
export type InputOf<S> = S extends Step<infer I, any> ? I : never;

/** The output type a step produces. */
// deno-lint-ignore no-explicit-any
export type OutputOf<S> = S extends Step<any, infer O> ? O : never;

declare const noInput: unique symbol;

/**
 * The input of a step that takes none: a complete signature such as `fetch.s(url)` accepts only
 * this, so it can start a workflow but cannot follow a step (whose result it would receive).
 */
export type NoInput = typeof noInput;

/**
 * A step that needs no input: what `submit` accepts. `fetch.s(url)` is one; `analyze.s()` is not,
 * since it waits for a previous result.
 */
export type RunnableStep<Out> = Step<NoInput, Out>;
