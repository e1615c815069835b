// One app joined as a cluster member in this process, a client of it, and a local app: the same
// mistakes give the same error class, name, code, fields and cause in all three, and a result goes
// from the owner to the client as the run encoded it (the owner never decodes it on the way).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ActantApp,
  ActorNameTakenError,
  chain,
  NonRetryableError,
  registerClass,
  signature,
  TaskError,
  UnknownTaskError,
  WorkflowError,
} from "../mod.ts";
import { rejection, thrown } from "./support/errors.ts";

/** How many times the codec revived a `Tally`: each decode of one counts, encoding does not. */
let revivals = 0;

class Tally {
  // An own data property: constructing one never reaches the prototype's setter below.
  n = 0;
  constructor(n: number) {
    this.n = n;
  }
}
// superjson revives a registered class with Object.assign onto its prototype, which calls this.
Object.defineProperty(Tally.prototype, "n", {
  configurable: true,
  set(this: Tally, value: number) {
    revivals++;
    Object.defineProperty(this, "n", { value, writable: true, enumerable: true, configurable: true });
  },
});
registerClass(Tally, "tests.cluster_same_errors.Tally");

const TASKS = ["double", "refuse", "tally"];

/** Registers the tasks (unless `app` is the client, which knows them only by name) and the actor class. */
function register(app: ActantApp, tasks = true) {
  if (tasks) {
    app.task("double", (n: number) => n * 2);
    app.task("tally", (n: number) => new Tally(n));
    app.task("refuse", (n: number) => {
      throw new NonRetryableError(`refused ${n}`);
    });
  }
  return app.actor(
    "Counter",
    class {
      count = 0;
      add(n: number): number {
        this.count += n;
        return this.count;
      }
    },
  );
}

describe("the same errors in local mode, on a cluster member and from its client", { timeout: 60_000 }, () => {
  let local: ActantApp;
  let member: ActantApp;
  let client: ActantApp;
  let counters: Record<"local" | "member" | "client", ReturnType<typeof register>>;

  before(async () => {
    local = new ActantApp("same_errors", { durability: "memory" });
    member = new ActantApp("same_errors", { durability: "memory" });
    const joined = await member.join({ heartbeatMs: 200 });
    client = new ActantApp("same_errors", { address: joined.node.addresses()[0] });
    // A client registers the class only to type its proxies (the owner runs the member's), and no
    // tasks: what it learns of them comes from the owner.
    counters = { local: register(local), member: register(member), client: register(client, false) };
  });

  after(async () => {
    await client?.close();
    await member?.close();
    await local?.close();
  });

  it("a taken actor name is ActorNameTakenError (ACTOR_NAME_TAKEN) in all three modes", async () => {
    const taken = (error: Error & { code?: string }) =>
      error instanceof ActorNameTakenError && error.name === "ActorNameTakenError" && error.code === "ACTOR_NAME_TAKEN";
    for (
      const [mode, app, Counter] of [["local", local, counters.local], ["member", member, counters.member], [
        "client",
        client,
        counters.client,
      ]] as const
    ) {
      const first = await app.createActor(Counter, { name: `${mode}-one` });
      assert.equal(await first.add(2), 2, mode);
      await assert.rejects(app.createActor(Counter, { name: `${mode}-one` }), taken, mode);
    }
    // A name the member took for an actor of its own, asked for by its client.
    await assert.rejects(client.createActor(counters.client, { name: "member-one" }), taken);
  });

  it("UnknownTaskError lists the known names in `known`, locally, on the member and from its client", async () => {
    const check = (error: Error, where: string) => {
      assert.ok(error instanceof UnknownTaskError, `${where}: ${error.name} is an UnknownTaskError`);
      assert.equal(error.name, "UnknownTaskError", where);
      assert.equal((error as Error & { code?: string }).code, "UNKNOWN_TASK", where);
      assert.equal((error as Error & { task?: string }).task, "nowhere", where);
      const known = (error as Error & { known?: unknown }).known;
      assert.ok(Array.isArray(known), `${where}: known is ${String(known)}`);
      assert.deepEqual([...known].sort(), TASKS, where);
    };
    check(thrown(() => local.submit(signature("nowhere", []))), "local");
    check(thrown(() => member.submit(signature("nowhere", []))), "member");
    check(await rejection(client.submit(signature("nowhere", [])).get()), "client");
  });

  it("a task's and a workflow's failure are the same classes, fields and causes in all three modes", async () => {
    for (const [mode, app] of Object.entries({ local, member, client })) {
      const id = `refuse-${mode}`;
      const task = await rejection(app.submit(signature<number>("refuse", [1]), { id }));
      assert.ok(task instanceof TaskError, `${mode}: ${task.name} is a TaskError`);
      assert.ok(task.cause instanceof NonRetryableError, `${mode}: its cause is a NonRetryableError`);
      assert.deepEqual(
        { code: task.code, task: task.task, taskId: task.taskId, attempts: task.attempts, message: task.message },
        {
          code: "TASK_FAILED",
          task: "refuse",
          taskId: id,
          attempts: 1,
          message: `Task "refuse" (${id}) failed after 1 attempt: NonRetryableError: refused 1`,
        },
        mode,
      );
      assert.deepEqual([task.cause.code, task.cause.message], ["NON_RETRYABLE", "refused 1"], mode);

      const workflow = await rejection(app.submit(chain(signature<number>("double", [1]), signature("refuse"))));
      assert.ok(workflow instanceof WorkflowError, `${mode}: ${workflow.name} is a WorkflowError`);
      assert.ok(workflow.cause instanceof NonRetryableError, `${mode}: its cause is a NonRetryableError`);
      assert.deepEqual(
        [workflow.code, workflow.node, workflow.task, workflow.attempts, workflow.cause.message],
        ["WORKFLOW_FAILED", "n2", "refuse", 1, "refused 2"],
        mode,
      );
    }
  });

  it("a result reaches the client equal, decoded once: by the client, never by the owner", async () => {
    revivals = 0;
    const value = await client.submit(signature<Tally>("tally", [3]));
    assert.ok(value instanceof Tally);
    assert.deepEqual(value, new Tally(3));
    assert.equal(revivals, 1, "one decode for one task result");

    revivals = 0;
    const workflow = await client.submit(chain(signature<number>("double", [2]), signature<Tally>("tally")));
    assert.deepEqual(workflow, new Tally(4));
    assert.equal(revivals, 1, "one decode for one workflow result");

    // Submitted again under its id, the owner answers from the run it holds.
    revivals = 0;
    const first = await client.submit(signature<Tally>("tally", [5]), { id: "tally-5" });
    const again = await client.submit(signature<Tally>("tally", [5]), { id: "tally-5" });
    assert.deepEqual([first, again], [new Tally(5), new Tally(5)]);
    assert.equal(revivals, 2, "one decode per answer");
  });
});
