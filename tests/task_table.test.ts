/**
 * The tasks of a durable app's state by id (issue 10): the ids the app's own generator makes are
 * held in slots by counter, any other id in a map, and the table answers as one `Map` would,
 * whatever the mix; a durable state built on it folds, checkpoints and retires as before.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DurableState, type TaskEntry } from "../src/app/durable_state.ts";
import { TaskTable } from "../src/app/task_table.ts";
import { encode, idCounter, IdGenerator } from "../src/common/mod.ts";

const record = (n: number): TaskEntry => ({ task: "work", args: [n], status: "queued" });

describe("idCounter", () => {
  it("reads back the counter of an id its generator made, and refuses any other", () => {
    const ids = new IdGenerator();
    const head = ids.headOf("t");
    for (let n = 0; n < 5_000; n++) assert.equal(idCounter(ids.next("t"), head), n);
    assert.equal(idCounter(ids.next("wf"), head), -1, "another kind");
    assert.equal(idCounter(new IdGenerator().next("t"), head), -1, "another generator");
    for (const id of [head, `${head}01`, `${head}A`, `${head}1-2`, `${head}${"z".repeat(11)}`, "t1"]) {
      assert.equal(idCounter(id, head), -1, id);
    }
  });
});

describe("TaskTable", () => {
  it("answers get, has, size, delete and iteration as a Map does, for own ids, others and both", () => {
    const ids = new IdGenerator();
    const table = new TaskTable(ids.headOf("t"));
    const map = new Map<string, TaskEntry>();
    const own: string[] = [];
    for (let n = 0; n < 10_000; n++) {
      const id = n % 5 === 4 ? `caller-${n}` : n % 7 === 6 ? ids.next("wf") : ids.next("t");
      if (id.startsWith("t-")) own.push(id);
      table.set(id, record(n));
      map.set(id, record(n));
    }
    // Deleted in an order unlike their making, then some set again, a kept entry replaced.
    for (let n = 0; n < 10_000; n += 3) {
      const id = [...map.keys()][n % map.size];
      assert.equal(table.delete(id), map.delete(id));
    }
    assert.equal(table.delete("t-never"), false);
    for (const id of own.slice(0, 500)) {
      table.set(id, record(-1));
      map.set(id, record(-1));
    }
    const compare = () => {
      assert.equal(table.size, map.size);
      assert.deepEqual(new Map(table), map);
      for (const id of [...own, "caller-4", "caller-9999", "t-absent"]) {
        assert.equal(table.has(id), map.has(id), id);
        assert.deepEqual(table.get(id), map.get(id), id);
      }
    };
    compare();
    for (const id of [...map.keys()]) {
      table.delete(id);
      map.delete(id);
    }
    compare();
    const later = ids.next("t");
    table.set(later, record(1));
    map.set(later, record(1));
    table.set(own[0], record(2)); // its chunk was dropped: kept all the same
    map.set(own[0], record(2));
    compare();
  });

  it("backs a durable state that folds, checkpoints and retires the app's own tasks as before", () => {
    const ids = new IdGenerator();
    const state = new DurableState(100, { ownIds: ids });
    const plain = new DurableState(100);
    const made = Array.from({ length: 3_000 }, () => ids.next("t"));
    for (const [i, id] of made.entries()) {
      for (const target of [state, plain]) {
        target.apply({ type: "task.submitted", id, task: "work", args: encode([i]) });
        if (i % 2 === 0) target.apply({ type: "task.succeeded", id, result: encode(i * 2), attempts: 1 });
      }
    }
    assert.equal(state.size, plain.size);
    assert.deepEqual(new Map(state.snapshot().tasks), new Map(plain.snapshot().tasks));
    assert.deepEqual(state.task(made[2_998]), plain.task(made[2_998]));
    assert.equal(state.task(made[0]), undefined, "retired past keepResults");
    assert.equal(state.task(made[1])?.status, "queued");
  });
});
