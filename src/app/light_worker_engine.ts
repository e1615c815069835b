/**
 * Light worker mode (`{ address, worker: true }`): a client of the worker at `address` (it owns
 * and logs what this app submits) that is also a light member of its cluster: once connected, it
 * runs the attempts and hosts the actors servers place on it, within its `concurrency`, over the
 * same connection. It keeps nothing (durability `"memory"`). The cluster code loads at `start()`.
 *
 * @module
 */
import { ActorSystem } from "../actor/mod.ts";
import type { ActorClass, ActorDefinition, ActorOptions, ActorRef, CreateActorArgs } from "../actor/mod.ts";
import type { ClusterMember, LightMember } from "../cluster/mod.ts";
import type { ConnectionInfo } from "../net/mod.ts";
import { type Clock, type DataDirError, IdGenerator, systemClock } from "../common/mod.ts";
import { type RunHandle, type RunnableStep, Scheduler, type TaskFunction, type TaskOptions } from "../task/mod.ts";
import type { TaskDefinition } from "../task/mod.ts";
import type { WorkflowGraph } from "../workflow/mod.ts";
import type { LightWorkerAppOptions } from "./app_options.ts";
import { ClientEngine } from "./client_engine.ts";
import type { AppEngine, AppStats } from "./engine.ts";
import { positive } from "./options.ts";
import type { ObjectStore } from "../objects/mod.ts";
import { objectsLocalOnly } from "./object_values.ts";
import { onPageLeaving } from "../runtime/mod.ts";

/** Default concurrency of a light worker: a tab shares its one thread with its page. */
export const DEFAULT_LIGHT_CONCURRENCY = 4;
/** How long a light worker that runs WebRTC waits at start for a relay to take its reservation. */
export const WEBRTC_RESERVATION_MS = 10_000;

/** The engine of an app built with `{ address, worker: true }`. */
export class LightWorkerEngine implements AppEngine {
  readonly durability = "memory" as const;
  readonly #name: string;
  readonly #client: ClientEngine;
  readonly #clock: Clock;
  /** Only its slots are used: this app's own submissions go to its server. */
  readonly #scheduler: Scheduler;
  /** The actors servers place here. */
  readonly #actors: ActorSystem;
  readonly #webrtc: boolean;
  readonly #warn: (message: string) => void;
  #member: Promise<LightMember> | undefined;
  #stopLifecycle: () => void = () => {};
  #closed = false;

  constructor(name: string, options: LightWorkerAppOptions) {
    this.#name = name;
    const { worker: _worker, concurrency, ...client } = options;
    this.#client = new ClientEngine(name, client, { pubsub: true });
    this.#clock = options.clock ?? systemClock;
    this.#webrtc = options.webrtc !== undefined;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    const ids = new IdGenerator();
    this.#scheduler = new Scheduler({
      concurrency: concurrency === undefined ? DEFAULT_LIGHT_CONCURRENCY : positive("concurrency", concurrency),
      clock: this.#clock,
      ids,
    });
    this.#actors = new ActorSystem(this.#clock, ids);
  }

  /** Connects to the server, then joins its cluster as a light member (once). */
  start(): Promise<void> {
    this.#member ??= (async () => {
      const { node, owner } = await this.#client.connected();
      const [{ LightMember }, { webRtcAddress }] = await Promise.all([
        import("../cluster/light_member.ts"),
        import("../net/webrtc_address.ts"),
      ]);
      // Dialable over WebRTC before its first announcement, so its hosts' callers find it so.
      if (this.#webrtc && await webRtcAddress(node, WEBRTC_RESERVATION_MS, this.#clock) === undefined) {
        this.#warn(
          `App "${this.#name}" runs WebRTC, but no relay took its reservation within ${WEBRTC_RESERVATION_MS} ms ` +
            "(is its server started with --relay?): peers reach what it hosts through its owner only",
        );
      }
      const member = await LightMember.join(
        {
          name: this.#name,
          scheduler: this.#scheduler,
          registry: this.#client.registry,
          actors: this.#actors,
          clock: this.#clock,
        },
        node,
        { server: owner },
      );
      // A tab about to be frozen or closed hands its work back rather than sit on it.
      this.#stopLifecycle = onPageLeaving(() => member.handBack("its page is being frozen or hidden"));
      return member;
    })();
    return this.#member.then(() => undefined);
  }

  registerTask(name: string, fn: TaskFunction, options?: TaskOptions): TaskDefinition {
    return this.#client.registerTask(name, fn, options);
  }

  registerActor<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C> {
    this.#client.registerActor(name, cls, options); // the same refusals as a client's
    return this.#actors.define(name, cls, options);
  }

  submit<Out>(step: RunnableStep<Out>, id: string | undefined): RunHandle<Out> {
    return this.#client.submit(step, id);
  }

  compile(step: RunnableStep<unknown>): WorkflowGraph {
    return this.#client.compile(step);
  }

  join(): Promise<ClusterMember> {
    return Promise.reject(
      new TypeError(
        `App "${this.#name}" is a light worker: it joins its server's cluster at start(), as a light member`,
      ),
    );
  }

  getResult<T>(kind: "task" | "workflow", id: string): RunHandle<T> {
    return this.#client.getResult<T>(kind, id);
  }

  createActor<C extends ActorClass>(
    definition: ActorDefinition<C>,
    ...options: CreateActorArgs<C>
  ): Promise<ActorRef<C>> {
    return this.#client.createActor(definition, ...options);
  }

  getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    return this.#client.getActor(definition, nameOrId);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  connections(): Promise<ConnectionInfo[]> {
    return this.#client.connections();
  }

  stats(): AppStats {
    return {
      ...this.#scheduler.stats(),
      actors: this.#actors.cells().length,
      concurrency: this.#scheduler.concurrency,
    };
  }

  objects(): ObjectStore {
    throw objectsLocalOnly(this.#name, "a light worker");
  }

  useDataDir(): void {
    throw new TypeError(`App "${this.#name}" is a light worker: it keeps no data directory`);
  }

  dataDirLost(): Promise<DataDirError> {
    return new Promise(() => {});
  }

  /** Hands back what servers placed here (they place it again elsewhere), then closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopLifecycle();
    const member = await this.#member?.catch(() => undefined);
    await member?.leave().catch(() => {});
    await this.#actors.stopAll({ drain: false, forget: false }).catch(() => {});
    await this.#client.close();
  }
}
