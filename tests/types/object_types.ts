/**
 * Type tests of object refs. Only type-checked (`tsc -p .`): every `@ts-expect-error` line proves
 * that a mistake is a compile error, and every other line must compile. The checks sit in a
 * function that is never called, so nothing here runs.
 *
 * @module
 */
import { type ActantApp, chain, type ObjectRef, type TaskContext } from "../../mod.ts";
import { assert, type Equal, expectType } from "./expect.ts";

export async function objectTypes(app: ActantApp): Promise<void> {
  // put gives a ref typed by its value; get gives the value back.
  const rows = await app.put([1, 2, 3]);
  assert<Equal<typeof rows, ObjectRef<number[]>>>();
  assert<Equal<Awaited<ReturnType<typeof app.get<number[]>>>, number[]>>();
  expectType<number[]>(await app.get(rows));
  const bytes = await app.put(new ReadableStream<Uint8Array>());
  assert<Equal<typeof bytes, ObjectRef<Uint8Array>>>();
  expectType<ReadableStream<Uint8Array>>(app.getStream(bytes));
  // @ts-expect-error a ref of number[] is not a ref of bytes
  app.getStream(rows);

  // A ref passes where its value is expected, as a top-level argument.
  const sum = app.task("sum", (values: number[], offset: number) => values.reduce((a, b) => a + b, offset));
  expectType<number>(await sum.call(rows, 1));
  sum.s(rows, 1);
  // @ts-expect-error a ref of a string is no argument for number[]
  sum.call(await app.put("text"), 1);

  // A task may return a ref; the next step takes it where it takes the value.
  const make = app.task("make", async function (this: TaskContext, n: number) {
    return await this.put(Array.from({ length: n }, (_, i) => i));
  });
  const made = await make.call(3);
  expectType<ObjectRef<number[]>>(made);
  chain(make.s(3), sum.s(0));
  // @ts-expect-error length wants a string, make gives a ref of number[]
  chain(make.s(3), app.task("length", (text: string) => text.length).s());
}
