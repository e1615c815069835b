/**
 * `actant worker`: loads an app module (which registers its tasks and actor classes), listens,
 * and runs work that clients submit; prints its addresses; shuts down cleanly on SIGINT/SIGTERM.
 *
 * @module
 */
import { ActantApp } from "../app/mod.ts";
import { type PeerStatus, serveStatus, serveTasks } from "../cluster/mod.ts";
import { describe } from "../common/mod.ts";
import { runtimeName } from "../runtime/mod.ts";
import { createNetNode, loadOrCreateKey } from "../net/mod.ts";
import { moduleUrl, onShutdownSignal, parseOptions, processId } from "../runtime/process.ts";
import { clusterSecret } from "./secret_option.ts";
import { importModule } from "../runtime/import_module.ts";

/** Usage text of `actant worker`. */
export const WORKER_USAGE = `Usage: actant worker --app <module> [--listen <multiaddr>]... [--data <dir>] [--node-id <name>]

  --app       the app module: its default export (or export "app") is an ActantApp
  --listen    where to listen, e.g. /ip4/0.0.0.0/tcp/4001/ws (default /ip4/127.0.0.1/tcp/0/ws)
  --data      data directory: the event log and the node's key (default ./.actant/<app name>)
  --node-id   a readable name for logs (default worker-<pid>)
  --secret-file  a file holding the cluster secret (or set ACTANT_SECRET): only peers with it connect`;

/** Runs a worker until a shutdown signal; `log` receives readable lines. */
export async function runWorker(args: string[], log: (line: string) => void): Promise<() => Promise<void>> {
  const options = parseOptions(args, {
    app: { type: "string" },
    listen: { type: "string", multiple: true },
    data: { type: "string" },
    "node-id": { type: "string" },
    "secret-file": { type: "string" },
  });
  if (typeof options.app !== "string") throw new TypeError(`--app is required\n${WORKER_USAGE}`);
  const nodeId = typeof options["node-id"] === "string" ? options["node-id"] : `worker-${processId()}`;
  const module = await importModule<{ default?: unknown; app?: unknown }>(moduleUrl(options.app)).catch((error) => {
    throw new TypeError(`Cannot load the app module ${options.app}: ${describe(error)}`);
  });
  const app = module.default ?? module.app;
  if (!(app instanceof ActantApp)) {
    throw new TypeError(`The app module ${options.app} must export an ActantApp as its default export (or as "app")`);
  }
  const dataDir = typeof options.data === "string" ? options.data : `./.actant/${app.name}`;
  app.useDataDir(dataDir);
  await app.start();
  const listen = (options.listen as string[] | undefined) ?? ["/ip4/127.0.0.1/tcp/0/ws"];
  const secret = await clusterSecret(options["secret-file"]);
  const node = await createNetNode({ listen, privateKey: await loadOrCreateKey(dataDir), secret });
  await serveTasks(node, { submit: (step, submitOptions) => app.submit(step as never, submitOptions) });
  const startedAt = Date.now();
  await serveStatus(node, {
    report: (): PeerStatus => {
      const stats = app.stats();
      return {
        peerId: node.peerId,
        nodeId,
        addresses: node.addresses(),
        runtime: runtimeName(),
        tasks: { queued: stats.queued, running: stats.running, succeeded: stats.succeeded, failed: stats.failed, cancelled: stats.cancelled },
        actors: stats.actors,
        load: stats.concurrency === Infinity ? 0 : stats.running / stats.concurrency,
        uptimeMs: Date.now() - startedAt,
      };
    },
  });
  log(`${nodeId} ready: app "${app.name}", peer ${node.peerId}, data ${dataDir}${secret === undefined ? "" : ", private cluster (secret set)"}`);
  for (const address of node.addresses()) log(`listening ${address}`);
  return async () => {
    log(`${nodeId} shutting down`);
    await node.stop();
    await app.close();
    log(`${nodeId} stopped`);
  };
}

/** `actant worker` as a command: runs until SIGINT/SIGTERM. */
export async function workerCommand(args: string[], log: (line: string) => void): Promise<void> {
  const stop = await runWorker(args, log);
  await new Promise<void>((resolve) => onShutdownSignal(() => resolve()));
  await stop();
}
