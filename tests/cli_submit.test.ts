// `actant submit` against real `actant worker` processes on 127.0.0.1, and what the worker logs
// with --log-format json --log-level debug: members joining and leaving by node id, each attempt
// placed and each that failed. Runs once, under Node's runner; the submits and the second worker
// run on Deno and Bun too.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ONCE_UNDER_NODE, runCli, startWorker, WORKER_RUNTIMES, type WorkerProcess } from "./support/actant_cli.ts";
import { until } from "./support/async.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;

interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

describe("actant submit against actant worker", { timeout: 180_000, skip: ONCE_UNDER_NODE }, () => {
  let work: string;
  let w1: WorkerProcess;
  const stopped: WorkerProcess[] = [];

  /** w1's log, every line of it parsed as JSON. */
  const log = (): LogLine[] =>
    w1.stdout().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as LogLine);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "actant-cli-submit-"));
    w1 = await startWorker([
      "--app",
      appModule,
      "--data",
      join(work, "w1"),
      "--node-id",
      "w1",
      "--log-format",
      "json",
      "--log-level",
      "debug",
    ]);
  });

  after(async () => {
    for (const worker of [w1, ...stopped]) await worker?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("prints the result as JSON and exits 0, with the client on Node, Deno and Bun", async () => {
    for (const runtime of WORKER_RUNTIMES) {
      const { code, stdout, stderr } = await runCli(["submit", "--address", w1.address, "add", "2", "3"], { runtime });
      assert.equal(code, 0, `${runtime}: ${stderr}`);
      assert.equal(stdout, "5\n", runtime);
    }
    const structured = await runCli(["submit", "--address", w1.address, "distinct", '[1, 2, 2, {"a": null}]']);
    assert.equal(structured.code, 0, structured.stderr);
    assert.equal(structured.stdout.trim(), "3");
  });

  it("--json prints one line with the run's id and result; the worker logs where its attempt ran", async () => {
    const { code, stdout, stderr } = await runCli(["submit", "--json", "--address", w1.address, "add", "2", "-3"]);
    assert.equal(code, 0, stderr);
    const answer = JSON.parse(stdout) as { id: string; task: string; ok: boolean; result: unknown };
    assert.deepEqual({ ...answer, id: typeof answer.id }, { id: "string", task: "add", ok: true, result: -1 });
    await until(() => log().some((line) => line.runId === answer.id), "w1 logs the attempt");
    const placed = log().find((line) => line.runId === answer.id)!;
    assert.equal(placed.level, "debug");
    assert.equal(placed.event, "attempt.placed");
    assert.deepEqual([placed.task, placed.attempt, placed.on], ["add", 1, "here"]);
    assert.match(placed.msg, /^attempt placed: add \S+ attempt 1 runs here$/);
  });

  it("a task that fails: its error by name and message on stderr, exit 1; the worker logs the failed attempt", async () => {
    const { code, stdout, stderr } = await runCli(["submit", "--address", w1.address, "fail", '"too far"']);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^actant submit: TaskError: Task "fail" \((\S+)\) failed after 1 attempt: RangeError: too far \(TASK_FAILED\)$/m,
    );
    const id = /Task "fail" \((\S+)\)/.exec(stderr)![1];
    await until(
      () => log().some((line) => line.runId === id && line.event === "attempt.failed"),
      "w1 logs the failure",
    );
    const failed = log().find((line) => line.runId === id && line.event === "attempt.failed")!;
    assert.deepEqual([failed.level, failed.task, failed.attempt, failed.retrying], ["debug", "fail", 1, false]);
    assert.deepEqual(failed.error, { name: "RangeError", message: "too far" });

    const json = await runCli(["submit", "--json", "--address", w1.address, "fail", '"again"']);
    assert.equal(json.code, 1);
    const answer = JSON.parse(json.stdout) as { ok: boolean; error: { name: string; code: string } };
    assert.deepEqual([answer.ok, answer.error.name, answer.error.code], [false, "TaskError", "TASK_FAILED"]);
  });

  it("a task no member registers: UnknownTaskError naming it, exit 1, nothing run", async () => {
    const before = log().filter((line) => line.event === "attempt.placed").length;
    const { code, stdout, stderr } = await runCli(["submit", "--address", w1.address, "nope", "1"]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^actant submit: UnknownTaskError: Cannot find task "nope": it is not registered \(known: .*\badd\b.*\) \(UNKNOWN_TASK\)$/m,
    );
    assert.equal(log().filter((line) => line.event === "attempt.placed").length, before);
  });

  it("--timeout gives up waiting: ResultTimeoutError, exit 1", async () => {
    const { code, stderr } = await runCli(["submit", "--address", w1.address, "--timeout", "50", "where", "5000"]);
    assert.equal(code, 1);
    assert.match(stderr, /^actant submit: ResultTimeoutError: /m);
  });

  it("the worker logs a member joining and leaving by node id, peer id, runtime and reason", async () => {
    const runtime = WORKER_RUNTIMES[1];
    const w2 = await startWorker([
      "--app",
      appModule,
      "--data",
      join(work, "w2"),
      "--node-id",
      "w2",
      "--bootstrap",
      w1.address,
    ], runtime);
    stopped.push(w2);
    const peerId = w2.address.split("/p2p/")[1];
    await until(
      () => log().some((line) => line.event === "member.joined" && line.nodeId === "w2"),
      "w1 logs w2 joining",
      { limitMs: 30_000 },
    );
    const joined = log().find((line) => line.event === "member.joined" && line.nodeId === "w2")!;
    assert.deepEqual([joined.level, joined.peerId, joined.runtime], ["info", peerId, runtime]);
    assert.equal(joined.msg, `member joined: w2 (${peerId}, ${runtime})`);
    await w2.stop();
    await until(
      () => log().some((line) => line.event === "member.left" && line.nodeId === "w2"),
      "w1 logs w2 leaving",
      { limitMs: 30_000 },
    );
    const left = log().find((line) => line.event === "member.left")!;
    assert.equal(left.peerId, peerId);
    assert.equal(typeof left.reason, "string");
    assert.equal(left.msg, `member left: w2 (${peerId}, ${left.reason})`);
  });

  it("every line of the worker's JSON log has time, level and msg", () => {
    const lines = log();
    assert.ok(lines.length > 5);
    for (const line of lines) {
      assert.ok(!Number.isNaN(Date.parse(line.time)), line.time);
      assert.ok(["error", "warn", "info", "debug"].includes(line.level), line.level);
      assert.equal(typeof line.msg, "string");
    }
    assert.ok(lines.some((line) => line.event === "ready" && line.nodeId === "w1"));
    assert.ok(lines.some((line) => line.event === "listening" && line.address === w1.address));
  });
});
