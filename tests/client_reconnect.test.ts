// A client app outlives a restart of its owner (issue 8, finding 6): a real `actant worker` with
// a durable data dir is SIGKILLed mid-run and restarted on the same data dir and the same port
// (what a user gives a worker clients connect to: a fixed --listen); the client reconnects to the
// same peer id, its pending handles settle with the recorded outcomes, every task finished once,
// and submitting an id again returns the run. An owner that never comes back fails the client
// with OwnerUnreachableError after its bounded retries.
import { until } from "./support/async.ts";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ActantApp, chain, ManualClock, type RunHandle, signature } from "../mod.ts";
import { startWorker, type WorkerProcess } from "./support/actant_cli.ts";
import { waitForMembers } from "./support/cluster.ts";

/** {@linkcode until} with this file's bound (a restarted worker and a reconnecting client take seconds). */
const untilWithin = (check: () => boolean, what: string) => until(check, what, { limitMs: 30_000 });

const appModule = new URL("./fixtures/reconnect_app.ts", import.meta.url).pathname;

/** The fixture's tasks as a client registers them (for types: the worker runs them). */
function reconnectClient(client: ActantApp) {
  return {
    mark: client.task("mark", (_dir: string, _tag: string, _ms: number): string => ""),
    markAfter: client.task("markAfter", (_previous: string, _dir: string, _tag: string, _ms: number): string => ""),
    fail: client.task("fail", (_dir: string, _tag: string): string => ""),
    Counter: client.actor(
      "Counter",
      class {
        add(_n: number): number {
          return 0;
        }
        slowAdd(_n: number, _ms: number): number {
          return 0;
        }
      },
    ),
  };
}

/** How many times `<dir>/<tag>.<what>` was marked. */
function marks(dir: string, tag: string, what: "started" | "finished"): number {
  const file = join(dir, `${tag}.${what}`);
  return existsSync(file) ? readFileSync(file, "utf8").length : 0;
}

async function kill(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once("exit", resolve));
  worker.child.kill("SIGKILL");
  await exited;
}

function workerArgs(data: string, listen: string): string[] {
  return ["--app", appModule, "--listen", listen, "--data", data, "--node-id", "owner"];
}

describe("a client across a restart of its owner", { timeout: 180_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "actant-reconnect-"));
  const workers: WorkerProcess[] = [];
  const clients: ActantApp[] = [];

  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    for (const worker of workers) await kill(worker);
    rmSync(work, { recursive: true, force: true });
  });

  it("reconnects to the restarted owner: pending handles settle as recorded, each task finishes once", async () => {
    const data = join(work, "owner");
    const dir = join(work, "marks");
    mkdirSync(dir);
    const first = await startWorker(workerArgs(data, "/ip4/127.0.0.1/tcp/0/ws"));
    workers.push(first);
    const port = /\/tcp\/(\d+)\//.exec(first.address)![1];
    // Quick retries so the test sees the restart soon after it happens; the defaults ride out ~26 s.
    const client = new ActantApp("reconnect_test", {
      address: first.address,
      reconnect: { retries: 80, backoff: { initial: 50, max: 400 } },
    });
    clients.push(client);
    const { mark, markAfter, fail, Counter } = reconnectClient(client);

    // Done before the kill: answered from the log afterwards.
    assert.equal(await client.submit(mark.s(dir, "early", 0), { id: "early" }), "early");
    await assert.rejects(client.submit(fail.s(dir, "broken"), { id: "broken" }).get(), { name: "TaskError" });
    const counter = await client.createActor(Counter, { name: "c" });
    assert.equal(await counter.add(1), 1);

    // Running at the kill: re-run by the owner's recovery, re-attached by the client.
    const slow: RunHandle<string>[] = [];
    for (let i = 0; i < 3; i++) slow.push(client.submit(mark.s(dir, `slow-${i}`, 2_500), { id: `slow-${i}` }));
    const flow = client.submit(chain(mark.s(dir, "c1", 0), markAfter.s(dir, "c2", 2_500)), { id: "flow" });
    const interrupted = counter.slowAdd(100, 5_000).get();
    interrupted.catch(() => {});
    await untilWithin(
      () => [0, 1, 2].every((i) => marks(dir, `slow-${i}`, "started") === 1) && marks(dir, "c2", "started") === 1,
      "all slow tasks started",
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // their submissions reach the log (batched commit)

    await kill(first);
    await assert.rejects(interrupted, (error: Error & { code?: string; op?: string }) => {
      assert.equal(error.name, "RequestInterruptedError");
      assert.equal(error.code, "REQUEST_INTERRUPTED");
      assert.equal(error.op, "actor.call");
      assert.match(error.message, /slowAdd\(\)/);
      return true;
    });
    assert.equal(await slow[0].status(), "running", "a pending handle waits for the owner to come back");

    const second = await startWorker(workerArgs(data, `/ip4/127.0.0.1/tcp/${port}/ws`));
    workers.push(second);
    assert.equal(second.address, first.address, "same data dir: same peer id, same port");

    assert.deepEqual(await Promise.all(slow), ["slow-0", "slow-1", "slow-2"]);
    assert.equal(await flow, "c1+c2");
    for (const tag of ["slow-0", "slow-1", "slow-2", "c2"]) {
      assert.equal(marks(dir, tag, "finished"), 1, `${tag} finished once`);
      assert.equal(marks(dir, tag, "started"), 2, `${tag}: the attempt killed mid-run, and the owner's re-run`);
    }
    assert.equal(marks(dir, "c1", "started"), 1, "the chain resumed after its finished first node");

    // Submitting an id again returns the run: done before the restart (from the log), done after it.
    assert.equal(await client.submit(mark.s(dir, "ignored", 0), { id: "early" }), "early");
    assert.equal(await client.submit(mark.s(dir, "ignored", 0), { id: "slow-1" }), "slow-1");
    const failed = client.submit(mark.s(dir, "ignored", 0), { id: "broken" });
    await assert.rejects(failed.get(), (error: Error & { code?: string; cause?: Error }) => {
      assert.equal(error.name, "TaskError");
      assert.equal(error.cause?.name, "RangeError");
      return true;
    });
    assert.equal(await failed.status(), "failed");
    assert.equal(marks(dir, "ignored", "started"), 0, "the step given the second time never ran");
    assert.equal(marks(dir, "early", "started"), 1);
    assert.equal(marks(dir, "broken", "started"), 1);

    // The actor came back with its acknowledged state; the interrupted call was never applied.
    assert.equal(await counter.add(10), 11);
  });

  it("submitting an id the restarted owner is running returns that run, from another client too", async () => {
    const [owner] = workers.slice(-1);
    const dir = join(work, "marks");
    const other = new ActantApp("reconnect_test", { address: owner.address });
    clients.push(other);
    const client = clients[0]; // the client that rode out the restart
    const running = client.submit(signature<string>("mark", [dir, "late", 1_000]), { id: "late" });
    await untilWithin(() => marks(dir, "late", "started") === 1, "the late task started");
    const second = other.submit(signature<string>("mark", [dir, "ignored-late", 0]), { id: "late" });
    assert.equal(await second.status(), "running");
    assert.equal(await second, "late");
    assert.equal(await running, "late");
    assert.equal(await second.status(), "succeeded");
    assert.equal(marks(dir, "late", "finished"), 1);
    assert.equal(marks(dir, "ignored-late", "started"), 0);
  });

  it("a client whose owner never comes back fails with OwnerUnreachableError after its bounded retries", async () => {
    const dir = join(work, "gone");
    mkdirSync(dir);
    const worker = await startWorker(workerArgs(join(work, "gone-data"), "/ip4/127.0.0.1/tcp/0/ws"));
    workers.push(worker);
    const client = new ActantApp("reconnect_test", {
      address: worker.address,
      reconnect: { retries: 3, backoff: { initial: 20, max: 50 } },
    });
    clients.push(client);
    const { mark, Counter } = reconnectClient(client);
    const pending = client.submit(mark.s(dir, "lost", 5_000), { id: "lost" });
    // A second client on a manual clock: its backoff waits on that clock, and close() ends the wait.
    const clock = new ManualClock();
    const manual = new ActantApp("reconnect_test", { address: worker.address, clock });
    clients.push(manual);
    const waiting = manual.submit(signature<string>("mark", [dir, "manual", 5_000]), { id: "manual" });
    await untilWithin(
      () => marks(dir, "lost", "started") === 1 && marks(dir, "manual", "started") === 1,
      "the tasks started",
    );
    await kill(worker);
    await untilWithin(() => clock.pending === 1, "the manual client's backoff timer is armed on its clock");
    assert.equal(await waiting.status(), "running");
    await manual.close();
    await assert.rejects(waiting.get(), { name: "ChannelClosedError" });
    assert.equal(clock.pending, 0, "close() left no timer behind");
    const unreachable = (error: Error & { code?: string; attempts?: number; elapsedMs?: number; address?: string }) => {
      assert.equal(error.name, "OwnerUnreachableError");
      assert.equal(error.code, "OWNER_UNREACHABLE");
      assert.equal(error.attempts, 3);
      assert.equal(typeof error.elapsedMs, "number");
      assert.equal(error.address, worker.address);
      assert.match(error.message, /could not reach it again: 3 reconnection attempts over \d/);
      return true;
    };
    await assert.rejects(pending.get(), unreachable);
    assert.equal(await pending.status(), "failed");
    await assert.rejects(client.submit(mark.s(dir, "after", 0)).get(), unreachable);
    await assert.rejects(client.createActor(Counter), unreachable);
  });

  it("a p2p://<id> client finds its owner, back on another port, through a bootstrap member", async () => {
    const dir = join(work, "moved");
    mkdirSync(dir);
    const member = await startWorker(["--app", appModule, "--data", join(work, "member-data"), "--node-id", "member"]);
    workers.push(member);
    const ownerArgs = [
      "--app",
      appModule,
      "--data",
      join(work, "moved-data"),
      "--node-id",
      "owner",
      "--bootstrap",
      member.address,
    ];
    const first = await startWorker(ownerArgs); // the default listen address: port 0
    workers.push(first);
    const peerId = first.address.slice(first.address.indexOf("/p2p/") + 5);
    await waitForMembers([member.address], 2);
    const client = new ActantApp("reconnect_test", {
      address: `p2p://${peerId}`,
      bootstrap: [member.address],
      reconnect: { retries: 80, backoff: { initial: 50, max: 400 } },
    });
    clients.push(client);
    const pending = client.submit(signature<string>("mark", [dir, "moved", 2_000]), { id: "moved" });
    await untilWithin(() => marks(dir, "moved", "started") === 1, "the task started");
    await new Promise((resolve) => setTimeout(resolve, 200)); // its submission reaches the log (batched commit)
    await kill(first);
    const second = await startWorker(ownerArgs);
    workers.push(second);
    assert.notEqual(second.address, first.address, "port 0: the restarted owner listens elsewhere");
    assert.ok(second.address.endsWith(`/p2p/${peerId}`), "same data dir: same peer id");
    assert.equal(await pending, "moved");
    assert.equal(await client.submit(signature<string>("mark", [dir, "ignored-moved", 0]), { id: "moved" }), "moved");
    assert.equal(marks(dir, "ignored-moved", "started"), 0);
    // The attempt may have run on the member, which finishes it even with its owner gone: at least once.
    assert.ok(marks(dir, "moved", "finished") >= 1);
  });
});
