/**
 * Actant: an actor-model engine for distributed tasks and workflows, on Deno, Bun, Node and in
 * browsers.
 *
 * @example
 * ```ts
 * import { ActantApp, chain } from "@actant/actant";
 *
 * const app = new ActantApp("my_app");
 * const fetch = app.task("fetch", async (url: string) => `data from ${url}`);
 * const analyze = app.task("analyze", (data: string) => ({ sentiment: 0.8, topics: ["tech", "ai"] }));
 * const report = app.task("report", (r: { sentiment: number }) => `Report: sentiment=${r.sentiment}`);
 * console.log(await app.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s())));
 * ```
 *
 * @module
 */

/** The application, its options per mode (local, worker, client), and how to recognise one. */
export {
  ActantApp,
  type ActantAppOptions,
  type AppStats,
  type ClientAppOptions,
  clusterStatus,
  type CommonAppOptions,
  formatStatusTable,
  isActantApp,
  type JoinClusterOptions,
  type LightWorkerAppOptions,
  type LocalAppOptions,
  type SubmitOptions,
  type WorkerAppOptions,
} from "./src/app/mod.ts";

/**
 * Cluster mode: a member's handle, its status row, a client's reconnection, and the network's
 * errors. None of these loads libp2p; the cluster loads when an app joins or connects.
 */
export type { ClusterMember, PeerStatus, ReconnectOptions } from "./src/cluster/mod.ts";
export type { ConnectionInfo } from "./src/net/net_node.ts";
export { OwnerUnreachableError, RequestInterruptedError } from "./src/cluster/client/client_errors.ts";
export { LightWorkerRefusedError } from "./src/cluster/light_errors.ts";
export { AddressInUseError, FrameError, PeerUnreachableError, ProtocolNotSupportedError } from "./src/net/errors.ts";

/** Workflow builders and their types. */
export {
  type Branch,
  branch,
  type Chain,
  chain,
  type Chord,
  chord,
  type GraphNode,
  type Group,
  group,
  type Loop,
  loop,
  type LoopOptions,
  map,
  type MapStep,
  type Workflow,
  type WorkflowGraph,
} from "./src/workflow/mod.ts";

/**
 * Objects: `app.put(value)` gives a typed, counted `ObjectRef`; `app.get(ref)`, `app.getStream(ref)`;
 * a ref as a task's top-level argument is resolved to its value (local mode only for now).
 */
export {
  InvalidObjectRefError,
  isObjectRef,
  ObjectLostError,
  ObjectNotFoundError,
  ObjectRef,
  ObjectReleasedError,
  type ObjectStats,
  ObjectStreamError,
  type PinKind,
} from "./src/objects/mod.ts";
export type { RefTo, ValuesOrRefs } from "./src/common/mod.ts";

/** Tasks, signatures and handles. */
export {
  type InputOf,
  type NoInput,
  type OutputOf,
  type RunHandle,
  type RunnableStep,
  type RunStatus,
  signature,
  type SignatureOptions,
  type Step,
  type Task,
  type TaskContext,
  type TaskOptions,
  type TaskSignature,
} from "./src/task/mod.ts";

/** Actors. */
export {
  type ActorControl,
  type ActorDefinition,
  type ActorOptions,
  type ActorRef,
  type CreateActorOptions,
  type SupervisionOptions,
} from "./src/actor/mod.ts";

/** Errors, the codec's class registry, clocks and results. */
export {
  ActantError,
  ActorInitError,
  ActorNameTakenError,
  ActorNotFoundError,
  ActorPlacementError,
  ActorStoppedError,
  type BackoffOptions,
  CancelledError,
  type Clock,
  DuplicateNameError,
  type GetOptions,
  InvalidWorkflowError,
  LoopLimitError,
  MailboxFullError,
  ManualClock,
  NonRetryableError,
  PeerLostError,
  type Pending,
  registerClass,
  ResultTimeoutError,
  SerializationError,
  systemClock,
  TaskArgumentsError,
  TaskError,
  TaskTimeoutError,
  UnknownMethodError,
  UnknownTaskError,
  WorkflowError,
} from "./src/common/mod.ts";
