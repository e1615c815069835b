/**
 * What an `ActantApp` delegates to: one engine per mode, chosen when the app is built. The
 * local engine runs work on an embedded worker (the worker engine is one that joins a cluster at
 * start); the client engine sends it to a worker. The app itself holds no mode branch.
 *
 * @module
 */
import type { ActorClass, ActorDefinition, ActorOptions, ActorRef, CreateActorArgs } from "../actor/mod.ts";
import type { ClusterMember } from "../cluster/mod.ts";
import type { DataDirError } from "../common/mod.ts";
import type { ConnectionInfo } from "../net/net_node.ts";
import type { RunHandle, RunnableStep, Scheduler, TaskDefinition, TaskFunction, TaskOptions } from "../task/mod.ts";
import type { WorkflowGraph } from "../workflow/mod.ts";
import type { ObjectStore } from "../objects/mod.ts";
import type { JoinClusterOptions } from "./options.ts";
import type { Durability } from "./storage.ts";

/** Counts of an app's worker, for status reports (all zero for a client, which runs nothing). */
export type AppStats = ReturnType<Scheduler["stats"]> & { actors: number; concurrency: number };

/** The operations of an `ActantApp`, as each mode carries them out (see `ActantApp` for their contracts). */
export interface AppEngine {
  readonly durability: Durability;
  start(): Promise<void>;
  registerTask(name: string, fn: TaskFunction, options?: TaskOptions): TaskDefinition;
  registerActor<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C>;
  /** Submits `step` (already checked to be a step or a plain signature) under `id`, or a fresh id. */
  submit<Out>(step: RunnableStep<Out>, id: string | undefined): RunHandle<Out>;
  compile(step: RunnableStep<unknown>): WorkflowGraph;
  join(options: JoinClusterOptions): Promise<ClusterMember>;
  getResult<T>(kind: "task" | "workflow", id: string): RunHandle<T>;
  createActor<C extends ActorClass>(
    definition: ActorDefinition<C>,
    ...options: CreateActorArgs<C>
  ): Promise<ActorRef<C>>;
  getActor<C extends ActorClass>(definition: ActorDefinition<C>, nameOrId: string): Promise<ActorRef<C>>;
  flush(): Promise<void>;
  stats(): AppStats;
  /** The connections of the app's node (none before it has one, or in local mode). */
  connections(): Promise<ConnectionInfo[]>;
  /** The app's object store, or a `TypeError` naming `method` when this mode has none yet. */
  objects(method: string): ObjectStore;
  useDataDir(dataDir: string): void;
  dataDirLost(): Promise<DataDirError>;
  close(): Promise<void>;
}
