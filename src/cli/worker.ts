/**
 * `actant worker`: loads an app module (which registers its tasks and actor classes), listens,
 * and runs work that clients submit; prints its addresses; shuts down cleanly on SIGINT/SIGTERM.
 *
 * @module
 */
import { ActantApp, DEFAULT_HEARTBEAT_MS } from "../app/mod.ts";
import { describe } from "../common/mod.ts";
import { moduleUrl, onShutdownSignal, parseOptions, processId } from "../runtime/process.ts";
import { clusterSecret } from "./secret_option.ts";
import { importModule } from "../runtime/import_module.ts";

/** Usage text of `actant worker`. */
export const WORKER_USAGE = `Usage: actant worker --app <module> [--listen <multiaddr>]... [--bootstrap <multiaddr>]... [--data <dir>]
                     [--node-id <name>] [--concurrency <n>] [--secret-file <file>] [--heartbeat-ms <ms>] [--fail-after-ms <ms>]

  --app          the app module: its default export (or export "app") is an ActantApp
  --listen       where to listen, e.g. /ip4/0.0.0.0/tcp/4001/ws (default /ip4/127.0.0.1/tcp/0/ws)
  --bootstrap    a member of the cluster to join (a multiaddr with /p2p/<id>); none starts a new cluster
  --data         data directory: the event log and the node's key (default ./.actant/<app name>)
  --node-id      a readable name for logs and actant status (default worker-<pid>)
  --concurrency  most task attempts this worker runs at once (default: the app's, 1024)
  --secret-file  a file holding the cluster secret (or set ACTANT_SECRET): only peers with it connect
  --heartbeat-ms    time between two membership announcements (default 1000)
  --fail-after-ms   silence after which a member is taken as gone (default 3500)`;

/** A running worker: how to stop it, and what settles if its data directory vanishes. */
export interface RunningWorker {
  (): Promise<void>;
  /** Settles with the `DataDirError` (`DATA_DIR_GONE`) that stopped the worker's log. */
  lost: Promise<Error>;
}

/** Runs a worker until a shutdown signal; `log` receives readable lines. */
export async function runWorker(args: string[], log: (line: string) => void): Promise<RunningWorker> {
  const options = parseOptions(args, {
    app: { type: "string" },
    listen: { type: "string", multiple: true },
    bootstrap: { type: "string", multiple: true },
    data: { type: "string" },
    "node-id": { type: "string" },
    concurrency: { type: "string" },
    "secret-file": { type: "string" },
    "heartbeat-ms": { type: "string" },
    "fail-after-ms": { type: "string" },
  });
  if (typeof options.app !== "string") throw new TypeError(`--app is required\n${WORKER_USAGE}`);
  const nodeId = typeof options["node-id"] === "string" ? options["node-id"] : `worker-${processId()}`;
  const concurrency = positiveOption(options, "concurrency");
  const heartbeatMs = positiveOption(options, "heartbeat-ms");
  const failAfterMs = positiveOption(options, "fail-after-ms");
  if (failAfterMs !== undefined && failAfterMs <= (heartbeatMs ?? DEFAULT_HEARTBEAT_MS)) {
    throw new TypeError(`--fail-after-ms (${failAfterMs}) must be longer than the heartbeat (${heartbeatMs ?? DEFAULT_HEARTBEAT_MS} ms)`);
  }
  const module = await importModule<{ default?: unknown; app?: unknown }>(moduleUrl(options.app)).catch((error) => {
    throw new TypeError(`Cannot load the app module ${options.app}: ${describe(error)}`);
  });
  const app = module.default ?? module.app;
  if (!(app instanceof ActantApp)) {
    throw new TypeError(`The app module ${options.app} must export an ActantApp as its default export (or as "app")`);
  }
  const dataDir = typeof options.data === "string" ? options.data : `./.actant/${app.name}`;
  app.useDataDir(dataDir);
  const secret = await clusterSecret(options["secret-file"]);
  const member = await app.join({
    listen: (options.listen as string[] | undefined) ?? ["/ip4/127.0.0.1/tcp/0/ws"],
    bootstrap: options.bootstrap as string[] | undefined,
    nodeId,
    concurrency,
    secret,
    heartbeatMs,
    failAfterMs,
  }).catch(async (error) => {
    await app.close();
    throw error;
  });
  member.membership.onChange((change) => {
    if (change.kind === "joined") log(`member joined: ${change.member.announcement.status.nodeId} (${change.member.peerId}, ${change.member.announcement.status.runtime})`);
    if (change.kind === "left") log(`member left: ${change.peerId} (${change.reason})`);
  });
  log(`${nodeId} ready: app "${app.name}", peer ${member.node.peerId}, data ${dataDir}${secret === undefined ? "" : ", private cluster (secret set)"}`);
  for (const address of member.node.addresses()) log(`listening ${address}`);
  const stop = async () => {
    log(`${nodeId} shutting down`);
    await app.close();
    log(`${nodeId} stopped`);
  };
  return Object.assign(stop, { lost: app.dataDirLost() });
}

/** The integer > 0 given as `--<name>`, or `undefined` when it is absent. */
function positiveOption(options: Record<string, unknown>, name: string): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw new TypeError(`--${name} expects an integer > 0, got "${String(text)}"`);
  return value;
}

/**
 * `actant worker` as a command: runs until SIGINT/SIGTERM, or until its data directory vanishes:
 * then it has stopped acknowledging, leaves the cluster and rejects with the `DataDirError`
 * (so the process exits non-zero).
 */
export async function workerCommand(args: string[], log: (line: string) => void): Promise<void> {
  // Listening for signals before the worker prints its address: a SIGTERM right after it still
  // gets a clean shutdown, not the default kill.
  const signal = new Promise<void>((resolve) => onShutdownSignal(() => resolve()));
  const stop = await runWorker(args, log);
  const lost = await Promise.race([signal.then(() => undefined), stop.lost]);
  if (lost !== undefined) log(`stopping: ${describe(lost)} (${(lost as { code?: string }).code})`);
  await stop();
  if (lost !== undefined) throw lost;
}
