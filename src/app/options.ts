/**
 * The options of an app and of `submit`, and the checks they get.
 *
 * @module
 */
import type { ReconnectOptions } from "../cluster/reconnect.ts";
import { checkOptionKeys, type Clock } from "../common/mod.ts";
import { runtimeName } from "../runtime/mod.ts";
import type { Backend } from "../store/mod.ts";
import { checkRunId } from "./run_index.ts";
import type { Durability } from "./storage.ts";

export { DEFAULT_FAIL_AFTER_MS, DEFAULT_HEARTBEAT_MS } from "../cluster/mod.ts";

/** Options of an `ActantApp`. */
export interface ActantAppOptions {
  /** Most task attempts the embedded worker runs at once. Default 1024. */
  concurrency?: number;
  /**
   * `"batched"` (default on Node, Deno and Bun): work is acknowledged once its events are
   * committed to the log (they survive the process being killed), fsynced right after in groups.
   * `"sync"`: acknowledged only after the fsync (survives a machine crash too).
   * `"memory"` (default in browsers): nothing is kept.
   */
  durability?: Durability;
  /** Where the log lives. Default `./.actant/<app name>`. */
  dataDir?: string;
  /** A storage backend to use instead of LMDB in `dataDir` (e.g. a `MemoryBackend`, or one that injects faults). */
  backend?: Backend;
  /** Events between two checkpoints of the log (after which older records are compacted). Default 100,000. */
  checkpointInterval?: number;
  /**
   * Finished tasks and workflows whose results `getResult` / `getWorkflow` can still return, and
   * whose ids `submit` still answers with the finished run (durability `"memory"`: only those
   * submitted under an id of the caller's, and the last `keepResults` of those at least, up to
   * twice as many). Default 10,000.
   */
  keepResults?: number;
  /** The clock for retries, timeouts and deadlines (a `ManualClock` in tests). */
  clock?: Clock;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Where warnings go (a torn last log record dropped at start). Default `console.warn`. */
  warn?: (message: string) => void;
  /**
   * Client mode: the multiaddr (with `/p2p/<id>`) of a worker (`actant worker`), or `p2p://<id>`
   * with `bootstrap` addresses to find it through. Work submitted here runs on that worker, which
   * owns it; this app runs nothing itself and keeps no log.
   */
  address?: string;
  /** The cluster secret its workers were started with (`--secret-file` / `ACTANT_SECRET`). */
  secret?: string | Uint8Array;
  /**
   * Client mode: how the client rides out a restart of its worker (its owner). After the
   * connection breaks it dials the same peer again up to `retries` times (default 10) with
   * exponential backoff (default 0.1 s doubling to at most 5 s: about 26 s in all), then re-attaches
   * its pending handles by id; past that, they and later calls fail with `OwnerUnreachableError`.
   * Actor requests in flight when the connection broke fail with `RequestInterruptedError`.
   */
  reconnect?: ReconnectOptions;
  /** Worker mode: join a cluster at `start()`, listening here (see `ActantApp.join`). */
  listen?: string[];
  /**
   * Worker mode: join the cluster of these members at `start()` (see `ActantApp.join`).
   * Client mode: the peers through which a `p2p://<id>` address is found.
   */
  bootstrap?: string[];
}

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
  onEvent?: (event: import("../cluster/member_events.ts").MemberEvent) => void;
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

const APP_OPTIONS: readonly (keyof ActantAppOptions)[] = [
  "concurrency", "durability", "dataDir", "backend", "checkpointInterval", "keepResults", "clock", "random", "warn",
  "address", "secret", "reconnect", "listen", "bootstrap",
];
const JOIN_OPTIONS: readonly (keyof JoinClusterOptions)[] = [
  "listen", "bootstrap", "secret", "nodeId", "concurrency", "privateKey", "heartbeatMs", "failAfterMs", "onEvent",
];

/** `options` of `new ActantApp()`, checked to hold only known options (a `TypeError` names the stranger). */
export function appOptions(options: ActantAppOptions): ActantAppOptions {
  checkOptionKeys("new ActantApp() options", options, APP_OPTIONS);
  return options;
}

/** The durability of an app: a client keeps no log (its owner does); the browser default is "memory". */
export function appDurability(options: ActantAppOptions, client: boolean): Durability {
  const durability = client ? "memory" : options.durability ?? (runtimeName() === "browser" ? "memory" : "batched");
  if (!["sync", "batched", "memory"].includes(durability)) {
    throw new RangeError(`durability must be "sync", "batched" or "memory", got ${String(options.durability)}`);
  }
  return durability;
}

/** `options` of `app.join()`, checked to hold only known options. */
export function joinOptions(options: JoinClusterOptions): JoinClusterOptions {
  checkOptionKeys("join() options", options, JOIN_OPTIONS);
  return options;
}

/** The id `app.submit()` was given, if any, checked (and the options checked to hold only known ones). */
export function submittedId(options: SubmitOptions): string | undefined {
  checkOptionKeys("submit() options", options, ["id"]);
  return options.id === undefined ? undefined : checkRunId(options.id);
}

/** `value`, checked to be an integer > 0 (else a `RangeError` naming `option`). */
export function positive(option: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${option} must be an integer > 0, got ${String(value)}`);
  return value;
}

/** How to name a value that is not a step, in an error. */
export function describeInput(value: unknown): string {
  if (Array.isArray(value)) return "an array (wrap a list of steps in group() or chain())";
  return value === null ? "null" : typeof value;
}
