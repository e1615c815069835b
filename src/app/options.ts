/**
 * The options of an app and of `submit`, and the checks they get.
 *
 * @module
 */
import { checkOptionKeys, InvalidWorkflowError } from "../common/mod.ts";
import type { AnyStep } from "../task/mod.ts";
import { isStep } from "../workflow/mod.ts";
import { runtimeName } from "../runtime/mod.ts";
import { checkRunId } from "./run_index.ts";
import type { Durability } from "./storage.ts";

export { DEFAULT_FAIL_AFTER_MS, DEFAULT_HEARTBEAT_MS } from "../cluster/membership/timing.ts";
export type {
  ActantAppOptions,
  AppMode,
  ClientAppOptions,
  CommonAppOptions,
  LightWorkerAppOptions,
  LocalAppOptions,
  WorkerAppOptions,
} from "./app_options.ts";

/** Options of `ActantApp.join` (worker mode). */
export interface JoinClusterOptions {
  /** WebSocket addresses to listen on. Default `/ip4/127.0.0.1/tcp/0/ws`. */
  listen?: string[];
  /** Members to join through (multiaddrs with `/p2p/`); none to start a new cluster. */
  bootstrap?: string[];
  /** The cluster secret. */
  secret?: string | Uint8Array;
  /** A readable name for logs and `actant status`. Default: the end of the peer id. */
  nodeId?: string;
  /** Most attempts this worker runs at once (overrides the app's `concurrency`). */
  concurrency?: number;
  /** The node's key; by default kept in (and read from) the data directory of a durable app. */
  privateKey?: Uint8Array;
  /** Heartbeat period and the silence after which a member is gone, in ms. */
  heartbeatMs?: number;
  failAfterMs?: number;
  /** Told where attempts are placed, which fail, and which other owners place here (for logs; see `MemberEvent`). */
  onEvent?: (event: import("../cluster/membership/member_events.ts").MemberEvent) => void;
  /**
   * Whether light workers (browser tabs: `{ address, worker: true }`) may join through this worker
   * and be placed work. Default true (`actant worker --no-light-workers` sets it false).
   */
  lightWorkers?: boolean;
  /**
   * Relay WebRTC signalling for the tabs and other peers that run WebRTC (circuit-relay-v2, with
   * limits that let signalling finish: `RELAY_RESERVATIONS`). Default false (`actant worker
   * --relay` sets it). Needs `@libp2p/circuit-relay-v2` and `@libp2p/webrtc` installed. On Node
   * and Bun, without a secret, a relay also dials WebRTC (with `webRtc()`'s defaults, unless
   * `webrtc` is given), so that it places work on the tabs connected to other servers too.
   */
  relay?: boolean;
  /**
   * How this worker dials light workers that run WebRTC and are connected to other servers
   * (`webRtc({ bindAddress, iceServers })` of `@actant/actant/webrtc`; Node and Bun; not with a
   * secret). It listens on no WebRTC address itself: servers are reached over WebSocket.
   */
  webrtc?: import("../net/mod.ts").WebRtcSupport;
}

/** Options of `ActantApp.submit`. */
export interface SubmitOptions {
  /**
   * The id to give the task or workflow (like Celery's `task_id`, BullMQ's `jobId`); a fresh one
   * if absent. A non-empty string of at most 256 characters. An id the app (or, for a client,
   * its owner) already holds returns that run's handle instead of starting another.
   */
  id?: string;
}

const JOIN_OPTIONS: readonly (keyof JoinClusterOptions)[] = [
  "listen",
  "bootstrap",
  "secret",
  "nodeId",
  "concurrency",
  "privateKey",
  "heartbeatMs",
  "failAfterMs",
  "onEvent",
  "lightWorkers",
  "relay",
  "webrtc",
];

/** The durability of a local or worker app; the browser default is "memory". */
export function appDurability(options: { durability?: Durability }): Durability {
  const durability = options.durability ?? (runtimeName() === "browser" ? "memory" : "batched");
  if (!["sync", "batched", "memory"].includes(durability)) {
    throw new RangeError(`durability must be "sync", "batched" or "memory", got ${String(options.durability)}`);
  }
  return durability;
}

/** `options` of `app.join()`, checked to hold only known options. */
export function joinOptions(options: JoinClusterOptions): JoinClusterOptions {
  checkOptionKeys("join() options", options, JOIN_OPTIONS);
  if (options.lightWorkers !== undefined && typeof options.lightWorkers !== "boolean") {
    throw new TypeError(`join() option lightWorkers must be a boolean, got ${typeof options.lightWorkers}`);
  }
  if (options.relay !== undefined && typeof options.relay !== "boolean") {
    throw new TypeError(`join() option relay must be a boolean, got ${typeof options.relay}`);
  }
  return options;
}

/** The id `app.submit()` was given, if any, checked (and the options checked to hold only known ones). */
export function submittedId(options: SubmitOptions): string | undefined {
  checkOptionKeys("submit() options", options, ["id"]);
  return options.id === undefined ? undefined : checkRunId(options.id);
}

/** `value`, checked to be an integer > 0 (else a `RangeError` naming `option`). */
export function positive(option: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`${option} must be an integer > 0, got ${String(value)}`);
  }
  return value;
}

/** Checks that `value` is a signature or a workflow (else an `InvalidWorkflowError` naming what it is). */
export function checkStep(value: unknown): asserts value is AnyStep {
  if (isStep(value)) return;
  const got = Array.isArray(value)
    ? "an array (wrap a list of steps in group() or chain())"
    : value === null
    ? "null"
    : typeof value;
  throw new InvalidWorkflowError(`submit() expects a signature (task.s()) or a workflow, got ${got}`);
}
