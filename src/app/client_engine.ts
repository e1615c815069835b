/**
 * Client mode: an app built with `{ address }` runs nothing itself; it submits to the worker at
 * that address, which owns the work. What can be checked here (a workflow's shape, the tasks
 * this app registers, serializability) is checked at once; the network (libp2p and the cluster's
 * protocols, in `client_mode.ts`) loads on the first call that needs it.
 *
 * @module
 */
import {
  type ActorClass,
  type ActorDefinition,
  type ActorOptions,
  type ActorRef,
  type CreateActorArgs,
  defineActor,
} from "../actor/mod.ts";
import type { ClusterMember } from "../cluster/mod.ts";
import type { ConnectionInfo, NetNode } from "../net/mod.ts";
import { reconnectPolicy } from "../cluster/client/reconnect.ts";
import { type Clock, type DataDirError, DuplicateNameError, IdGenerator, systemClock } from "../common/mod.ts";
import {
  isSignature,
  type RunHandle,
  type RunnableStep,
  type TaskDefinition,
  type TaskFunction,
  type TaskOptions,
  TaskRegistry,
} from "../task/mod.ts";
import { compile, compileTaskCall, wireGraph, type WorkflowGraph } from "../workflow/mod.ts";
import type { ClientAppOptions } from "./app_options.ts";
import { checkClientAddress, checkClientWebRtc } from "./client_address.ts";
import type { ClientConnection } from "./client_mode.ts";
import type { AppEngine, AppStats } from "./engine.ts";
import { checkStep } from "./options.ts";
import { LookupHandle } from "./record_handle.ts";
import type { ObjectStore } from "../objects/mod.ts";
import { objectsLocalOnly } from "./object_values.ts";

/** The engine of an app given `{ address }`. */
export class ClientEngine implements AppEngine {
  readonly durability = "memory" as const;
  readonly #name: string;
  readonly #options: ClientAppOptions;
  readonly #clock: Clock;
  readonly #ids = new IdGenerator();
  readonly #registry = new TaskRegistry();
  readonly #actorNames = new Set<string>();
  #connection: Promise<ClientConnection> | undefined;
  /** The connection once it is up. */
  #connected: ClientConnection | undefined;
  #closed = false;

  readonly #pubsub: boolean;

  /** `internal.pubsub`: the connection's node runs gossipsub (a light worker's does). */
  constructor(name: string, options: ClientAppOptions, internal: { pubsub?: boolean } = {}) {
    this.#name = name;
    this.#pubsub = internal.pubsub ?? false;
    checkClientAddress(options.address, options.bootstrap);
    // Checked now, not at first use (cluster/client/reconnect.ts is plain code: it loads no network).
    reconnectPolicy(options.reconnect);
    if (options.webrtc !== undefined) checkClientWebRtc(options.webrtc, options.secret);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The connection (built once, its module loaded then); a bad address rejects it with a `TypeError`. */
  #connect(): Promise<ClientConnection> {
    this.#connection ??= import("./client_mode.ts").then(async ({ ClientConnection }) => {
      const { address, secret, bootstrap, reconnect, random, webrtc } = this.#options;
      const connection = new ClientConnection(address, {
        clock: this.#clock,
        secret,
        bootstrap,
        reconnect,
        random,
        pubsub: this.#pubsub,
        webrtc,
      });
      await connection.connect();
      this.#connected = connection;
      return connection;
    });
    return this.#connection;
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  /** The tasks this app registers (with their functions: a light worker runs them). */
  get registry(): TaskRegistry {
    return this.#registry;
  }

  /** The connection's node and the peer id of the worker it submits to, once connected. */
  async connected(): Promise<{ node: NetNode; owner: string }> {
    const connection = await this.#connect();
    const { node } = await connection.connect();
    return { node, owner: connection.ownerPeerId };
  }

  registerTask(name: string, fn: TaskFunction, options?: TaskOptions): TaskDefinition {
    return this.#registry.register(name, fn, options);
  }

  registerActor<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C> {
    const definition = defineActor(name, cls, options);
    if (this.#actorNames.has(name)) throw new DuplicateNameError("actor", name);
    this.#actorNames.add(name);
    return definition;
  }

  /** Checks what can be checked here, then submits; names this app does not register are the worker's to judge. */
  submit<Out>(step: RunnableStep<Out>, id: string | undefined): RunHandle<Out> {
    if (this.#closed) throw new TypeError(`App "${this.#name}" is closed`);
    checkStep(step);
    // Compiled once, here: the worker checks what it is sent, and never compiles it again. A task
    // this app does not register is known here by its name alone: the worker judges the rest.
    const lookup = (name: string) => this.#registry.has(name) ? this.#registry.get(name) : { name, options: {} };
    const runId = id ?? this.#ids.next(isSignature(step) ? "t" : "wf");
    let send: (connection: ClientConnection) => RunHandle<Out>;
    if (isSignature(step)) {
      // A signature on its own goes as its task and arguments (what its graph would hold).
      const task = compileTaskCall(step, lookup);
      send = (connection) => connection.submitTask<Out>(runId, task.task, task.args);
    } else {
      const graph = wireGraph(compile(step, lookup));
      send = (connection) => connection.submit<Out>(runId, graph);
    }
    const connected = this.#connected;
    if (connected !== undefined) {
      // Connected (the usual case after the first submission): the connection's own handle, at
      // once, without a lookup in between (a promise and a handle fewer per submission).
      try {
        return send(connected);
      } catch (error) {
        const failed = Promise.reject(error);
        failed.catch(() => {});
        return new LookupHandle<Out>(runId, this.#clock, () => failed);
      }
    }
    const submitted = this.#connect().then((connection) => ({ handle: send(connection) }));
    submitted.catch(() => {});
    return new LookupHandle<Out>(runId, this.#clock, () => submitted);
  }

  compile(step: RunnableStep<unknown>): WorkflowGraph {
    checkStep(step);
    return compile(step, (name) => this.#registry.get(name));
  }

  join(): Promise<ClusterMember> {
    return Promise.reject(
      new TypeError(`App "${this.#name}" is a client of ${this.#options.address}: it cannot join as a worker`),
    );
  }

  getResult<T>(kind: "task" | "workflow", id: string): RunHandle<T> {
    const refusal = new TypeError(
      `get${kind === "task" ? "Result" : "Workflow"}("${id}") looks in this app's own log, and a client keeps none: ` +
        `submit under the same id (submit(step, { id })) to attach to the run its worker owns`,
    );
    return new LookupHandle<T>(id, this.#clock, () => Promise.reject(refusal));
  }

  async createActor<C extends ActorClass>(
    definition: ActorDefinition<C>,
    ...options: CreateActorArgs<C>
  ): Promise<ActorRef<C>> {
    const connection = await this.#connect();
    return await connection.createActor(definition, options[0] as { args?: unknown[]; name?: string });
  }

  async getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>> {
    const connection = await this.#connect();
    return await connection.getActor(definition, nameOrId);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  async connections(): Promise<ConnectionInfo[]> {
    const connection = await this.#connection?.catch(() => undefined);
    const connected = await connection?.connect().catch(() => undefined);
    return connected?.node.connections() ?? [];
  }

  stats(): AppStats {
    return { queued: 0, running: 0, submitted: 0, succeeded: 0, failed: 0, cancelled: 0, actors: 0, concurrency: 0 };
  }

  objects(): ObjectStore {
    throw objectsLocalOnly(this.#name, `a client of ${this.#options.address}`);
  }

  useDataDir(): void {
    throw new TypeError(`App "${this.#name}" is a client of ${this.#options.address}: it keeps no data directory`);
  }

  dataDirLost(): Promise<DataDirError> {
    return new Promise(() => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connection = await this.#connection?.catch(() => undefined);
    await connection?.close();
  }
}
