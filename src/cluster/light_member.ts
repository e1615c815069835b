/**
 * A light worker's place in its cluster (a browser tab, or any app built with `{ address,
 * worker: true }`): it runs the attempts and hosts the actors that servers place on it, over the
 * connections it opened to servers (and, when it runs WebRTC, those that servers it cannot dial
 * opened to it over WebRTC), within its own concurrency. It keeps no log and owns no
 * work (what it submits goes to its server, which owns and logs it), serves no clients, and runs
 * only what its server's app registers under the same names: the server refuses it otherwise, and
 * so does this side, before anything is placed, with an error that says why. Peers that reach it
 * over WebRTC call the actors hosted here directly (`/actant/actor-calls/1`).
 *
 * @module
 */
import type { ActorSystem } from "../actor/mod.ts";
import { type Clock, type Encoded, systemClock } from "../common/mod.ts";
import type { NetNode } from "../net/mod.ts";
import { AttemptRunner, type Scheduler, type TaskRegistry } from "../task/mod.ts";
import { serveActorHosting, serveDirectCalls } from "./actors/mod.ts";
import { serveExec } from "./attempts/mod.ts";
import { LightWorkerRefusedError } from "./light_errors.ts";
import { firstUnknownName, type Member, Membership, SelfReport } from "./membership/mod.ts";

/** What a light member needs from its app. */
export interface LightHost {
  readonly name: string;
  /** Its slots (`concurrency`) are the light worker's: attempts placed here run within them. */
  readonly scheduler: Scheduler;
  readonly registry: TaskRegistry;
  readonly actors: ActorSystem;
  readonly clock?: Clock;
}

/** Options of {@linkcode LightMember.join}. */
export interface LightJoinOptions {
  /** The peer id of the server the node is connected to (the light worker's way in). */
  server: string;
  /** A readable name for `actant status`. Default `light-` and the end of the peer id. */
  nodeId?: string;
  heartbeatMs?: number;
  failAfterMs?: number;
  /** How long to wait for the server's announcement before joining fails. Default 10 s. */
  acceptWithinMs?: number;
  warn?: (message: string) => void;
}

/** This app as a light worker of its server's cluster. */
export class LightMember {
  readonly node: NetNode;
  readonly nodeId: string;
  readonly membership: Membership;
  readonly #self: SelfReport;
  #handBack: (reason: string) => void = () => {};
  #left: Promise<void> | undefined;

  private constructor(host: LightHost, node: NetNode, options: LightJoinOptions) {
    this.node = node;
    const clock = host.clock ?? systemClock;
    this.nodeId = options.nodeId ?? `light-${node.peerId.slice(-6)}`;
    this.#self = new SelfReport(host, node, { nodeId: this.nodeId, clock, flags: { light: true } });
    this.membership = new Membership(node, host.name, () => this.#self.announcement(), {
      heartbeatMs: options.heartbeatMs,
      failAfterMs: options.failAfterMs,
      clock,
      nodeId: this.nodeId,
      warn: options.warn,
    });
  }

  /**
   * Serves attempts and actor hosting on `node` (connected to `options.server`), announces
   * itself, and waits for the server's announcement to check that it is taken.
   *
   * @throws {LightWorkerRefusedError} when the server takes no light workers, or does not
   *   register a task or actor class this app registers.
   */
  static async join(host: LightHost, node: NetNode, options: LightJoinOptions): Promise<LightMember> {
    const member = new LightMember(host, node, options);
    const runner = new AttemptRunner(host.registry, host.scheduler.slots);
    member.#handBack = await serveExec(node, {
      run: (task: string, args: Encoded, origin) => runner.run(task, args, origin),
    });
    const hosting = await serveActorHosting(node, host.actors);
    // Callers that reach this peer over WebRTC (other tabs) call the actors hosted here directly.
    await serveDirectCalls(node, hosting.hosted);
    member.membership.onChange((change) => {
      if (change.kind === "left") hosting.dropOwner(change.peerId, change.reason);
    });
    member.membership.start();
    try {
      const server = await member.#serverAnnounced(options.server, options.acceptWithinMs ?? 10_000, host.clock);
      const refusal = refusalOf(server, host);
      if (refusal !== undefined) throw new LightWorkerRefusedError(options.server, refusal);
    } catch (error) {
      await member.leave();
      throw error;
    }
    return member;
  }

  /** The server as a member, once its announcement has arrived. */
  #serverAnnounced(server: string, withinMs: number, clock: Clock = systemClock): Promise<Member> {
    const known = this.membership.get(server);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        stop();
        reject(
          new LightWorkerRefusedError(
            server,
            `no announcement of it arrived within ${withinMs} ms (is it a worker of the same app?)`,
          ),
        );
      }, withinMs);
      const stop = this.membership.onChange((change) => {
        if (change.kind === "left" || change.member.peerId !== server) return;
        stop();
        timer.cancel();
        resolve(change.member);
      });
    });
  }

  /**
   * Hands back what servers placed here and tells them this member is gone for now (its page is
   * about to be frozen or hidden): they place its attempts again and move its actors. Best effort:
   * what a page sends as it is frozen may go out only when it runs again; then the servers, which
   * hear no more heartbeats and get no answer to their pings, take it as gone all the same. Its
   * next heartbeat (once the page runs again) makes it a member again.
   */
  handBack(reason: string): void {
    this.#handBack(reason);
    void this.membership.announce({ leaving: true });
  }

  /** Hands back what servers placed here and leaves; the node is its app's to stop. */
  leave(): Promise<void> {
    this.#left ??= (async () => {
      this.#handBack("the light worker is leaving");
      await this.membership.stop();
    })();
    return this.#left;
  }
}

/** Why `server` would refuse this light worker, or `undefined`. */
function refusalOf(server: Member, host: LightHost): string | undefined {
  const announcement = server.announcement;
  if (announcement.refusesLight) return "it takes no light workers (it runs with --no-light-workers)";
  const tasks = new Set(announcement.registers.tasks);
  const actors = new Set(announcement.registers.actors);
  const unknown = firstUnknownName(
    { tasks: host.registry.names(), actors: host.actors.names() },
    { task: (name) => tasks.has(name), actor: (name) => actors.has(name) },
  );
  return unknown === undefined ? undefined : `its app does not register ${unknown}, which this app does`;
}
