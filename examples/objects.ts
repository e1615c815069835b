// The object store: put a value once, pass its ref to tasks, read bytes back without a copy.
// Run: node examples/objects.ts | deno run -A examples/objects.ts | bun examples/objects.ts
import { ActantApp, type ObjectRef, type TaskContext } from "../mod.ts";

const app = new ActantApp("objects_example", { durability: "memory" });

// A top-level ref argument arrives as its value; a ref nested in a value stays a ref.
const total = app.task("total", (rows: number[]) => rows.reduce((a, b) => a + b, 0));
const size = app.task("size", async function (this: TaskContext, box: { ref: ObjectRef<number[]> }) {
  return (await this.get(box.ref)).length; // the task reads it only if it needs to
});
// A task may put objects too, and return their refs.
const squares = app.task("squares", async function (this: TaskContext, n: number) {
  return await this.put(Array.from({ length: n }, (_, i) => i * i));
});

{
  using rows = await app.put([1, 2, 3, 4]);
  console.log(await total.call(rows)); // 10
  console.log(await size.call({ ref: rows })); // 4
  using made = await squares.call(4);
  console.log(await app.get(made)); // [ 0, 1, 4, 9 ]

  using bytes = await app.put(new Uint8Array([1, 2, 3]));
  const view = await app.get(bytes); // a read-only view of the stored bytes, not a copy
  console.log(view.byteLength, (await app.get(bytes)).buffer === view.buffer); // 3 true
} // every ref released here (a task's own refs are released when it ends)

// No live ref is left; squares' kept result still carries a ref, which holds its one object.
console.log(app.objectStats().pinned.by); // { refs: 0, args: 0, encoded: 1, streams: 0 }
await app.close();
