/**
 * The state a durable app's log implies holds a queued task's arguments packed (a flat list of
 * primitives without its wrapper), and its checkpoints still store them as encoded lists: what a
 * checkpoint writes is what recovery submits again.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DurableState } from "../src/app/durable_state.ts";
import { encode, type Encoded } from "../src/common/mod.ts";

const cases: Array<[string, unknown[]]> = [
  ["one primitive", [7]],
  ["flat primitives", [1, "two", null, true]],
  ["no arguments", []],
  ["structured values", [{ at: new Date(0) }, new Map([["k", 1]])]],
];

describe("DurableState", () => {
  for (const [name, args] of cases) {
    it(`checkpoints a queued task's arguments as they were encoded (${name}), and loads them back`, () => {
      const encoded: Encoded = encode(args, "arguments");
      const state = new DurableState();
      state.apply({ type: "task.submitted", id: "t1", task: "work", args: encoded });
      const data = JSON.parse(JSON.stringify(state.snapshot()));
      assert.deepEqual(data.tasks, [["t1", {
        task: "work",
        args: JSON.parse(JSON.stringify(encoded)),
        status: "queued",
      }]]);
      const again = new DurableState();
      again.load(data);
      assert.deepEqual(again.snapshot(), data);
    });
  }
});
