/**
 * `actant worker`: loads an app module (which registers its tasks and actor classes), listens,
 * and runs work that clients submit; logs its addresses and its members; shuts down cleanly on
 * SIGINT/SIGTERM.
 *
 * @module
 */
import { DEFAULT_HEARTBEAT_MS, type JoinClusterOptions } from "../app/mod.ts";
import { describe } from "../common/mod.ts";
import { onShutdownSignal, processId } from "../runtime/process.ts";
import { type CommandLine, positiveOption, requiredOption, UsageError } from "./args.ts";
import { loadAppModule } from "./app_module.ts";
import { type CommandContext, commandNamed } from "./commands.ts";
import type { Logger } from "./logger.ts";
import { clusterSecret } from "./secret_option.ts";

/** What the member tells `onEvent` (the CLI sees it through the app's options, not the cluster layer). */
type MemberEvent = Parameters<NonNullable<JoinClusterOptions["onEvent"]>>[0];
type MemberRef = Extract<MemberEvent, { kind: "attempt.received" }>["owner"];

/** A running worker: how to stop it, and what settles if its data directory vanishes. */
export interface RunningWorker {
  (): Promise<void>;
  /** Settles with the `DataDirError` (`DATA_DIR_GONE`) that stopped the worker's log. */
  lost: Promise<Error>;
}

/** Starts a worker as `line` says; `log` gets its lines. */
export async function runWorker(line: CommandLine, log: Logger): Promise<RunningWorker> {
  const { values } = line;
  const appPath = requiredOption(values, commandNamed("worker")!.options, "app", "worker");
  const nodeId = typeof values["node-id"] === "string" ? values["node-id"] : `worker-${processId()}`;
  const concurrency = positiveOption(values, "concurrency", "worker");
  const heartbeatMs = positiveOption(values, "heartbeat-ms", "worker");
  const failAfterMs = positiveOption(values, "fail-after-ms", "worker");
  if (failAfterMs !== undefined && failAfterMs <= (heartbeatMs ?? DEFAULT_HEARTBEAT_MS)) {
    throw new UsageError(
      `option --fail-after-ms (${failAfterMs}) must be longer than the heartbeat (${
        heartbeatMs ?? DEFAULT_HEARTBEAT_MS
      } ms)`,
      "worker",
    );
  }
  const secret = await clusterSecret(values["secret-file"], "worker");
  const app = await loadAppModule(appPath);
  const dataDir = typeof values.data === "string" ? values.data : `./.actant/${app.name}`;
  app.useDataDir(dataDir);
  const member = await app.join({
    listen: (values.listen as string[] | undefined) ?? ["/ip4/127.0.0.1/tcp/0/ws"],
    bootstrap: values.bootstrap as string[] | undefined,
    nodeId,
    concurrency,
    secret,
    heartbeatMs,
    failAfterMs,
    ...(values["no-light-workers"] === true ? { lightWorkers: false } : {}),
    ...(values.relay === true ? { relay: true } : {}),
    // Only when it is read: an app of another (older) copy of Actant may not know the option.
    ...(log.enabled("debug") ? { onEvent: (event: MemberEvent) => logAttempt(log, event) } : {}),
  }).catch(async (error) => {
    await app.close();
    throw error;
  });
  // Members are named by node id when they leave too: the node id of each member seen is kept.
  const nodeIds = new Map<string, string>();
  for (const known of member.membership.members()) nodeIds.set(known.peerId, known.announcement.status.nodeId);
  member.membership.onChange((change) => {
    if (change.kind === "joined") {
      const { peerId, announcement: { status } } = change.member;
      nodeIds.set(peerId, status.nodeId);
      log.info(`member joined: ${status.nodeId} (${peerId}, ${status.runtime})`, {
        event: "member.joined",
        nodeId: status.nodeId,
        peerId,
        runtime: status.runtime,
      });
    } else if (change.kind === "left") {
      const left = nodeIds.get(change.peerId) ?? "?";
      log.info(`member left: ${left} (${change.peerId}, ${change.reason})`, {
        event: "member.left",
        nodeId: left,
        peerId: change.peerId,
        reason: change.reason,
      });
    }
  });
  const peerId = member.node.peerId;
  log.info(
    `${nodeId} ready: app "${app.name}", peer ${peerId}, data ${dataDir}${
      secret === undefined ? "" : ", private cluster (secret set)"
    }`,
    {
      event: "ready",
      nodeId,
      app: app.name,
      peerId,
      dataDir,
      private: secret !== undefined,
    },
  );
  for (const address of member.node.addresses()) log.info(`listening ${address}`, { event: "listening", address });
  const stop = async () => {
    log.info(`${nodeId} shutting down`, { event: "stopping", nodeId });
    await app.close();
    log.info(`${nodeId} stopped`, { event: "stopped", nodeId });
  };
  return Object.assign(stop, { lost: app.dataDirLost() });
}

/** The debug line of one attempt event. */
function logAttempt(log: Logger, event: MemberEvent): void {
  if (event.kind === "answer.ignored") {
    const from = { from: event.from.nodeId ?? null, fromPeerId: event.from.peerId };
    return log.debug(`answer ignored: from ${member(event.from)}: ${event.why}`, { event: event.kind, ...from });
  }
  const what = `${event.task} ${event.runId} attempt ${event.attempt}`;
  const fields = { event: event.kind, task: event.task, runId: event.runId, attempt: event.attempt };
  switch (event.kind) {
    case "attempt.placed":
      return event.on === "here"
        ? log.debug(`attempt placed: ${what} runs here`, { ...fields, on: "here" })
        : log.debug(`attempt placed: ${what} on ${member(event.on)}`, {
          ...fields,
          on: event.on.nodeId ?? null,
          peerId: event.on.peerId,
        });
    case "attempt.received":
      return log.debug(`attempt received: ${what} from ${member(event.owner)}, runs here`, {
        ...fields,
        owner: event.owner.nodeId ?? null,
        ownerPeerId: event.owner.peerId,
      });
    case "attempt.failed": {
      const how = event.owner !== undefined
        ? `, placed here by ${member(event.owner)}`
        : event.retrying
        ? ", will retry"
        : ", no retry left";
      return log.debug(`attempt failed: ${what}: ${describe(event.error)}${how}`, {
        ...fields,
        error: event.error,
        ...(event.retrying === undefined ? {} : { retrying: event.retrying }),
        ...(event.owner === undefined ? {} : { owner: event.owner.nodeId ?? null, ownerPeerId: event.owner.peerId }),
      });
    }
    case "attempt.lost":
      return log.debug(`attempt lost: ${what}: ${describe(event.error)}; placing it again`, {
        ...fields,
        error: event.error,
      });
  }
}

function member(ref: MemberRef): string {
  return ref.nodeId === undefined ? ref.peerId : `${ref.nodeId} (${ref.peerId})`;
}

/**
 * `actant worker` as a command: runs until SIGINT/SIGTERM, or until its data directory vanishes:
 * then it has stopped acknowledging, leaves the cluster and rejects with the `DataDirError`
 * (so the process exits non-zero).
 */
export async function workerCommand(line: CommandLine, context: CommandContext): Promise<void> {
  const { log } = context;
  // Listening for signals before the worker prints its address: a SIGTERM right after it still
  // gets a clean shutdown, not the default kill.
  const signal = new Promise<void>((resolve) => onShutdownSignal(() => resolve()));
  const stop = await runWorker(line, log);
  const lost = await Promise.race([signal.then(() => undefined), stop.lost]);
  if (lost !== undefined) {
    const code = (lost as { code?: string }).code;
    log.error(`stopping: ${describe(lost)} (${code})`, { event: "lost", error: lost });
  }
  await stop();
  if (lost !== undefined) throw lost;
}
