// An error as data (common/error_data.ts): the one shape the log and the wire keep. Built and
// rebuilt, it keeps its name, code, message, fields and cause, and comes back as Actant's own
// class when the name is one of ours; through the log (a restart) it does the same.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ActantApp,
  ActantError,
  chain,
  NonRetryableError,
  OwnerUnreachableError,
  PeerUnreachableError,
  TaskError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkflowError,
} from "../mod.ts";
import { type ErrorData, errorData, PeerLostError, rebuildError } from "../src/common/mod.ts";
import { rejection } from "./support/errors.ts";
import { withTempDir } from "./support/temp_dir.ts";

/** `error` as data, through JSON (as the log and the wire carry it), rebuilt. */
function roundTrip(error: unknown): ActantError {
  return rebuildError(JSON.parse(JSON.stringify(errorData(error))));
}

describe("an error as data", () => {
  it("keeps name, code, message, fields and cause, and comes back as its own class", () => {
    const original = new TaskError("add", "t-1", 2, new UnknownTaskError("nope", ["add", "sum"]));
    const data = errorData(original);
    assert.deepEqual(data, {
      name: "TaskError",
      code: "TASK_FAILED",
      message: original.message,
      fields: { task: "add", taskId: "t-1", attempts: 2 },
      cause: {
        name: "UnknownTaskError",
        code: "UNKNOWN_TASK",
        message: (original.cause as Error).message,
        fields: { task: "nope", known: ["add", "sum"] },
      },
    });
    const rebuilt = roundTrip(original);
    assert.ok(rebuilt instanceof TaskError && rebuilt instanceof ActantError && rebuilt instanceof Error);
    assert.deepEqual(
      [rebuilt.name, rebuilt.code, rebuilt.message, rebuilt.task, rebuilt.taskId, rebuilt.attempts],
      ["TaskError", "TASK_FAILED", original.message, "add", "t-1", 2],
    );
    const cause = rebuilt.cause;
    assert.ok(cause instanceof UnknownTaskError);
    assert.deepEqual([cause.code, cause.task, cause.known], ["UNKNOWN_TASK", "nope", ["add", "sum"]]);
    // Built again from the rebuilt error, the data is the same: an owner relaying it loses nothing.
    assert.deepEqual(errorData(rebuilt), data);
  });

  it("rebuilds the classes the scheduler acts on, and those of other layers", () => {
    assert.ok(roundTrip(new NonRetryableError("stop")) instanceof NonRetryableError);
    const lost = roundTrip(new PeerLostError("12D3KooWpeer", "it left"));
    assert.ok(lost instanceof PeerLostError);
    assert.equal(lost.peerId, "12D3KooWpeer");
    const timeout = roundTrip(new TaskTimeoutError("slow", 50));
    assert.ok(timeout instanceof TaskTimeoutError);
    assert.deepEqual([timeout.task, timeout.timeoutMs], ["slow", 50]);
    assert.ok(roundTrip(new PeerUnreachableError("/ip4/127.0.0.1", "refused")) instanceof PeerUnreachableError);
    const owner = roundTrip(new OwnerUnreachableError("/ip4/127.0.0.1", 3, 1_500));
    assert.ok(owner instanceof OwnerUnreachableError);
    assert.deepEqual([owner.code, owner.attempts], ["OWNER_UNREACHABLE", 3]);
  });

  it("an error not of Actant's comes back as an ActantError with its name, and its code if it had one", () => {
    const range = roundTrip(new RangeError("too far"));
    assert.ok(range instanceof ActantError);
    assert.deepEqual([range.name, range.code, range.message], ["RangeError", "REMOTE_ERROR", "too far"]);
    const system = roundTrip(Object.assign(new Error("no such file"), { code: "ENOENT", path: "/x" }));
    assert.deepEqual([system.name, system.code, (system as unknown as { path: string }).path], [
      "Error",
      "ENOENT",
      "/x",
    ]);
    assert.deepEqual(errorData("a string"), { name: "Error", message: "a string" });
  });

  it("data from another peer is taken only as errorData writes it", () => {
    const hostile = {
      name: "TaskError",
      code: "TASK_FAILED",
      message: "m",
      fields: { name: "Other", message: "x", code: "Y", attempts: 1, nested: { a: 1 }, list: [1, 2] },
      cause: { name: "A", message: "1", cause: { name: "B", message: "2", cause: { name: "C", message: "3" } } },
    } as unknown as ErrorData;
    const rebuilt = rebuildError(hostile);
    assert.deepEqual([rebuilt.name, rebuilt.message, rebuilt.code], ["TaskError", "m", "TASK_FAILED"]);
    assert.equal((rebuilt as TaskError).attempts, 1);
    assert.equal("nested" in rebuilt || "list" in rebuilt, false);
    const depth = (error: unknown): number => error instanceof Error ? 1 + depth(error.cause) : 0;
    assert.equal(depth(rebuilt), 4, "the error and three causes");
    const garbage = rebuildError(null as unknown as ErrorData);
    assert.deepEqual([garbage.name, garbage.code], ["ActantError", "REMOTE_ERROR"]);
  });
});

describe("an error through the log", { timeout: 60_000 }, () => {
  it("a failed task and a failed workflow come back after a restart with their classes, fields and causes", async () => {
    await withTempDir("error-log", async (dataDir) => {
      const first = new ActantApp("errors", { dataDir });
      const refuse = first.task("refuse", (n: number) => {
        throw new NonRetryableError(`no ${n}`);
      });
      const double = first.task("double", (n: number) => n * 2);
      const task = first.submit(refuse.s(0));
      const workflow = first.submit(chain(double.s(1), refuse.s()));
      const local = await rejection(task);
      const localWorkflow = await rejection(workflow);
      await first.close();

      const second = new ActantApp("errors", { dataDir });
      try {
        const again = await rejection(second.getResult(task.id));
        assert.ok(again instanceof TaskError);
        assert.deepEqual([again.code, again.task, again.taskId, again.attempts], ["TASK_FAILED", "refuse", task.id, 1]);
        assert.equal(again.message, local.message);
        assert.ok(again.cause instanceof NonRetryableError);
        assert.deepEqual([again.cause.code, again.cause.message], ["NON_RETRYABLE", "no 0"]);

        const wf = await rejection(second.getWorkflow(workflow.id));
        assert.ok(wf instanceof WorkflowError && localWorkflow instanceof WorkflowError);
        assert.deepEqual(
          [wf.code, wf.message, wf.workflowId, wf.node, wf.task, wf.attempts],
          ["WORKFLOW_FAILED", localWorkflow.message, workflow.id, localWorkflow.node, "refuse", 1],
        );
        assert.ok(wf.cause instanceof NonRetryableError);
      } finally {
        await second.close();
      }
    });
  });
});
