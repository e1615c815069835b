/**
 * A durable app under a burst recorded faster than its log is written: attempts wait while the
 * log pushes back, so results do not pile up in memory behind a backlog they cannot overtake,
 * and every task still runs once its turn comes, with the right result.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ActantApp } from "../mod.ts";
import { settle } from "./support/async.ts";
import { ManualBackend } from "./support/log_stores.ts";

describe("A durable app whose log is behind", () => {
  it("starts no attempt until the log has caught up, then runs every task", async () => {
    const backend = new ManualBackend();
    const app = new ActantApp("backlog", { backend });
    let started = 0;
    const size = app.task("size", (text: string) => {
      started++;
      return text.length;
    });
    await app.start();
    backend.holdWrites();
    const big = "x".repeat(100_000);
    const handles = Array.from({ length: 200 }, (_, n) => app.submit(size.s(big + n))); // ~20 MB of events
    await settle();
    assert.equal(started, 0, "no attempt starts while the log pushes back");
    let outcomes: number[] | undefined;
    void Promise.all(handles.map((handle) => handle.get())).then((values) => (outcomes = values));
    // How many writes had committed when the first attempt started.
    let startedAt: number | undefined;
    let writes = 0;
    await backend.commitUntil(() => {
      if (started > 0) startedAt ??= writes;
      return outcomes !== undefined;
    }, () => void writes++);
    assert.ok(startedAt !== undefined && startedAt >= 2, `attempts started after write ${startedAt}`);
    assert.equal(started, 200);
    assert.deepEqual(outcomes, handles.map((_, n) => 100_000 + String(n).length));
    await app.close();
  });
});
