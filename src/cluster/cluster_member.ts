/**
 * A worker's place in its cluster: the libp2p node, membership, the services it answers (client
 * submissions, attempts placed by owners, status) and the placer its scheduler asks. Built by
 * an app that joins (`app.join()`, `actant worker`).
 *
 * @module
 */
import { type Clock, type Encoded, type IdGenerator, systemClock, TaskError } from "../common/mod.ts";
import { type BootstrapRetry, createNetNode, type NetNode, type RelaySupport, type WebRtcSupport } from "../net/mod.ts";
import type { ActorSystem } from "../actor/mod.ts";
import type { Journal } from "../store/mod.ts";
import {
  type AttemptEvent,
  AttemptRunner,
  HERE,
  type RunHandle,
  type Scheduler,
  type TaskRegistry,
} from "../task/mod.ts";
import { memberActorGateway } from "./actor_gateway.ts";
import { serveActorHosting } from "./actors/mod.ts";
import { RemoteActors } from "./actors/mod.ts";
import { firstUnknownName, type MemberAnnouncement, SelfReport } from "./membership/mod.ts";
import { type AttemptOrigin, type LocalAttempt, serveExec } from "./attempts/mod.ts";
import { LeastLoadedPlacer } from "./attempts/mod.ts";
import type { MemberEvent, MemberObserver, MemberRef } from "./membership/mod.ts";
import { Membership } from "./membership/mod.ts";
import { type PeerStatus, serveStatus } from "./membership/mod.ts";
import { serveTasks } from "./client/mod.ts";

/** What a member needs from the app it serves. */
export interface ClusterHost {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly registry: TaskRegistry;
  readonly actors: ActorSystem;
  /** Where this peer logs what it owns (the actors its clients create). */
  readonly journal: Journal;
  readonly ids: IdGenerator;
  /**
   * The app's clock, which the member's time runs on too: heartbeats and failure detection, the
   * probes of unreachable members, bootstrap retries, uptime (a `ManualClock` in tests; libp2p
   * keeps its own timers). Default the system clock.
   */
  readonly clock?: Clock;
  /** Submits a workflow a client compiled (untrusted: checked before anything runs; this peer owns it). */
  submitGraph(graph: unknown, options: { id: string }): RunHandle<unknown>;
  /** Submits one task a client named, with its encoded arguments (untrusted, checked likewise). */
  submitTask(task: unknown, args: unknown, options: { id: string }): RunHandle<unknown>;
}

/** Options of {@linkcode ClusterMember.join}. */
export interface JoinOptions {
  /** WebSocket addresses to listen on. Default `/ip4/127.0.0.1/tcp/0/ws`. */
  listen?: string[];
  /** Members to join through (multiaddrs with `/p2p/`); none to start a new cluster. */
  bootstrap?: string[];
  /**
   * How long to keep dialling the bootstrap peers before joining fails. Default
   * {@linkcode DEFAULT_BOOTSTRAP_RETRY}: a worker started just before its bootstrap peer, or in a
   * burst of workers, still joins.
   */
  bootstrapRetry?: BootstrapRetry;
  /** The cluster secret. */
  secret?: string | Uint8Array;
  /** The node's private key (kept in the data directory by workers). */
  privateKey?: Uint8Array;
  /** A readable name for logs and `actant status`. */
  nodeId?: string;
  /** Heartbeat period and failure bound, in ms. */
  heartbeatMs?: number;
  failAfterMs?: number;
  /** Where warnings go (a peer claiming this cluster's node ids). Default `console.warn`. */
  warn?: (message: string) => void;
  /**
   * Whether light workers (browser tabs, `{ address, worker: true }`) may join through this peer
   * and be placed work. Default true; `actant worker --no-light-workers` sets it false.
   */
  lightWorkers?: boolean;
  /** Relay WebRTC signalling (`webRtcRelay()` of `@actant/actant/webrtc`). */
  relay?: RelaySupport;
  /** Dial light workers over WebRTC (`webRtc()` of `@actant/actant/webrtc`). */
  webrtc?: WebRtcSupport;
  /**
   * Told where each attempt of the runs this member owns is placed, which fail or are lost, and
   * which attempts other owners place here (see {@linkcode MemberEvent}): for logs and metrics.
   */
  onEvent?: MemberObserver;
}

/** Rounds of bootstrap dials a joining member makes by default (for up to 10 s) and their backoff. */
export const DEFAULT_BOOTSTRAP_RETRY: Readonly<Required<BootstrapRetry>> = {
  attempts: 8,
  initialMs: 250,
  maxMs: 2_000,
  withinMs: 10_000,
};

/** This process as a member of its app's cluster. */
export class ClusterMember {
  readonly node: NetNode;
  readonly nodeId: string;
  readonly membership: Membership;
  readonly #host: ClusterHost;
  readonly #placer: LeastLoadedPlacer;
  /** Runs the attempts other owners place here, in the slots of the host's scheduler. */
  readonly #attempts: AttemptRunner;
  /** The actors this peer's clients created, wherever they are hosted. */
  readonly actors: RemoteActors;
  readonly #clock: Clock;
  readonly #self: SelfReport;
  readonly #lightWorkers: boolean;
  #handBack: (reason: string) => void = () => {};
  #left: Promise<void> | undefined;
  readonly #onEvent: MemberObserver | undefined;

  private constructor(host: ClusterHost, node: NetNode, options: JoinOptions) {
    this.#host = host;
    this.node = node;
    this.#clock = host.clock ?? systemClock;
    this.nodeId = options.nodeId ?? node.peerId.slice(-8);
    this.#lightWorkers = options.lightWorkers ?? true;
    this.#self = new SelfReport(host, node, {
      nodeId: this.nodeId,
      clock: this.#clock,
      flags: this.#lightWorkers ? {} : { refusesLight: true },
    });
    this.#onEvent = options.onEvent;
    this.#attempts = new AttemptRunner(host.registry, host.scheduler.slots);
    this.membership = new Membership(node, host.name, () => this.#self.announcement(), {
      heartbeatMs: options.heartbeatMs,
      failAfterMs: options.failAfterMs,
      clock: this.#clock,
      nodeId: this.nodeId,
      warn: options.warn,
      admit: (announcement) => this.#admitLight(announcement),
      dialsLightWorkers: node.runsWebRtc,
    });
    this.#placer = new LeastLoadedPlacer(node, this.membership, {
      registersHere: (task) => host.registry.has(task),
      wake: () => host.scheduler.wake(),
      clock: this.#clock,
      onIgnored: (peerId, why) => this.#tell({ kind: "answer.ignored", from: this.#memberRef(peerId), why }),
    });
    this.actors = new RemoteActors(node, this.membership, {
      hosting: host.actors,
      registers: (cls) => host.actors.definition(cls) !== undefined,
      journal: host.journal,
      ids: host.ids,
      clock: this.#clock,
      reachable: (peerId) => this.#placer.reachable(peerId),
    });
  }

  /** Starts the node, serves the cluster's protocols, announces itself and starts placing work. */
  static async join(host: ClusterHost, options: JoinOptions = {}): Promise<ClusterMember> {
    const node = await createNetNode({
      listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0/ws"],
      bootstrap: options.bootstrap,
      bootstrapRetry: options.bootstrapRetry ?? DEFAULT_BOOTSTRAP_RETRY,
      secret: options.secret,
      privateKey: options.privateKey,
      pubsub: true,
      clock: host.clock,
      relay: options.relay,
      webrtc: options.webrtc,
    });
    const member = new ClusterMember(host, node, options);
    try {
      await member.#serve();
    } catch (error) {
      await node.stop();
      throw error;
    }
    return member;
  }

  async #serve(): Promise<void> {
    const host = this.#host;
    this.#handBack = await serveExec(this.node, { run: (task, args, origin) => this.#runPlaced(task, args, origin) });
    const hosting = await serveActorHosting(this.node, host.actors);
    // What this peer hosts for a peer its membership takes as gone is let go of (that owner moves it).
    this.membership.onChange((change) => {
      if (change.kind === "left") hosting.dropOwner(change.peerId, change.reason);
    });
    await serveTasks(
      this.node,
      {
        submitGraph: (graph, options) => host.submitGraph(graph, options),
        submitTask: (task, args, options) => host.submitTask(task, args, options),
      },
      memberActorGateway(this.actors, host.actors),
    );
    await serveStatus(this.node, { reports: () => this.statuses() });
    this.membership.start();
    host.registry.useElsewhere({
      // A task only other peers register is known here by its descriptor: the placer never runs it here.
      get: (name) => this.#placer.known(name) ? { name, options: this.#placer.optionsOf(name) } : undefined,
      names: () => this.#placer.knownTasks(),
    });
    if (this.#onEvent !== undefined) host.scheduler.observe((event) => this.#tell(this.#memberEvent(event)));
    host.scheduler.usePlacer(this.#placer);
  }

  /**
   * Whether a light worker may join: only if this peer takes light workers, and only for what this
   * peer's app registers too (a tab is a less trusted peer: it runs the servers' code, or nothing).
   */
  #admitLight(announcement: MemberAnnouncement): string | undefined {
    if (!announcement.light) return undefined;
    if (!this.#lightWorkers) return "is a light worker, and this peer takes none (--no-light-workers)";
    const unknown = firstUnknownName(announcement.registers, {
      task: (name) => this.#host.registry.has(name),
      actor: (name) => this.#host.actors.definition(name) !== undefined,
    });
    return unknown === undefined
      ? undefined
      : `is a light worker registering ${unknown}, which this peer's app does not`;
  }

  /** Runs an attempt another owner placed here: outside the scheduler, within its slots. */
  #runPlaced(task: string, args: Encoded, origin: AttemptOrigin): LocalAttempt {
    const attempt = this.#attempts.run(task, args, origin);
    const outcome = attempt.outcome;
    if (this.#onEvent !== undefined) {
      const about = { task, runId: origin.runId, attempt: origin.attempt, owner: this.#memberRef(origin.owner) };
      this.#tell({ kind: "attempt.received", ...about });
      // A failure, not a cancellation (the owner's, or a hand-back): those are the owner's to tell.
      outcome.catch((error) => {
        if (error instanceof TaskError) this.#tell({ kind: "attempt.failed", ...about, error: error.cause as Error });
      });
    }
    return attempt;
  }

  #tell(event: MemberEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // An observer (a log line) never changes what the member does.
    }
  }

  /** A scheduler's event about an attempt of a run this member owns, with its member named. */
  #memberEvent(event: AttemptEvent): MemberEvent {
    const about = { task: event.task, runId: event.runId, attempt: event.attempt };
    if (event.kind === "placed") {
      return { kind: "attempt.placed", ...about, on: event.peerId === HERE ? "here" : this.#memberRef(event.peerId) };
    }
    if (event.kind === "failed") {
      return { kind: "attempt.failed", ...about, error: event.error, retrying: event.retrying };
    }
    return { kind: "attempt.lost", ...about, error: event.error };
  }

  #memberRef(peerId: string): MemberRef {
    const nodeId = this.membership.get(peerId)?.announcement.status.nodeId;
    return nodeId === undefined ? { peerId } : { peerId, nodeId };
  }

  /** This peer's status row. */
  report(): PeerStatus {
    return this.#self.report();
  }

  /** The rows of every member this peer knows, its own first. */
  statuses(): PeerStatus[] {
    return [this.report(), ...this.membership.members().map((member) => member.announcement.status)];
  }

  /**
   * Leaves the cluster: announces it, hands attempts other owners placed here back to them,
   * stops placing work elsewhere, and stops the node.
   */
  leave(): Promise<void> {
    this.#left ??= (async () => {
      this.#host.scheduler.usePlacer(undefined);
      this.#host.scheduler.observe(undefined);
      this.#host.registry.useElsewhere(undefined);
      this.#handBack("its peer is shutting down");
      try {
        await this.membership.stop();
      } finally {
        // Even when announcing the leave fails (its node already stopped): no probe timer outlives it.
        this.#placer.close("this peer is shutting down");
        await this.node.stop();
      }
    })();
    return this.#left;
  }
}
