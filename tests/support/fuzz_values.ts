// Values for the protocol fuzz tests: step builders, the graphs a client sends for them, and random
// JSON, codec-like values, steps, client messages and actor owners' messages, mostly almost right.
// (Not a test file: no runner picks it up.)
import { encode } from "../../src/common/mod.ts";
import type { AnyStep } from "../../src/task/mod.ts";
import { compile } from "../../src/workflow/mod.ts";
import type { Random } from "./random.ts";

/** The step `add(a, b)`. */
export function addStep(a: unknown, b: unknown): unknown {
  return { kind: "task", task: "add", args: [a, b], immutable: false };
}

/** A task step, any field possibly wrong; `extra` fields are merged in. */
export function taskStep(name: unknown, args: unknown, extra: object = {}): unknown {
  return { kind: "task", task: name, args, immutable: false, ...extra };
}

/**
 * What a client sends for `step`: its compiled graph, every task name taken as known (the owner
 * judges names and arguments). A step that does not compile (a wrong kind, a missing part) goes
 * as it is, where the graph should be: the owner must refuse that too.
 */
export function asGraph(step: unknown): unknown {
  try {
    return compile(step as AnyStep, (name) => ({ name, options: {} }));
  } catch {
    return step;
  }
}

/**
 * A graph of one task node as a client could send it, with `args` as given (an encoded list when
 * it is right) and `extra` fields merged into the node: for what `compile` would never make.
 */
export function taskGraph(task: unknown, args: unknown, extra: object = {}): unknown {
  const node = { id: "n0", kind: "task", task, args, immutable: false, receivesInput: false, deps: [], ...extra };
  return { root: "n0", nodes: { n0: node } };
}

/** The client protocol's submission of `step` under `id`. */
export function submitMessage(id: unknown, step: unknown): unknown {
  return { op: "submit", id, graph: asGraph(step) };
}

/** Random JSON, nested at most `depth` deep. */
export function randomJson(random: Random, depth: number): unknown {
  switch (random.int(depth > 0 ? 8 : 5)) {
    case 0:
      return null;
    case 1:
      return random.pick([0, 1, -1, 2.5, 1e300, -0.0001, 2 ** 53]);
    case 2:
      return random.pick(["", "submit", "status", "cancel", "batch", "__proto__", "task", "é😀", "\u0000"]);
    case 3:
      return random.int(2) === 0;
    case 4:
      return random.pick(["add", "nope", "chain", "loop"]);
    case 5:
      return Array.from({ length: random.int(4) }, () => randomJson(random, depth - 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = random.int(4); i > 0; i--) {
        out[random.pick(["op", "id", "step", "kind", "args", "t", "v", "json", "meta", "x"])] = randomJson(
          random,
          depth - 1,
        );
      }
      return out;
    }
  }
}

/** JSON shaped like a codec value (`{ t, v }`, superjson's `{ json, meta }` inside), often almost right. */
export function randomEncodedLike(random: Random): unknown {
  const metaValues = () =>
    random.pick<unknown>([
      { "": ["Date"] },
      { "0": ["bigint"] },
      { a: ["map"] },
      { "a.b": [["custom", "Nope"]] },
      { "__proto__.polluted": ["Date"] },
      { "constructor.prototype.polluted": ["set"] },
      ["undefined"],
      { a: ["regexp"] },
      { a: [["class", "Nope"]] },
      { a: ["symbol"] },
      5,
    ]);
  switch (random.int(6)) {
    case 0:
      return { t: "p", v: randomJson(random, 1) };
    case 1:
      return { t: "a", v: random.pick<unknown>([[1, "a", null], [{}], "x", null]) };
    case 2:
      return { t: "s", v: { json: randomJson(random, 2), meta: { values: metaValues() } } };
    case 3:
      return {
        t: "s",
        v: {
          json: { a: { b: 1 } },
          meta: {
            referentialEqualities: random.pick<unknown>([{ a: ["a.b"] }, { "": ["a"] }, { a: ["__proto__"] }, ["a", [
              "b",
            ]], 5]),
          },
        },
      };
    case 4:
      return { t: random.pick(["x", "", 5, null]), v: 1 };
    default:
      return randomJson(random, 3);
  }
}

const TASK_NAMES = ["add", "add", "fail", "distinct", "fetch", "analyze", "report", "nope", "", 7];

/** A random step: mostly well-formed, often wrong somewhere (never one that runs long). */
export function randomStep(random: Random, depth: number): unknown {
  const leaf = () => {
    const name = random.pick(TASK_NAMES);
    const args = random.pick<unknown>([[1, 2], [1], [], ["a", "b"], [[1, 2, 2]], "ab", null, 5]);
    return random.int(8) === 0
      ? { kind: "task", task: name }
      : taskStep(name, args, { immutable: random.int(4) === 0 });
  };
  if (depth === 0 || random.int(3) === 0) return random.int(12) === 0 ? random.pick([null, 5, "add", [], {}]) : leaf();
  const child = () => randomStep(random, depth - 1);
  // Loops get few rounds (or a bad count): any up to 1,000,000 is valid, and would keep the worker busy.
  const rounds = () => random.pick<unknown>([1, 2, 3, 0, 2.5, "x", undefined]);
  switch (random.int(8)) {
    case 0:
      return { kind: "chain", steps: Array.from({ length: random.int(4) }, child) };
    case 1:
      return { kind: "group", members: Array.from({ length: random.int(4) }, child) };
    case 2:
      return {
        kind: "chord",
        header: Array.from({ length: random.int(3) }, child),
        callback: random.int(5) === 0 ? undefined : child(),
      };
    case 3:
      return {
        kind: "branch",
        condition: child(),
        ifTrue: child(),
        ...(random.int(2) === 0 ? { ifFalse: child() } : {}),
      };
    case 4:
      return { kind: "map", body: child() };
    case 5:
      return {
        kind: "loop",
        body: child(),
        maxIterations: rounds(),
        ...(random.int(2) === 0 ? { until: child() } : {}),
      };
    case 6:
      return {
        kind: "chain",
        steps: [
          leaf(),
          random.int(2) === 0
            ? { kind: "map", body: child() }
            : { kind: "loop", body: child(), maxIterations: rounds() },
        ],
      };
    default:
      return { kind: random.pick(["", "tasks", "Chain", "graph"]) };
  }
}

/** A random client message around `id`. */
export function randomMessage(random: Random, id: string): unknown {
  switch (random.int(10)) {
    case 0:
      return { op: "cancel", id: random.int(2) === 0 ? id : "never-submitted" };
    case 1:
      return { op: random.pick(["", "Submit", "submit ", "actor.", "batch2", "done"]), id };
    case 2:
      return {
        op: random.pick(["actor.get", "actor.stop", "actor.call", "actor.create"]),
        id,
        cls: random.pick(["Counter", "Nope", 5, ""]),
        actor: random.pick(["a-x", 5, null, ""]),
        name: random.pick(["n", 5, "", undefined]),
        method: random.pick(["add", "nope", "__proto__", ""]),
        args: random.pick<unknown>([encode([1]), null, { t: "x" }]),
      };
    default:
      return submitMessage(id, randomStep(random, 3));
  }
}

/** An entry of an actor's history (a logged call), as an owner sends it to create the actor anew. */
export function historyEntry(n: number, method: string, args: unknown[]): unknown {
  return { n, method, args: encode(args) };
}

const OWNER_KEYS: unknown[] = ["7", null, undefined, { k: 1 }, [1], true];
const ACTOR_ARGS: unknown[] = [
  encode([1]),
  encode([2]),
  encode([]),
  encode(["x"]),
  encode(5),
  encode({ length: 1 }),
  null,
  { t: "a", v: 5 },
  { t: "x", v: 1 },
  5,
];

/** A random history to create an actor from (the fixture's Counter): often almost right. */
function randomHistory(random: Random): unknown {
  const entry = () =>
    random.pick<unknown>([
      historyEntry(1 + random.int(5), "add", [random.int(5)]),
      { n: 1 + random.int(5), restart: true },
      historyEntry(2, "nope", []),
      historyEntry(3, "slowAdd", [1, random.int(10)]),
      null,
      { n: "x" },
    ]);
  const state = random.pick<unknown>([encode({ total: 3 }), encode(5), { t: "s", v: null }, randomEncodedLike(random)]);
  return random.pick<unknown>([
    { entries: Array.from({ length: random.int(4) }, entry) },
    { checkpoint: { n: random.int(4), state }, entries: [entry()] },
    { entries: 5 },
    null,
    {},
  ]);
}

/**
 * A random message of an actor's owner to its host, under `key` (now and then a key that is not
 * a number), about one of `ids`: mostly well formed, often wrong somewhere. Without `creates`,
 * never a create (one that fails leaves a record for the owner to acknowledge). Never one that
 * runs long: `slowAdd` waits at most 20 ms.
 */
export function randomOwnerMessage(random: Random, options: { key: number; ids: string[]; creates: boolean }): unknown {
  const key = random.int(10) === 0 ? random.pick(OWNER_KEYS) : options.key;
  const actorId = random.int(8) === 0 ? random.pick<unknown>(["", 5, null, "nobody"]) : random.pick(options.ids);
  const kind = random.int(10);
  if (kind < 2 && options.creates) {
    const cls = random.pick<unknown>(["Counter", "Counter", "ModelRegistry", "Nope", 5]);
    return {
      op: "create",
      key,
      actorId,
      cls,
      args: random.pick(ACTOR_ARGS),
      ...(random.int(3) === 0 ? { recovered: randomHistory(random) } : {}),
    };
  }
  if (kind < 6) {
    const method = random.pick<unknown>([
      "add",
      "add",
      "add",
      "slowAdd",
      "host",
      "register",
      "list",
      "nope",
      "constructor",
      "__proto__",
      5,
    ]);
    const args = method === "slowAdd"
      ? encode([1, random.int(20)])
      : random.int(2) === 0
      ? encode([random.int(9)])
      : random.pick(ACTOR_ARGS);
    return { op: "call", key, actorId, method, args };
  }
  if (kind === 6) return { op: "stop", key, actorId, drain: random.pick<unknown>([true, false, "x"]) };
  if (kind === 7) return { op: "ack", seq: random.pick<unknown>([random.int(40), -1, "1", null]) };
  if (kind === 8) {
    return { op: random.pick<unknown>(["", "Create", "call ", "record", "done", "batch", 5, null]), key, actorId };
  }
  return randomJson(random, 2);
}
