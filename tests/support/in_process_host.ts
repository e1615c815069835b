// The actor hosting and attempt protocols served in this process, over in-process pipes, by a
// real actor system (the fixture app's Counter) and a real attempt runner (its `add` and `where`):
// what the protocol fuzz runs against without a worker.
// (Not a test file: no runner picks it up.)
import { ActorSystem } from "../../src/actor/mod.ts";
import process from "node:process";
import {
  type ExecReply,
  type ExecRequest,
  type HostMessage,
  type OwnerMessage,
  serveActorOwner,
  serveAttempts,
} from "../../src/cluster/mod.ts";
import { IdGenerator, systemClock } from "../../src/common/mod.ts";
import { messagePipe, type PipeEnd } from "../../src/net/mod.ts";
import { AttemptRunner, TaskRegistry, WorkerSlots } from "../../src/task/mod.ts";
import { Counter, COUNTER_OPTIONS } from "../fixtures/counter.ts";
import type { HostTarget, OwnerEnd } from "./fuzz_owner.ts";

/** Hosts actors for owners in this process: every owner end is a new pipe served by one actor system. */
export class InProcessHost implements HostTarget {
  readonly #system = new ActorSystem(systemClock, new IdGenerator());
  #failure: unknown;

  constructor() {
    this.#system.define("Counter", Counter, COUNTER_OPTIONS);
  }

  openOwner(): Promise<OwnerEnd> {
    const [owner, host] = messagePipe<OwnerMessage, HostMessage>();
    serveActorOwner(host, this.#system).catch((error) => void (this.#failure ??= error));
    return Promise.resolve(owner as unknown as OwnerEnd);
  }

  /** The serve loop never rejects: a failure there is a bug, as a dead worker would be. */
  assertAlive(what: string): void {
    if (this.#failure !== undefined) throw new Error(`${what}: the serve loop failed`, { cause: this.#failure });
  }
}

/** What serves the attempt protocol to the fuzz: a worker process, or a runner in this process. */
export interface AttemptTarget {
  /** A new owner's end of the attempt protocol. */
  openAttempts(): Promise<PipeEnd<unknown, unknown>>;
  /** Throws when the peer is dead (or its serve loop failed). */
  assertAlive(what: string): void;
  /** The pid of the process that runs the attempts (what the fixture's `where` answers). */
  readonly pid: number | undefined;
}

/** Runs attempts placed by owners in this process: the fixture's `add` and `where`, in 8 slots. */
export class InProcessAttempts implements AttemptTarget {
  readonly pid: number = process.pid;
  readonly #runner: AttemptRunner;
  #failure: unknown;

  constructor() {
    const registry = new TaskRegistry();
    registry.register("add", (a: number, b: number) => a + b);
    registry.register("where", async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return process.pid;
    });
    this.#runner = new AttemptRunner(registry, new WorkerSlots(8));
  }

  openAttempts(): Promise<PipeEnd<unknown, unknown>> {
    const [owner, peer] = messagePipe<ExecRequest, ExecReply>();
    serveAttempts(peer, this.#runner, "in-process-owner").done.catch((error) => void (this.#failure ??= error));
    return Promise.resolve(owner as unknown as PipeEnd<unknown, unknown>);
  }

  assertAlive(what: string): void {
    if (this.#failure !== undefined) throw new Error(`${what}: the serve loop failed`, { cause: this.#failure });
  }
}
