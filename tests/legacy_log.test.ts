// Logs written by earlier versions of schema 1 still read: errors in the shapes they had before
// errors had one shape, and checkpoints whose unfinished tasks were "pending" before runs had one
// set of status words.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActantApp, TaskError, WorkflowError } from "../mod.ts";
import { encode } from "../src/common/mod.ts";
import { EventLog, openLmdbBackend } from "../src/store/mod.ts";
import { rejection } from "./support/errors.ts";
import { withTempDir } from "./support/temp_dir.ts";

describe("logs of earlier versions of schema 1", { timeout: 60_000 }, () => {
  it("reads the error shapes of logs written before errors had one shape", async () => {
    await withTempDir("error-legacy", async (dir) => {
      const log = await EventLog.open(await openLmdbBackend(dir), { durability: "batched" });
      log.append({ type: "task.submitted", id: "t-old", task: "gone", args: encode([]) });
      log.append({ type: "task.failed", id: "t-old", attempts: 3, error: { name: "RangeError", message: "far" } });
      log.append({ type: "workflow.started", id: "w-old", graph: { root: "n1", nodes: {} } });
      await log.append({
        type: "workflow.failed",
        id: "w-old",
        error: {
          name: "WorkflowError",
          message: 'Workflow w-old failed at node n2 (task "gone", attempt 3): RangeError: far',
          node: "n2",
          task: "gone",
          attempts: 3,
          cause: { name: "RangeError", message: "far" },
        },
      });
      await log.close();

      const app = new ActantApp("errors", { backend: await openLmdbBackend(dir) });
      try {
        const task = await rejection(app.getResult("t-old"));
        assert.ok(task instanceof TaskError);
        assert.deepEqual([task.task, task.attempts, (task.cause as Error).name], ["gone", 3, "RangeError"]);
        const wf = await rejection(app.getWorkflow("w-old"));
        assert.ok(wf instanceof WorkflowError);
        assert.deepEqual(
          [wf.code, wf.workflowId, wf.node, wf.task, wf.attempts, (wf.cause as Error).message],
          ["WORKFLOW_FAILED", "w-old", "n2", "gone", 3, "far"],
        );
        assert.match(wf.message, /^Workflow w-old failed at node n2/);
      } finally {
        await app.close();
      }
    });
  });

  it("a checkpoint's unfinished task, recorded as pending, runs again and is queued until then", async () => {
    await withTempDir("status-legacy", async (dir) => {
      const log = await EventLog.open(await openLmdbBackend(dir), { durability: "batched" });
      await log.append({ type: "task.submitted", id: "t-pending", task: "double", args: encode([21]) });
      const state = {
        tasks: [["t-pending", { task: "double", args: encode([21]), status: "pending" }]],
        workflows: [],
        actors: [],
      };
      await log.checkpoint(1, state);
      await log.close();

      const app = new ActantApp("status", { backend: await openLmdbBackend(dir) });
      try {
        app.task("double", (n: number) => n * 2);
        const handle = app.getResult<number>("t-pending");
        assert.equal(await handle, 42);
        assert.equal(await handle.status(), "succeeded");
      } finally {
        await app.close();
      }
    });
  });
});
