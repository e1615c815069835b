/**
 * The options of `new ActantApp()`: one shape per mode, told apart by their keys. A wrong mix (a
 * client given a `concurrency`, a local app given `reconnect`) is a compile error through the
 * union, and a `TypeError` naming the option and the mode at run time.
 *
 * @module
 */
import type { ReconnectOptions } from "../cluster/client/reconnect.ts";
import { checkOptionKeys, type Clock } from "../common/mod.ts";
import type { WebRtcSupport } from "../net/webrtc_options.ts";
import type { Backend } from "../store/mod.ts";
import type { Durability } from "./storage.ts";

/** Options every mode takes. */
export interface CommonAppOptions {
  /**
   * The clock for retries, timeouts and deadlines, and for the heartbeats, failure detection and
   * probes of the member an app that joins a cluster runs (a `ManualClock` in tests).
   */
  clock?: Clock;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Where warnings go (a torn last log record dropped at start). Default `console.warn`. */
  warn?: (message: string) => void;
  /** The cluster secret its workers were started with (`--secret-file` / `ACTANT_SECRET`). */
  secret?: string | Uint8Array;
}

/** Local mode (the default): an embedded worker runs the work, recorded in a log unless `"memory"`. */
export interface LocalAppOptions extends CommonAppOptions {
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
  /** Client mode only. */
  address?: undefined;
  /** Client mode only. */
  reconnect?: undefined;
  /** Client mode only (a worker relays WebRTC signalling with `join({ relay: true })`). */
  webrtc?: undefined;
}

/** Worker mode: a local app that joins a cluster at `start()` (see `ActantApp.join`). */
export interface WorkerAppOptions extends Omit<LocalAppOptions, "address" | "reconnect" | "webrtc"> {
  /** Join a cluster at `start()`, listening here. Default `/ip4/127.0.0.1/tcp/0/ws`. */
  listen?: string[];
  /** Join the cluster of these members at `start()` (multiaddrs with `/p2p/`); none starts one. */
  bootstrap?: string[];
  /** Client mode only. */
  address?: undefined;
  /** Client mode only. */
  reconnect?: undefined;
  /** Client mode only (a worker relays WebRTC signalling with `join({ relay: true })`). */
  webrtc?: undefined;
}

/** Client mode: the app runs nothing itself; the worker at `address` owns and logs its work. */
export interface ClientAppOptions extends CommonAppOptions {
  /**
   * The multiaddr (with `/p2p/<id>`) of a worker (`actant worker`), or `p2p://<id>` with
   * `bootstrap` addresses to find it through.
   */
  address: string;
  /** The peers through which a `p2p://<id>` address is found. */
  bootstrap?: string[];
  /**
   * How the client rides out a restart of its worker (its owner). After the connection breaks it
   * dials the same peer again up to `retries` times (default 10) with exponential backoff
   * (default 0.1 s doubling to at most 5 s: about 26 s in all), then re-attaches its pending
   * handles by id; past that, they and later calls fail with `OwnerUnreachableError`. Actor
   * requests in flight when the connection broke fail with `RequestInterruptedError`.
   */
  reconnect?: ReconnectOptions;
  /**
   * Run WebRTC: `webRtc()` of `@actant/actant/webrtc` (browsers, Node and Bun; not Deno, not with a
   * `secret`). The app reserves a slot on the relays among its server and `bootstrap` peers
   * (`actant worker --relay`), so other WebRTC peers can dial it, and calls actors hosted on such
   * peers (other tabs) over a direct WebRTC connection rather than through their owner.
   */
  webrtc?: WebRtcSupport;
  /** The worker decides; a client keeps no log. */
  durability?: undefined;
  /** The worker runs the work. */
  concurrency?: undefined;
  /** A client keeps no log. */
  dataDir?: undefined;
  /** A client keeps no log. */
  backend?: undefined;
  /** A client keeps no log. */
  checkpointInterval?: undefined;
  /** The worker keeps the results. */
  keepResults?: undefined;
  /** A client does not listen. */
  listen?: undefined;
  /** `true` makes the client a light worker too (see {@linkcode LightWorkerAppOptions}). */
  worker?: false;
}

/**
 * A light worker: a client (`address`) that is also a worker of the cluster (a browser tab, or
 * any peer that keeps nothing). It runs the attempts and hosts the actors its server places on it,
 * within `concurrency`, for the tasks and actor classes the server's app registers too. It still
 * owns nothing: what it submits, its server owns and logs.
 */
export interface LightWorkerAppOptions extends Omit<ClientAppOptions, "concurrency" | "worker"> {
  worker: true;
  /** Most attempts it runs at once. Default 4 (a tab shares its thread with the page). */
  concurrency?: number;
}

/** Options of an `ActantApp`: local (the default), worker (`listen`/`bootstrap`) or client (`address`). */
export type ActantAppOptions = LocalAppOptions | WorkerAppOptions | ClientAppOptions | LightWorkerAppOptions;

/** The modes of an app. */
export type AppMode = "local" | "worker" | "client" | "light";

const COMMON = ["clock", "random", "warn", "secret"] as const;
const LOCAL = ["concurrency", "durability", "dataDir", "backend", "checkpointInterval", "keepResults"] as const;
const CLIENT_ONLY = ["address", "reconnect", "worker", "webrtc"] as const;
const WORKER_ONLY = ["listen", "bootstrap"] as const;
const ALL: readonly string[] = [...LOCAL, ...COMMON, ...CLIENT_ONLY, ...WORKER_ONLY];

/**
 * The mode `options` choose, checked: every key known, and none that the mode does not take
 * (a `TypeError` names the option and why). `undefined` values count as absent.
 */
export function appMode(options: ActantAppOptions): AppMode {
  checkOptionKeys("new ActantApp() options", options, ALL);
  const given = (key: string) => (options as Record<string, unknown>)[key] !== undefined;
  const worker = (options as { worker?: unknown }).worker;
  if (worker !== undefined && typeof worker !== "boolean") {
    throw new TypeError(`option worker must be a boolean, got ${typeof worker}`);
  }
  if (worker === true && !given("address")) {
    throw new TypeError(
      "option worker: true makes a client a light worker: give it the address of the server it joins through",
    );
  }
  if (given("address")) {
    const light = worker === true;
    const local = LOCAL.find((key) => given(key) && !(light && key === "concurrency")) ??
      (given("listen") ? "listen" : undefined);
    if (local !== undefined) {
      throw new TypeError(
        `option ${local} does not apply to a client (an app given { address }): the worker at that address ` +
          `runs, logs and keeps its work; drop ${local}, or drop address to run the work here`,
      );
    }
    return light ? "light" : "client";
  }
  if (given("reconnect")) {
    throw new TypeError(`option reconnect applies to a client (an app given { address }); this app has no address`);
  }
  if (given("webrtc")) {
    throw new TypeError(
      "option webrtc applies to a client or light worker (an app given { address }); this app has no address " +
        "(a worker relays WebRTC signalling for them with join({ relay: true }) or actant worker --relay, " +
        "and dials them with join({ webrtc }))",
    );
  }
  return WORKER_ONLY.some(given) ? "worker" : "local";
}
