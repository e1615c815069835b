/**
 * Workflow builders: `chain`, `group`, `chord`, `branch`, `map` and `loop`. Each returns plain
 * data (a tree of steps) that nests freely and compiles to a graph; the types check that every
 * step accepts what the step before it produces.
 *
 * @module
 */
import { InvalidWorkflowError } from "../common/mod.ts";
import type { AnyStep, InputOf, OutputOf, Step } from "../task/mod.ts";

/** A chain: each step receives the previous step's result. */
export interface Chain<In, Out> extends Step<In, Out> {
  readonly kind: "chain";
  readonly steps: readonly AnyStep[];
}

/** A group: members run in parallel on the same input; the result is the list of their results, in order. */
export interface Group<In, Out> extends Step<In, Out> {
  readonly kind: "group";
  readonly members: readonly AnyStep[];
}

/** A chord: a group, then a callback that receives the group's list of results. */
export interface Chord<In, Out> extends Step<In, Out> {
  readonly kind: "chord";
  readonly header: readonly AnyStep[];
  readonly callback: AnyStep;
}

/** A branch: runs `ifTrue` or `ifFalse` on the input, depending on `condition`'s boolean result. */
export interface Branch<In, Out> extends Step<In, Out> {
  readonly kind: "branch";
  readonly condition: AnyStep;
  readonly ifTrue: AnyStep;
  readonly ifFalse?: AnyStep;
}

/** A map: runs `body` once per element of the input list, in parallel. */
export interface MapStep<In, Out> extends Step<In, Out> {
  readonly kind: "map";
  readonly body: AnyStep;
}

/** A loop: runs `body` on its own result until `until` holds or `maxIterations` is reached. */
export interface Loop<In, Out> extends Step<In, Out> {
  readonly kind: "loop";
  readonly body: AnyStep;
  readonly until?: AnyStep;
  readonly maxIterations: number;
}

/** Any workflow node. */
// deno-lint-ignore no-explicit-any
export type Workflow<In = any, Out = any> =
  | Chain<In, Out>
  | Group<In, Out>
  | Chord<In, Out>
  | Branch<In, Out>
  | MapStep<In, Out>
  | Loop<In, Out>;

type IntersectInputs<S extends readonly AnyStep[]> =
  (S[number] extends infer U ? (U extends AnyStep ? (input: InputOf<U>) => void : never) : never) extends
    (input: infer I) => void ? I : never;

/** What a list of steps run in parallel needs as input: what every member accepts. */
export type InputOfAll<S extends readonly AnyStep[]> = S extends readonly [] ? unknown : IntersectInputs<S>;

/** The tuple of the outputs of a list of steps. */
export type OutputsOf<S extends readonly AnyStep[]> = { -readonly [K in keyof S]: OutputOf<S[K]> };

/** True for an object made by a builder or a signature. */
export function isStep(value: unknown): value is AnyStep {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as { kind?: unknown }).kind === "string";
}

function checkSteps(builder: string, steps: readonly unknown[]): AnyStep[] {
  return steps.map((step, i) => {
    if (!isStep(step)) {
      throw new InvalidWorkflowError(
        `${builder}() argument ${i} is ${
          step === null ? "null" : typeof step
        }, expected a signature (task.s()) or a workflow`,
      );
    }
    return step;
  });
}

/**
 * Runs steps one after another, each receiving the previous result.
 *
 * @example
 * ```ts
 * import { ActantApp, chain } from "@actant/actant";
 *
 * const app = new ActantApp("my_app", { durability: "memory" });
 * const fetch = app.task("fetch", async (url: string) => `data from ${url}`);
 * const analyze = app.task("analyze", (_data: string) => ({ sentiment: 0.8 }));
 * const report = app.task("report", (r: { sentiment: number }) => `Report: sentiment=${r.sentiment}`);
 * const result = await app.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s())); // "Report: sentiment=0.8"
 * ```
 */
export function chain<I, A>(s1: Step<I, A>): Chain<I, A>;
export function chain<I, A, B>(s1: Step<I, A>, s2: Step<A, B>): Chain<I, B>;
export function chain<I, A, B, C>(s1: Step<I, A>, s2: Step<A, B>, s3: Step<B, C>): Chain<I, C>;
export function chain<I, A, B, C, D>(s1: Step<I, A>, s2: Step<A, B>, s3: Step<B, C>, s4: Step<C, D>): Chain<I, D>;
export function chain<I, A, B, C, D, E>(
  s1: Step<I, A>,
  s2: Step<A, B>,
  s3: Step<B, C>,
  s4: Step<C, D>,
  s5: Step<D, E>,
): Chain<I, E>;
export function chain<I, A, B, C, D, E, F>(
  s1: Step<I, A>,
  s2: Step<A, B>,
  s3: Step<B, C>,
  s4: Step<C, D>,
  s5: Step<D, E>,
  s6: Step<E, F>,
): Chain<I, F>;
export function chain<I, A, B, C, D, E, F, G>(
  s1: Step<I, A>,
  s2: Step<A, B>,
  s3: Step<B, C>,
  s4: Step<C, D>,
  s5: Step<D, E>,
  s6: Step<E, F>,
  s7: Step<F, G>,
): Chain<I, G>;
export function chain<I, A, B, C, D, E, F, G, H>(
  s1: Step<I, A>,
  s2: Step<A, B>,
  s3: Step<B, C>,
  s4: Step<C, D>,
  s5: Step<D, E>,
  s6: Step<E, F>,
  s7: Step<F, G>,
  s8: Step<G, H>,
): Chain<I, H>;
/** Nine steps or more: checked at run time only. */
export function chain(
  ...steps: [AnyStep, AnyStep, AnyStep, AnyStep, AnyStep, AnyStep, AnyStep, AnyStep, AnyStep, ...AnyStep[]]
): Chain<unknown, unknown>;
export function chain(...steps: unknown[]): Chain<unknown, unknown> {
  if (steps.length === 0) {
    throw new InvalidWorkflowError("chain() needs at least one step, got none");
  }
  return { kind: "chain", steps: checkSteps("chain", steps) };
}

/**
 * Runs members in parallel on the same input; the result is the list of their results, in order.
 * `group()` with no members yields `[]`.
 *
 * @example
 * ```ts
 * import { ActantApp, group } from "@actant/actant";
 *
 * const app = new ActantApp("my_app", { durability: "memory" });
 * const add = app.task("add", (a: number, b: number) => a + b);
 * await app.submit(group(add.s(1, 1), add.s(2, 2))); // [2, 4]
 * await app.submit(group([1, 2, 3].map((n) => add.s(n, n))));
 * ```
 */
export function group<const S extends readonly AnyStep[]>(...members: S): Group<InputOfAll<S>, OutputsOf<S>>;
export function group<I, O>(members: readonly Step<I, O>[]): Group<I, O[]>;
export function group(...members: unknown[]): Group<unknown, unknown> {
  const list = members.length === 1 && Array.isArray(members[0]) ? members[0] : members;
  return { kind: "group", members: checkSteps("group", list) };
}

/**
 * A group followed by a callback that receives the list of the group's results. The callback
 * never runs if a header member failed.
 *
 * @example
 * ```ts
 * import { ActantApp, chord } from "@actant/actant";
 *
 * const app = new ActantApp("my_app", { durability: "memory" });
 * const add = app.task("add", (a: number, b: number) => a + b);
 * const sum = app.task("sum", (values: number[]) => values.reduce((a, b) => a + b, 0));
 * await app.submit(chord([add.s(1, 1), add.s(2, 2)], sum.s())); // 6
 * ```
 */
export function chord<const S extends readonly AnyStep[], O>(
  header: S,
  callback: Step<OutputsOf<S>, O>,
): Chord<InputOfAll<S>, O>;
export function chord<I, H, O>(header: Group<I, H>, callback: Step<H, O>): Chord<I, O>;
export function chord(header: unknown, callback: unknown): Chord<unknown, unknown> {
  let members: AnyStep[];
  if (Array.isArray(header)) members = checkSteps("chord header", header);
  else if (isStep(header) && header.kind === "group") members = [...(header as Group<unknown, unknown>).members];
  else throw new InvalidWorkflowError("chord() expects a group or a list of steps as its header");
  const [cb] = checkSteps("chord callback", [callback]);
  return { kind: "chord", header: members, callback: cb };
}

/**
 * Runs `condition` on the input, then `ifTrue` or `ifFalse` on that same input (the value
 * before the condition). Without `ifFalse`, a false condition passes the input through.
 *
 * @example
 * ```ts
 * import { ActantApp, branch, chain } from "@actant/actant";
 *
 * const app = new ActantApp("my_app", { durability: "memory" });
 * const score = app.task("score", (text: string) => text.length / 100);
 * const isHigh = app.task("isHigh", (value: number) => value > 0.5);
 * const alert = app.task("alert", (value: number) => `alert: ${value}`);
 * const archive = app.task("archive", (value: number) => `archived: ${value}`);
 * await app.submit(chain(score.s("some text"), branch(isHigh.s(), alert.s(), archive.s()))); // "archived: 0.09"
 * ```
 */
export function branch<I, T, F = I>(
  condition: Step<I, boolean>,
  ifTrue: Step<I, T>,
  ifFalse?: Step<I, F>,
): Branch<I, T | F> {
  const steps = checkSteps("branch", ifFalse === undefined ? [condition, ifTrue] : [condition, ifTrue, ifFalse]);
  return ifFalse === undefined
    ? { kind: "branch", condition: steps[0], ifTrue: steps[1] }
    : { kind: "branch", condition: steps[0], ifTrue: steps[1], ifFalse: steps[2] };
}

/**
 * Runs `body` once per element of the previous result (a list), in parallel; the result is the
 * list of results, in order.
 *
 * @example
 * ```ts
 * import { ActantApp, chain, map } from "@actant/actant";
 *
 * const app = new ActantApp("my_app", { durability: "memory" });
 * const listUrls = app.task("listUrls", (site: string) => [`${site}/a`, `${site}/b`]);
 * const fetch = app.task("fetch", async (url: string) => `data from ${url}`);
 * const summarize = app.task("summarize", (pages: string[]) => pages.join("; "));
 * await app.submit(chain(listUrls.s("https://example.com"), map(fetch.s()), summarize.s()));
 * ```
 */
export function map<E, O>(body: Step<E, O>): MapStep<readonly E[], O[]> {
  const [step] = checkSteps("map", [body]);
  return { kind: "map", body: step };
}

/** Options of {@linkcode loop}. */
export interface LoopOptions<X> {
  /** Checked on each round's result; the loop ends when it returns true. */
  until?: Step<X, boolean>;
  /**
   * Most rounds. Without `until` the loop runs exactly this many rounds; with `until`, reaching
   * it fails the workflow with `LoopLimitError`. Required without `until`; default 1,000 with it.
   */
  maxIterations?: number;
}

/**
 * Runs `body` on its own previous result (the first round on the loop's input) until `until`
 * returns true, at most `maxIterations` rounds.
 *
 * @example
 * ```ts
 * import { ActantApp, chain, loop } from "@actant/actant";
 *
 * const app = new ActantApp("my_app", { durability: "memory" });
 * const seed = app.task("seed", (n: number) => n);
 * const double = app.task("double", (n: number) => n * 2);
 * const atLeast = app.task("atLeast", (n: number, min: number) => n >= min);
 * await app.submit(chain(seed.s(1), loop(double.s(), { until: atLeast.s(100), maxIterations: 20 }))); // 128
 * ```
 */
export function loop<X>(body: Step<X, X>, options: LoopOptions<X>): Loop<X, X> {
  const [step] = checkSteps("loop", [body]);
  if (typeof options !== "object" || options === null) {
    throw new InvalidWorkflowError("loop() expects options { until?, maxIterations? } as its second argument");
  }
  if (options.until === undefined && options.maxIterations === undefined) {
    throw new InvalidWorkflowError("loop() needs `until`, `maxIterations` or both, else it would never end");
  }
  const maxIterations = options.maxIterations ?? 1000;
  checkMaxIterations(maxIterations, "loop()");
  if (options.until === undefined) return { kind: "loop", body: step, maxIterations };
  const [until] = checkSteps("loop until", [options.until]);
  return { kind: "loop", body: step, until, maxIterations };
}

/** Most rounds a loop may run: a bound on the work one workflow can ask for. */
export const MAX_LOOP_ITERATIONS = 1_000_000;

/** `maxIterations` checked to be an integer in [1, {@linkcode MAX_LOOP_ITERATIONS}]. */
export function checkMaxIterations(maxIterations: unknown, path: string): void {
  if (
    !(Number.isInteger(maxIterations) && (maxIterations as number) >= 1 &&
      (maxIterations as number) <= MAX_LOOP_ITERATIONS)
  ) {
    throw new InvalidWorkflowError(
      `${path}: loop maxIterations must be an integer from 1 to ${MAX_LOOP_ITERATIONS}, got ${
        typeof maxIterations === "number" ? maxIterations : typeof maxIterations
      }`,
    );
  }
}
