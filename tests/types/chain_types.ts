/**
 * Type tests of tasks, signatures and workflow builders. Only type-checked (`tsc -p .`): every
 * `@ts-expect-error` line proves that a mistake is a compile error (tsc fails if the line
 * compiles), and every other line must compile. The checks sit in a function that is never
 * called, so nothing here runs.
 *
 * @module
 */
import {
  type ActantApp,
  branch,
  chain,
  chord,
  group,
  type InputOf,
  loop,
  map,
  type NoInput,
  type OutputOf,
  type RefTo,
  type RunHandle,
  type RunnableStep,
  signature,
  type TaskContext,
  type ValuesOrRefs,
} from "../../mod.ts";
import { assert, type Equal, expectType } from "./expect.ts";

type Analysis = { sentiment: number; topics: string[] };

/** The tasks of the seed example and a few more, typed as `app.task` types them. */
function tasks(app: ActantApp) {
  return {
    fetch: app.task("fetch", async (url: string) => `data from ${url}`),
    analyze: app.task("analyze", (_data: string): Analysis => ({ sentiment: 0.8, topics: ["tech"] })),
    report: app.task("report", (r: { sentiment: number }) => `Report: sentiment=${r.sentiment}`),
    add: app.task("add", (a: number, b: number) => a + b),
    sum: app.task("sum", (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)),
    pair: app.task("pair", (p: [number, string]) => `${p[0]}:${p[1]}`),
    isHigh: app.task("isHigh", (r: { sentiment: number }) => r.sentiment > 0.5),
    score: app.task("score", (r: { sentiment: number }) => r.sentiment),
    alert: app.task("alert", (_r: { sentiment: number }) => "alert" as const),
    listUrls: app.task("listUrls", (site: string) => [`${site}/a`, `${site}/b`]),
    length: app.task("length", (text: string) => text.length),
    double: app.task("double", (n: number) => n * 2),
    atLeast: app.task("atLeast", (n: number, min: number) => n >= min),
    toText: app.task("toText", (n: number) => String(n)),
    tick: app.task("tick", () => 1),
    log: app.task("log", (_line: string): void => {}),
    slow: app.task("slow", async function (this: TaskContext, ms: number) {
      return this.signal.aborted ? -1 : ms;
    }),
  };
}

/** Never called: the body is only type-checked. */
export async function chainTypes(app: ActantApp): Promise<void> {
  const {
    fetch,
    analyze,
    report,
    add,
    sum,
    pair,
    isHigh,
    score,
    alert,
    listUrls,
    length,
    double,
    atLeast,
    toText,
    tick,
    slow,
    log,
  } = tasks(app);
  const url = "https://example.com";

  // --- The seed's chain: compiles, and its result is a string. ---
  const seed = chain(fetch.s(url), analyze.s(), report.s());
  assert<Equal<InputOf<typeof seed>, NoInput>>();
  assert<Equal<OutputOf<typeof seed>, string>>();
  const handle = app.submit(seed);
  assert<Equal<typeof handle, RunHandle<string>>>();
  assert<Equal<Awaited<typeof handle>, string>>();
  assert<Equal<Awaited<ReturnType<typeof handle.get>>, string>>();
  const result = await handle;
  assert<Equal<typeof result, string>>();
  expectType<string>(await app.submit(seed).get({ timeout: 1000 }));
  // @ts-expect-error the result is a string, not a number
  expectType<number>(await app.submit(seed));

  // --- Each step must accept what the step before it produces. ---
  // @ts-expect-error report wants { sentiment: number }, fetch produces a string
  chain(fetch.s(url), report.s());
  // @ts-expect-error analyze wants a string, add produces a number
  chain(add.s(1, 2), analyze.s());
  // @ts-expect-error the third step is the one that does not fit: length wants a string
  chain(fetch.s(url), analyze.s(), length.s());
  // @ts-expect-error an error anywhere in a long chain is found
  chain(tick.s(), double.s(), double.s(), toText.s(), length.s(), double.s(), toText.s(), double.s());
  chain(tick.s(), double.s(), double.s(), toText.s(), length.s(), double.s(), toText.s(), length.s());
  // A complete signature cannot follow a step: at run time it would receive that step's result.
  // @ts-expect-error add.s(2, 3) takes no input, fetch produces a string
  chain(fetch.s(url), add.s(2, 3));
  // Not even after a step that returns nothing: add would receive (undefined, 2, 3).
  // @ts-expect-error add.s(2, 3) takes no input (NoInput), log produces void
  chain(log.s("x"), add.s(2, 3));
  // An immutable signature may follow anything.
  expectType<RunnableStep<number>>(chain(log.s("x"), add.si(2, 3)));
  // Chains nest, and a nested chain is checked against its neighbours.
  const nested = chain(fetch.s(url), chain(analyze.s(), report.s()), length.s());
  assert<Equal<OutputOf<typeof nested>, number>>();
  // @ts-expect-error the nested chain produces a string, double wants a number
  chain(fetch.s(url), chain(analyze.s(), report.s()), double.s());

  // --- Signatures: .s() checks its arguments. ---
  assert<
    Equal<typeof add extends { call(...args: infer P): unknown } ? P : never, ValuesOrRefs<[a: number, b: number]>>
  >();
  const complete = add.s(1, 2);
  assert<Equal<InputOf<typeof complete>, NoInput>>();
  assert<Equal<OutputOf<typeof complete>, number>>();
  const partial = add.s(2);
  // The previous step may give the value or a ref of it (resolved before the task runs).
  assert<Equal<InputOf<typeof partial>, number | RefTo<number>>>();
  // @ts-expect-error fetch takes a string
  fetch.s(42);
  // @ts-expect-error add takes numbers
  add.s("1", 2);
  // @ts-expect-error the partial form of add takes a number too
  add.s("2");
  // @ts-expect-error too many arguments
  add.s(1, 2, 3);
  // @ts-expect-error tick takes no arguments (there is no partial form of a task without parameters)
  tick.s(1);
  // @ts-expect-error nor with several
  tick.s(1, "a", {});
  // `this: TaskContext` is not a parameter.
  const slowSig = slow.s(10);
  assert<Equal<OutputOf<typeof slowSig>, number>>();
  // @ts-expect-error slow takes a number
  slow.s("10");
  // call() is submit(s()): same arguments, typed handle.
  expectType<RunHandle<number>>(add.call(1, 2));
  assert<Equal<Awaited<ReturnType<typeof add.call>>, number>>();
  // @ts-expect-error call() needs every argument
  add.call(1);
  // @ts-expect-error call() checks argument types
  fetch.call(1);

  // --- Only a step that needs no input can be submitted. ---
  app.submit(fetch.s(url));
  app.submit(tick.s());
  // @ts-expect-error analyze.s() waits for a string
  app.submit(analyze.s());
  // @ts-expect-error add.s(2) waits for a number
  app.submit(add.s(2));
  // @ts-expect-error a chain whose first step waits for input
  app.submit(chain(analyze.s(), report.s()));
  // @ts-expect-error a group with a member that waits for input
  app.submit(group(fetch.s(url), analyze.s()));
  // @ts-expect-error a map waits for a list
  app.submit(map(fetch.s()));
  // @ts-expect-error not a step at all
  app.submit([fetch.s(url)]);
  const runnable: RunnableStep<string> = chain(fetch.s(url), analyze.s(), report.s());
  expectType<RunHandle<string>>(app.submit(runnable));

  // --- .si() ignores the previous result, so it follows anything. ---
  const immutable = report.si({ sentiment: 1 });
  assert<Equal<InputOf<typeof immutable>, unknown>>();
  assert<Equal<OutputOf<typeof immutable>, string>>();
  const afterAnything = chain(add.s(1, 2), report.si({ sentiment: 1 }), length.s());
  assert<Equal<OutputOf<typeof afterAnything>, number>>();
  chain(fetch.s(url), add.si(1, 2), double.s());
  app.submit(add.si(1, 2));
  // @ts-expect-error .si() takes every argument
  add.si(1);
  // @ts-expect-error .si() checks argument types
  report.si({ sentiment: "high" });
  // signature() by name is untyped: unknown in, the declared type out.
  expectType<RunHandle<string>>(app.submit(signature<string>("report", [{ sentiment: 0.8 }])));
  chain(fetch.s(url), signature("anything"), report.si({ sentiment: 1 }));

  // --- group: a tuple of its members' results; an array for group([...]). ---
  const tuple = group(fetch.s(url), add.s(1, 2), isHigh.s({ sentiment: 1 }));
  assert<Equal<OutputOf<typeof tuple>, [string, number, boolean]>>();
  assert<Equal<InputOf<typeof tuple>, NoInput>>();
  assert<Equal<Awaited<ReturnType<typeof app.submit<OutputOf<typeof tuple>>>>, [string, number, boolean]>>();
  const [text, n, high] = await app.submit(tuple);
  expectType<string>(text);
  expectType<number>(n);
  expectType<boolean>(high);
  const list = group([1, 2, 3].map((i) => add.s(i, i)));
  assert<Equal<OutputOf<typeof list>, number[]>>();
  assert<Equal<Awaited<ReturnType<typeof app.submit<OutputOf<typeof list>>>>, number[]>>();
  const empty = group();
  assert<Equal<OutputOf<typeof empty>, []>>();
  // Members of a group inside a chain all receive the previous result.
  const fanOut = chain(fetch.s(url), group(analyze.s(), length.s()));
  assert<Equal<OutputOf<typeof fanOut>, [Analysis, number]>>();
  // @ts-expect-error double wants a number, the group's input is fetch's string
  chain(fetch.s(url), group(analyze.s(), double.s()));
  // @ts-expect-error the group produces a tuple, report wants { sentiment: number }
  chain(group(fetch.s(url), add.s(1, 2)), report.s());
  // @ts-expect-error group([...]) of a member that waits for a number cannot follow fetch
  chain(fetch.s(url), group([double.s(), double.s()]));

  // --- chord: the header's results must fit the callback's input. ---
  const summed = chord([add.s(1, 1), add.s(2, 2)], sum.s());
  assert<Equal<OutputOf<typeof summed>, number>>();
  assert<Equal<InputOf<typeof summed>, NoInput>>();
  expectType<number>(await app.submit(summed));
  const paired = chord([add.s(1, 1), fetch.s(url)], pair.s());
  assert<Equal<OutputOf<typeof paired>, string>>();
  const fromGroup = chord(group([add.s(1, 1), add.s(2, 2)]), sum.s());
  assert<Equal<OutputOf<typeof fromGroup>, number>>();
  chord([add.s(1, 1)], report.si({ sentiment: 1 }));
  // @ts-expect-error sum wants numbers, the header produces a string
  chord([add.s(1, 1), fetch.s(url)], sum.s());
  // @ts-expect-error pair wants [number, string], the header produces [string, number]
  chord([fetch.s(url), add.s(1, 1)], pair.s());
  // @ts-expect-error report wants { sentiment: number }, the header produces [number]
  chord([add.s(1, 1)], report.s());
  // @ts-expect-error the group header produces string[], sum wants numbers
  chord(group([fetch.s(url), fetch.s(url)]), sum.s());

  // --- branch: the condition must return a boolean; both arms take the same input. ---
  const routed = chain(fetch.s(url), analyze.s(), branch(isHigh.s(), alert.s(), report.s()));
  assert<Equal<OutputOf<typeof routed>, "alert" | string>>();
  const passThrough = branch(isHigh.s(), alert.s());
  assert<Equal<InputOf<typeof passThrough>, { sentiment: number } | RefTo<{ sentiment: number }>>>();
  // Passed through as it came: the value, or a ref of it.
  assert<Equal<OutputOf<typeof passThrough>, "alert" | { sentiment: number } | RefTo<{ sentiment: number }>>>();
  // @ts-expect-error score returns a number, not a boolean
  branch(score.s(), alert.s(), report.s());
  // @ts-expect-error fetch returns a string, not a boolean
  chain(fetch.s(url), analyze.s(), branch(report.s(), alert.s()));
  // @ts-expect-error the arm double wants a number, the condition's input is { sentiment: number }
  branch(isHigh.s(), double.s());
  // @ts-expect-error the branch takes { sentiment: number }, fetch produces a string
  chain(fetch.s(url), branch(isHigh.s(), alert.s()));

  // --- map: E[] to O[]. ---
  const mapped = map(fetch.s());
  assert<Equal<InputOf<typeof mapped>, readonly (string | RefTo<string>)[]>>();
  assert<Equal<OutputOf<typeof mapped>, string[]>>();
  const crawl = chain(listUrls.s("site"), map(fetch.s()), map(length.s()));
  assert<Equal<OutputOf<typeof crawl>, number[]>>();
  chain(listUrls.s("site"), map(length.s()), sum.s());
  // @ts-expect-error fetch produces a string, not a list
  chain(fetch.s(url), map(length.s()));
  // @ts-expect-error the list holds strings, double wants numbers
  chain(listUrls.s("site"), map(double.s()));
  // @ts-expect-error the map produces number[], report wants { sentiment: number }
  chain(listUrls.s("site"), map(length.s()), report.s());

  // --- loop: the body maps X to X; until checks an X. ---
  const doubled = chain(tick.s(), loop(double.s(), { until: atLeast.s(100), maxIterations: 20 }));
  assert<Equal<OutputOf<typeof doubled>, number>>();
  loop(double.s(), { maxIterations: 3 });
  // @ts-expect-error toText maps a number to a string: the loop would feed it a string next
  loop(toText.s(), { maxIterations: 3 });
  // @ts-expect-error until must return a boolean
  loop(double.s(), { until: double.s() });
  // @ts-expect-error until checks the body's number, isHigh wants { sentiment: number }
  loop(double.s(), { until: isHigh.s() });
  // @ts-expect-error the loop takes a number, fetch produces a string
  chain(fetch.s(url), loop(double.s(), { maxIterations: 3 }));
}
