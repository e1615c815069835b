// The actor hosting protocol served in this process, over an in-process pipe, by a real actor
// system with the fixture app's Counter: what the hosting fuzz runs against without a worker.
// (Not a test file: no runner picks it up.)
import { ActorSystem } from "../../src/actor/mod.ts";
import { type HostMessage, type OwnerMessage, serveActorOwner } from "../../src/cluster/mod.ts";
import { IdGenerator, systemClock } from "../../src/common/mod.ts";
import { messagePipe } from "../../src/net/mod.ts";
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
