// A real `actant worker` process (the app tests/fixtures/cluster_app.ts) for the protocol fuzz
// tests, and the ways they talk to it: raw byte streams judged by the oracle, channels of
// well-formed but wrong messages, and the checks that it is alive and still serving.
// (Not a test file: no runner picks it up.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActantApp, signature } from "../../mod.ts";
import { ACTORS_PROTOCOL, EXEC_PROTOCOL, STATUS_PROTOCOL, TASKS_PROTOCOL } from "../../src/cluster/mod.ts";
import { encode } from "../../src/common/mod.ts";
import { type Channel, createNetNode, type Frame, type NetNode, readFrames } from "../../src/net/mod.ts";
import { runCli, startWorker, type WorkerProcess } from "./actant_cli.ts";
import { within } from "./async.ts";
import { concat, wire } from "./frame_bytes.ts";
import { predict, type Verdict } from "./fuzz_oracle.ts";
import type { HostTarget, OwnerEnd } from "./fuzz_owner.ts";
import type { AttemptTarget } from "./in_process_host.ts";
import { addStep, submitMessage } from "./fuzz_values.ts";

/** A bound against hangs (a broken worker must fail the test, not stall it); never a timing check. */
export const HANG_BOUND_MS = 20_000;
/** The node id the fuzzed worker reports in its status. */
export const FUZZED_NODE_ID = "fuzzed";
/** The window the fuzzing peer grants the worker: large, so the worker never waits for credit. */
const OUR_WINDOW = 1_000_000;
const OUR_WINDOW_BYTES = 0xffff_ffff;
/** The keys of the sentinels on the actor hosting protocol start here, clear of a case's own keys. */
const SENTINEL_KEYS = 1_000_000;
const appModule = new URL("../fixtures/cluster_app.ts", import.meta.url).pathname;

type RawStream = Awaited<ReturnType<NetNode["openStream"]>>;

/** A request the worker answers, sent after a case: its answer tells that the stream still works. */
interface Sentinel {
  message: unknown;
  /** What its answer is filed under (a task id, a hosting key). */
  id: string;
  isAnswer(reply: unknown): boolean;
  /** Its exact answer (none for a status request: the report varies). */
  answer?: unknown;
}

/** Asserts that `replies` is one failure `done` with the error `name` (and `code`, when given). */
export function assertFailed(
  replies: unknown[] | undefined,
  expected: { name: string; code?: string; label: string },
): void {
  const { name, code, label } = expected;
  assert.equal(replies?.length, 1, `${label}: one answer, got ${JSON.stringify(replies)}`);
  const { ok, error } = replies![0] as { ok?: unknown; error?: { name?: unknown; code?: unknown } };
  const shown = `${label}: ${JSON.stringify(replies![0])}`;
  assert.equal(ok, false, shown);
  assert.equal(error?.name, name, shown);
  if (code !== undefined) assert.equal(error?.code, code, shown);
}

/** An `actant worker` process under fuzzing, and the in-test node that talks to it. */
export class FuzzedWorker implements HostTarget, AttemptTarget {
  readonly address: string;
  readonly node: NetNode;
  readonly #process: WorkerProcess;
  readonly #work: string;
  #sentinels = 0;

  private constructor(process: WorkerProcess, node: NetNode, work: string) {
    this.#process = process;
    this.address = process.address;
    this.node = node;
    this.#work = work;
  }

  /** Starts a worker with a data dir in a fresh temp dir, and an in-test node. */
  static async start(): Promise<FuzzedWorker> {
    const work = mkdtempSync(join(tmpdir(), "actant-fuzz-"));
    const args = [
      "--app",
      appModule,
      "--listen",
      "/ip4/127.0.0.1/tcp/0/ws",
      "--data",
      join(work, "data"),
      "--node-id",
      FUZZED_NODE_ID,
    ];
    const process = await startWorker(args);
    return new FuzzedWorker(process, await createNetNode({}), work);
  }

  /** The worker's process id (tasks like `where` answer with it). */
  get pid(): number | undefined {
    return this.#process.child.pid;
  }

  /** Stops the node and the worker, and removes the temp dir. */
  async stop(): Promise<void> {
    await this.node.stop();
    await this.#process.stop();
    rmSync(this.#work, { recursive: true, force: true });
  }

  /** Fails if the worker process has exited, showing the end of its output. */
  /** An attempt channel to the worker, as an owner opens it. */
  openAttempts(): Promise<Channel<unknown, unknown>> {
    return this.node.openChannel<unknown, unknown>(this.address, EXEC_PROTOCOL);
  }

  /** A hosting channel to the worker, as an actor owner opens it. */
  openOwner(): Promise<OwnerEnd> {
    return this.node.openChannel<unknown, unknown>(this.address, ACTORS_PROTOCOL);
  }

  assertAlive(what: string): void {
    const { exitCode, signalCode } = this.#process.child;
    const output = this.#process.output().slice(-20_000);
    assert.equal(exitCode, null, `the worker exited (code ${exitCode}) after ${what}; its output:\n${output}`);
    assert.equal(signalCode, null, `the worker was killed (${signalCode}) after ${what}; its output:\n${output}`);
  }

  /** A client's `submit` of add(2, 3) gets 5 and `actant status` answers: the worker still serves. */
  async assertStillServing(): Promise<void> {
    this.assertAlive("the fuzz run");
    const client = new ActantApp("cluster_test", { address: this.address });
    try {
      assert.equal(await client.submit(signature<number>("add", [2, 3])), 5);
    } finally {
      await client.close();
    }
    const status = await runCli(["status", "--address", this.address, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).peers[0].nodeId, FUZZED_NODE_ID);
    this.assertAlive("the final checks");
  }

  /**
   * Sends `messages` and then a sentinel submit on a task channel, and ends our side. Resolves
   * with every `done` reply by id once the worker has ended its side (it answers all first); the
   * sentinel's must be 5: the channel kept serving after the wrong messages.
   */
  async ask(messages: unknown[], label: string): Promise<Map<string, unknown[]>> {
    const sentinel = this.#sentinel(TASKS_PROTOCOL);
    const channel = await this.node.openChannel<unknown, unknown>(this.address, TASKS_PROTOCOL);
    const answers = new Map<string, unknown[]>();
    try {
      const writer = channel.writable.getWriter();
      for (const message of [...messages, sentinel.message]) void writer.write(message).catch(() => {});
      void writer.close().catch(() => {});
      await within(
        (async () => {
          for await (const reply of channel.readable) {
            const { op, id } = reply as { op?: unknown; id?: unknown };
            // `done` answers a submission, `reply` an actor request.
            assert.ok(op === "done" || op === "reply", `${label}: a reply ${JSON.stringify(reply)}`);
            assert.equal(typeof id, "string", `${label}: a reply without a string id: ${JSON.stringify(reply)}`);
            answers.set(id as string, [...answers.get(id as string) ?? [], reply]);
          }
          await channel.closed;
        })(),
        HANG_BOUND_MS,
        `${label}: the answers and the worker's end of the channel`,
      ).catch((error: Error) => {
        throw new Error(`${error.message} (answered so far: ${JSON.stringify([...answers.keys()])})`, { cause: error });
      });
      assert.deepEqual(answers.get(sentinel.id), [sentinel.answer], `${label}: the channel keeps serving`);
      answers.delete(sentinel.id);
      return answers;
    } finally {
      channel.abort(new Error("case over"));
      this.assertAlive(label);
    }
  }

  /**
   * Opens a raw stream for `protocol`, waits for the worker's credit grant, sends our grant, the
   * case's bytes and a sentinel request, and checks what the worker does against the oracle.
   */
  async sendRaw(caseBytes: Uint8Array, options: { protocol: string; label: string }): Promise<Verdict> {
    const { protocol, label } = options;
    const sentinel = this.#sentinel(protocol);
    const sentinelBytes = wire({ kind: "data", messages: [sentinel.message] });
    const bytes = concat(
      wire({ kind: "credit", credit: OUR_WINDOW, bytes: OUR_WINDOW_BYTES }),
      caseBytes,
      sentinelBytes,
    );
    const { verdict, statusRequests } = await predict(bytes, sentinelBytes);
    const { isAnswer } = sentinel;
    const stream = await this.node.openStream(this.address, protocol);
    try {
      const frames = readFrames(stream)[Symbol.asyncIterator]();
      const grant = await within(frames.next(), HANG_BOUND_MS, `${label}: the worker's credit grant`);
      assert.equal(grant.done ? "nothing" : grant.value.kind, "credit", `${label}: the worker sends its window first`);
      const watch = watchFrames(frames, { isAnswer, answers: protocol === STATUS_PROTOCOL ? statusRequests : 1 });
      await sendAll(stream, bytes);
      let end: "closed" | "reset" | undefined;
      if (verdict === "answered") {
        const endedFirst = watch.end.then((how) => {
          throw new Error(
            `${label}: the stream was ${how} before the sentinel was answered; frames ${
              JSON.stringify(watch.received)
            }`,
          );
        });
        await within(Promise.race([watch.answered, endedFirst]), HANG_BOUND_MS, `${label}: the answer to the sentinel`);
      } else {
        await stream.close().catch(() => {}); // end of input: the worker decides and ends the stream
        end = await within(watch.end, HANG_BOUND_MS, `${label}: the end of the stream (verdict ${verdict})`);
      }
      checkFrames(watch.received, { verdict, end, label });
      if (verdict === "answered" && sentinel.answer !== undefined) {
        const done = watch.received.flatMap((f) => f.kind === "data" ? f.messages : []).find(
          isAnswer,
        );
        assert.deepEqual(done, sentinel.answer, label);
      }
      return verdict;
    } finally {
      if (stream.status === "open" || stream.status === "closing") stream.abort(new Error("case over"));
      this.assertAlive(label);
    }
  }

  /**
   * Sends `bytes` on a raw stream for `protocol` and ends our side; resolves with every frame the
   * worker sent and how its side ended (`closed` cleanly, or `reset`).
   */
  async exchangeRaw(
    bytes: Uint8Array,
    options: { protocol: string; label: string },
  ): Promise<{ frames: Frame[]; end: "closed" | "reset" }> {
    const stream = await this.node.openStream(this.address, options.protocol);
    try {
      const watch = watchFrames(readFrames(stream)[Symbol.asyncIterator]());
      await sendAll(stream, bytes);
      await stream.close().catch(() => {});
      const end = await within(watch.end, HANG_BOUND_MS, `${options.label}: the end of the stream`);
      return { frames: watch.received, end };
    } finally {
      if (stream.status === "open" || stream.status === "closing") stream.abort(new Error("case over"));
      this.assertAlive(options.label);
    }
  }

  /** The sentinel of the next case on `protocol`. */
  #sentinel(protocol: string): Sentinel {
    const n = this.#sentinels++;
    if (protocol === STATUS_PROTOCOL) {
      return {
        message: { op: "status" },
        id: "status",
        isAnswer: (reply) => Array.isArray((reply as { peers?: unknown })?.peers),
      };
    }
    if (protocol === ACTORS_PROTOCOL) {
      // A create needs no acknowledgement from us: it is answered at once.
      const key = SENTINEL_KEYS + n;
      const message = { op: "create", key, actorId: `sentinel-${n}`, cls: "Counter", args: encode([]) };
      return {
        message,
        id: String(key),
        isAnswer: (reply) => isDone(reply, { key }),
        answer: { op: "done", key, ok: true },
      };
    }
    const id = `sentinel-${n}`;
    const answer = { op: "done", id, ok: true, result: encode(5) };
    return {
      message: submitMessage(id, addStep(2, 3)),
      id,
      isAnswer: (reply) => isDone(reply, { id }),
      answer,
    };
  }
}

/** Whether `reply` is a `done` filed under `where` (its `id` or its `key`). */
function isDone(reply: unknown, where: { id?: string; key?: number }): boolean {
  const { op, id, key } = reply as { op?: unknown; id?: unknown; key?: unknown };
  return op === "done" && ("id" in where ? id === where.id : key === where.key);
}

/** The frames the worker sent in one raw case, checked against the oracle's verdict. */
function checkFrames(
  received: Frame[],
  expected: { verdict: Verdict; end: "closed" | "reset" | undefined; label: string },
): void {
  const { verdict, end, label } = expected;
  const errors = received.filter((frame) => frame.kind === "error");
  const context = `${label}: verdict ${verdict}, frames ${JSON.stringify(received.map((f) => f.kind))}, stream ${end}`;
  for (const error of errors) assert.equal(error.kind === "error" && error.code, "BAD_FRAME", context);
  if (verdict === "bad" || verdict === "either") {
    assert.ok(errors.length <= 1, context);
    if (verdict === "bad") assert.equal(errors.length, 1, context);
    if (errors.length === 1) {
      assert.equal(received.at(-1)!.kind, "error", `${context}: nothing follows the error reply`);
    }
    return;
  }
  assert.equal(errors.length, 0, context);
  if (verdict === "ended") {
    // Both sides ended properly: the worker answered what it was asked, then ended its side.
    assert.equal(received.at(-1)?.kind, "end", context);
    assert.equal(end, "closed", context);
  }
}

/** Reads the worker's frames into `received`; `answered` resolves once `answers` replies satisfy `isAnswer`. */
function watchFrames(frames: AsyncIterator<Frame>, expect = { isAnswer: (_reply: unknown) => false, answers: 1 }) {
  const received: Frame[] = [];
  const answered = Promise.withResolvers<void>();
  let answers = 0;
  const end = (async (): Promise<"closed" | "reset"> => {
    try {
      while (true) {
        const next = await frames.next();
        if (next.done) return "closed";
        received.push(next.value);
        if (next.value.kind !== "data") continue;
        for (const reply of next.value.messages) {
          if (expect.isAnswer(reply) && ++answers === expect.answers) answered.resolve();
        }
      }
    } catch {
      return "reset"; // the worker resets the stream after its error reply, or instead of one
    }
  })();
  return { received, answered: answered.promise, end };
}

async function sendAll(stream: RawStream, bytes: Uint8Array): Promise<void> {
  // In pieces, so a large case meets backpressure rather than one huge buffer.
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    try {
      if (!stream.send(bytes.subarray(at, at + 64 * 1024))) await stream.onDrain();
    } catch {
      return; // the worker refused the stream (a bad frame) while we were still sending
    }
  }
}
