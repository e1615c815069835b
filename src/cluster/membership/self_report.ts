/**
 * What a member says about itself: its status row (the one `actant status` shows) and its
 * announcement, read off its app's scheduler, registry and actors. Server workers and light
 * workers announce alike; a light worker says so.
 *
 * @module
 */
import type { ActorSystem } from "../../actor/mod.ts";
import type { Clock } from "../../common/mod.ts";
import type { NetNode } from "../../net/mod.ts";
import { runtimeName } from "../../runtime/mod.ts";
import type { Scheduler, TaskOptions, TaskRegistry } from "../../task/mod.ts";
import type { MemberAnnouncement } from "./announcement.ts";
import type { PeerStatus } from "./status.ts";

/** The parts of an app a member reports on. */
export interface ReportedApp {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly registry: TaskRegistry;
  readonly actors: ActorSystem;
}

/** A member's own status and announcement. */
export class SelfReport {
  readonly #app: ReportedApp;
  readonly #node: Pick<NetNode, "peerId" | "addresses">;
  readonly #nodeId: string;
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #flags: Pick<MemberAnnouncement, "light" | "refusesLight">;

  constructor(
    app: ReportedApp,
    node: Pick<NetNode, "peerId" | "addresses">,
    options: { nodeId: string; clock: Clock; flags?: Pick<MemberAnnouncement, "light" | "refusesLight"> },
  ) {
    this.#app = app;
    this.#node = node;
    this.#nodeId = options.nodeId;
    this.#clock = options.clock;
    this.#startedAt = options.clock.now();
    this.#flags = options.flags ?? {};
  }

  /** This peer's status row. */
  report(): PeerStatus {
    const stats = this.#app.scheduler.stats();
    const concurrency = this.#app.scheduler.concurrency;
    return {
      peerId: this.#node.peerId,
      nodeId: this.#nodeId,
      addresses: this.#node.addresses(),
      runtime: runtimeName(),
      tasks: {
        queued: stats.queued,
        running: stats.running,
        succeeded: stats.succeeded,
        failed: stats.failed,
        cancelled: stats.cancelled,
      },
      actors: this.#app.actors.cells().length,
      load: Number.isFinite(concurrency) ? stats.running / concurrency : 0,
      uptimeMs: this.#clock.now() - this.#startedAt,
    };
  }

  /** This peer's announcement: its status, what it registers, its concurrency (and flags). */
  announcement(): MemberAnnouncement {
    const concurrency = this.#app.scheduler.concurrency;
    return {
      app: this.#app.name,
      status: this.report(),
      registers: { tasks: this.#app.registry.names(), actors: this.#app.actors.names(), options: this.#taskOptions() },
      concurrency: Number.isFinite(concurrency) ? concurrency : null,
      ...this.#flags,
    };
  }

  #taskOptions(): Record<string, TaskOptions> {
    const options: Record<string, TaskOptions> = {};
    for (const name of this.#app.registry.names()) {
      const declared = this.#app.registry.get(name).options;
      if (Object.keys(declared).length > 0) options[name] = declared;
    }
    return options;
  }
}
