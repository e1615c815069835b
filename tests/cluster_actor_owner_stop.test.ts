// Actor calls through an owner that stops (SIGSTOP) and resumes (SIGCONT), with real worker
// processes: an owner, a member hosting its actor, and a client making a bounded stream of calls.
// While the owner is stopped its member takes it as gone, and once it resumes it takes the member
// as gone (their heartbeats stopped for longer than --fail-after-ms) and moves the actor to itself,
// with calls in flight on both sides. Every acknowledged call must be in the actor's state exactly
// once, in order, and so again after the owner is SIGKILLed and restarted on its log.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import process from "node:process";
import { ActantApp } from "../mod.ts";
import { startWorker, type WorkerProcess } from "./support/actant_cli.ts";
import { waitForMembers } from "./support/cluster.ts";

const appModule = new URL("./fixtures/ledger_app.ts", import.meta.url).pathname;
/** Membership fast enough that a stop of a few seconds is a loss on both sides. */
const MEMBERSHIP = ["--heartbeat-ms", "200", "--fail-after-ms", "1000"];
/** How long the owner stays stopped: well past --fail-after-ms. */
const STOPPED_MS = 3_000;
const CALLS = 400;
const IN_FLIGHT = 8;
/** The call after which the owner is stopped. */
const STOP_AT = 120;
/** A bound against hangs, never a timing check. */
const CALL_BOUND_MS = 60_000;

function ledgerShape(app: ActantApp) {
  return app.actor(
    "Ledger",
    class {
      append(_item: string): number {
        return 0;
      }
      list(): string[] {
        return [];
      }
      host(): number {
        return 0;
      }
    },
  );
}

/**
 * Sends `name` to the worker's own process. `process.kill`, not `child.kill`: after a SIGSTOP,
 * Deno's and Bun's `child.kill` send nothing more (checked: SIGCONT returned false, the child stayed stopped).
 */
function signal(worker: WorkerProcess, name: "SIGSTOP" | "SIGCONT" | "SIGKILL"): void {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  try {
    process.kill(worker.child.pid!, name);
  } catch {
    // Already gone.
  }
}

/**
 * `state` holds every acknowledged call once, in the order they were made, nothing twice, and
 * nothing that was not sent (an unacknowledged call may be there, once).
 */
function assertOnce(state: string[], sent: string[], acked: string[]): void {
  const known = new Set(sent);
  assert.deepEqual(state.filter((item) => !known.has(item)), [], "only items that were sent");
  assert.deepEqual(state.filter((item, i) => state.indexOf(item) !== i), [], "no item twice");
  const ackedSet = new Set(acked);
  assert.deepEqual(state.filter((item) => ackedSet.has(item)), acked, "every acknowledged call once, in order");
}

describe("actor calls through an owner stopped and resumed (real processes)", { timeout: 120_000 }, () => {
  it("every acknowledged call is in the state once, in order, also after the owner restarts on its log", async () => {
    const work = mkdtempSync(join(tmpdir(), "actant-owner-stop-"));
    const workers: WorkerProcess[] = [];
    let client: ActantApp | undefined;
    try {
      const ownerArgs = ["--app", appModule, "--data", join(work, "owner"), "--node-id", "owner", ...MEMBERSHIP];
      const owner = await startWorker(ownerArgs);
      workers.push(owner);
      const member = await startWorker([
        "--app",
        appModule,
        "--data",
        join(work, "member"),
        "--node-id",
        "member",
        "--bootstrap",
        owner.address,
        ...MEMBERSHIP,
      ]);
      workers.push(member);
      await waitForMembers([owner.address, member.address], 2);
      client = new ActantApp("ledger_test", { address: owner.address });
      let ledger = await client.createActor(ledgerShape(client), { name: "ledger" });
      assert.equal(await ledger.host(), member.child.pid, "the owner placed the actor on its member");

      // The stream: up to IN_FLIGHT calls at once; the owner is stopped after STOP_AT of them. A
      // client whose connection to the owner broke meanwhile connects again (its failed calls
      // are unacknowledged: they may or may not have happened).
      const items = Array.from({ length: CALLS }, (_, i) => `a0-${i}`);
      const outcomes: Array<Promise<number>> = [];
      const inFlight = new Set<Promise<unknown>>();
      let resumed: Promise<void> | undefined;
      let reconnecting: Promise<void> | undefined;
      const reconnect = () =>
        reconnecting ??= (async () => {
          await resumed; // no use dialling a stopped process
          await client?.close().catch(() => {});
          for (let attempt = 1;; attempt++) {
            client = new ActantApp("ledger_test", { address: owner.address });
            try {
              ledger = await client.getActor(ledgerShape(client), "ledger");
              break;
            } catch (error) {
              await client.close().catch(() => {});
              if (attempt === 10) throw error;
              await new Promise((resolve) => setTimeout(resolve, 200));
            }
          }
          reconnecting = undefined;
        })();
      for (const item of items) {
        if (outcomes.length === STOP_AT) {
          signal(owner, "SIGSTOP");
          resumed = new Promise((resolve) => setTimeout(resolve, STOPPED_MS)).then(() => signal(owner, "SIGCONT"));
        }
        while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
        await reconnecting;
        const outcome = ledger.append(item).get({ timeout: CALL_BOUND_MS });
        outcomes.push(outcome);
        const settled = outcome.then(() => {}, (error: Error) => {
          if (error.name === "ChannelClosedError") return reconnect();
        }).finally(() => inFlight.delete(settled));
        inFlight.add(settled);
      }
      await resumed;
      const results = await Promise.allSettled(outcomes);
      await reconnecting;
      const acked = items.filter((_, i) => results[i].status === "fulfilled");
      const refused = results.flatMap((result, i) => {
        const name = result.status === "rejected" ? (result.reason as Error).name : undefined;
        // A call in flight when the client's connection broke: unacknowledged (the client reconnects by itself).
        const interrupted = name === "ChannelClosedError" || name === "RequestInterruptedError";
        return name === undefined || interrupted ? [] : [`${items[i]}: ${name}`];
      });
      assert.deepEqual(refused, [], "no call failed but for a client connection that broke");
      assert.equal(results.at(-1)?.status, "fulfilled", "the actor took calls after the owner resumed");

      assert.match(member.output(), /member left: \S+ \(\S+, no heartbeat/, "the member took its owner as gone");
      assert.equal(await ledger.host(), owner.child.pid, "the actor moved to the owner");
      const state = await ledger.list();
      assertOnce(state, items, acked);
      await client.close();
      client = undefined;

      // The owner killed and restarted on its data: the log gives the same state.
      signal(owner, "SIGKILL");
      await new Promise((resolve) => owner.child.once("exit", resolve));
      workers.splice(workers.indexOf(owner), 1);
      const restarted = await startWorker([...ownerArgs, "--bootstrap", member.address]);
      workers.push(restarted);
      client = new ActantApp("ledger_test", { address: restarted.address });
      const back = await client.getActor(ledgerShape(client), "ledger");
      assert.deepEqual(await back.list(), state, "the log gives the state the actor had");
    } catch (error) {
      // What the workers logged (members joining and leaving) is what explains a failure here.
      for (const worker of workers) console.error(worker.output());
      throw error;
    } finally {
      await client?.close();
      for (const worker of workers) {
        signal(worker, "SIGCONT");
        signal(worker, "SIGKILL");
      }
      await Promise.all(
        workers.map((worker) =>
          worker.child.exitCode !== null || worker.child.signalCode !== null
            ? undefined
            : new Promise((resolve) => worker.child.once("exit", resolve))
        ),
      );
      rmSync(work, { recursive: true, force: true });
    }
  });
});
