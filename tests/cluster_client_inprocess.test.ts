// The client protocol in process: a RemoteClient over a message pipe to the serve loop of a local
// app (in memory, concurrency 1), as a worker serves it. A pending run's status is its owner's
// word ("queued" behind another, then "running"), an answered one is how it ended, and a status
// asked for a run the channel does not hold is refused without harm.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type RunnableStep, signature } from "../mod.ts";
import { LocalEngine } from "../src/app/local_engine.ts";
import { type ClientMessage, RemoteClient, serveClient, type WorkerMessage } from "../src/cluster/mod.ts";
import { systemClock } from "../src/common/mod.ts";
import { messagePipe } from "../src/net/mod.ts";
import { compile } from "../src/workflow/mod.ts";
import { gate } from "./support/async.ts";

describe("the client protocol over a message pipe", () => {
  const owner = new LocalEngine("inprocess_client", { durability: "memory", concurrency: 1 });
  const release = gate();
  owner.registerTask("wait", async (label: string) => {
    await release.promise;
    return label;
  });
  const [clientEnd, ownerEnd] = messagePipe<ClientMessage, WorkerMessage>();
  const served = serveClient(ownerEnd, {
    submitGraph: (graph, options) => owner.submitGraph(graph, options.id),
    submitTask: (task, args, options) => owner.submitTask(task, args, options.id),
  });
  /** The graph a client sends for `step`, compiled as a client compiles it. */
  const graph = (step: RunnableStep<unknown>) => compile(step, (name) => ({ name, options: {} }));
  let client: RemoteClient;

  after(async () => {
    await client?.close();
    await served.done;
    await owner.close();
  });

  it("reports a pending run as its owner sees it, and an answered one as it ended", async () => {
    await owner.start();
    client = await RemoteClient.connect({
      address: "in-process",
      dial: () => Promise.resolve(clientEnd),
      clock: systemClock,
    });
    const first = client.submit<string>("first", graph(signature("wait", ["a"])));
    const second = client.submit<string>("second", graph(signature("wait", ["b"])));
    assert.equal(await first.status(), "running");
    assert.equal(await second.status(), "queued", "concurrency 1: the second waits for the first");
    release.open();
    assert.deepEqual([await first, await second], ["a", "b"]);
    assert.deepEqual([await first.status(), await second.status()], ["succeeded", "succeeded"]);
  });

  it("refuses a status request for a run the channel does not hold, and goes on serving", async () => {
    await assert.rejects(client.request({ op: "status", run: "nobody" }), {
      name: "TypeError",
      message: /no run "nobody"/,
    });
    await assert.rejects(client.request({ op: "status", run: 5 as unknown as string }), { name: "TypeError" });
    const third = client.submit<string>("third", graph(signature("wait", ["c"])));
    assert.equal(await third, "c");
    // Answered: the channel no longer holds it (the client knows how it ended).
    await assert.rejects(client.request({ op: "status", run: "third" }), { name: "TypeError" });
    assert.equal(await third.status(), "succeeded");
  });
});
