// One member's concurrency is one budget: the attempts another owner places on it and the runs it
// submits itself share its slots, so together they never run more than its `concurrency`, and
// its status row counts both. Two apps in one process over real libp2p connections on 127.0.0.1;
// concurrency is observed through a counter in the task and the member's report, never timing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActantApp, signature } from "../mod.ts";
import type { ClusterMember } from "../src/cluster/mod.ts";
import { until } from "./support/async.ts";

describe("remote and local attempts on one member", { timeout: 60_000 }, () => {
  let owner: ActantApp;
  let worker: ActantApp;
  let ownerMember: ClusterMember;
  let workerMember: ClusterMember;
  const live = { now: 0, peak: 0 };
  const started: string[] = [];
  const gates = new Map<string, () => void>();

  before(async () => {
    owner = new ActantApp("slots", { durability: "memory" });
    worker = new ActantApp("slots", { durability: "memory" });
    // Only the worker registers it: the owner places every attempt of its runs there.
    worker.task("slotted", async (label: string) => {
      started.push(label);
      live.peak = Math.max(live.peak, ++live.now);
      try {
        await new Promise<void>((resolve) => gates.set(label, resolve));
        return label;
      } finally {
        live.now--;
      }
    });
    ownerMember = await owner.join({ heartbeatMs: 200 });
    workerMember = await worker.join({ bootstrap: ownerMember.node.addresses(), concurrency: 2, heartbeatMs: 200 });
    await until(
      () => ownerMember.membership.members().length === 1 && workerMember.membership.members().length === 1,
      "they know each other",
    );
    await until(() => ownerMember.membership.members()[0].announcement.concurrency === 2, "the owner sees its room");
  });

  after(async () => {
    await owner?.close();
    await worker?.close();
  });

  it("never runs more than its concurrency, and its status counts both kinds", async () => {
    const placed = Array.from({ length: 4 }, (_, i) => owner.submit(signature<string>("slotted", [`placed-${i}`])));
    const local = Array.from({ length: 4 }, (_, i) => worker.submit(signature<string>("slotted", [`local-${i}`])));
    await until(() => live.now === 2, "the worker's two slots are taken");
    // The owner has at most the worker's concurrency in flight there: its row holds those two too.
    await until(() => {
      const { running, queued } = workerMember.report().tasks;
      return running === 2 && queued === 4;
    }, "the worker counts its own four runs and the two attempts placed on it");
    const finished = new Set<string>();
    while (finished.size < 8) {
      const report = workerMember.report().tasks;
      assert.ok(report.running <= 2, `the worker runs ${report.running} attempts`);
      assert.ok(live.now <= 2, `${live.now} attempts run at once`);
      const next = started.find((label) => !finished.has(label) && gates.has(label));
      if (next === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      finished.add(next);
      gates.get(next)!();
      await until(() => started.length > finished.size || finished.size === 8 || live.now < 2, "the slot is taken on");
    }
    assert.deepEqual(await Promise.all(placed), [0, 1, 2, 3].map((i) => `placed-${i}`));
    assert.deepEqual(await Promise.all(local), [0, 1, 2, 3].map((i) => `local-${i}`));
    assert.equal(live.peak, 2);
    await until(() => workerMember.report().tasks.running === 0, "the worker is idle");
    const row = workerMember.report().tasks;
    assert.deepEqual({ queued: row.queued, running: row.running }, { queued: 0, running: 0 });
    // Its own four runs and the four attempts placed on it.
    assert.equal(row.succeeded, 8);
  });
});
