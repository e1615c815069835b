/**
 * Placement: each attempt goes to the peer that registers its task and is least loaded
 * (attempts in flight there over its concurrency), this peer winning ties; a peer whose
 * concurrency is used up gets nothing more until it answers. Parallel members of a workflow
 * therefore spread over the cluster as soon as one peer is busier than another.
 *
 * Only members this peer can reach are used: a member whose attempt channel failed, or that left,
 * waits out of placement until a direct ping proves it back (`./reachability.ts`), so an attempt
 * handed back by a lost member is never placed on it again at once.
 *
 * @module
 */
import type { Clock } from "../../common/mod.ts";
import type { NetNode } from "../../net/mod.ts";
import { HERE, type LocalLoad, type Placer, type RemoteWorker, type TaskOptions } from "../../task/mod.ts";
import type { MemberAnnouncement } from "../membership/mod.ts";
import type { Membership } from "../membership/mod.ts";
import { PeerWorker } from "./peer_worker.ts";
import { Reachability } from "../membership/mod.ts";

/** The capacity weighed for a peer without a concurrency limit. */
const UNBOUNDED_CAPACITY = 1024;

/** What {@linkcode LeastLoadedPlacer} needs besides its node and membership. */
export interface PlacerOptions {
  /** Whether this peer registers `task`. */
  registersHere: (task: string) => boolean;
  /** Called whenever some peer may have room again (an answer, a join, a member proven reachable). */
  wake: () => void;
  /** Times the probes of members out of placement. */
  clock: Clock;
  /** A member sent what answers no attempt in flight on it (see `PeerWorkerEvents.onIgnored`). */
  onIgnored?: (peerId: string, why: string) => void;
}

/** Places attempts on the least loaded member that registers the task. */
export class LeastLoadedPlacer implements Placer {
  readonly #node: NetNode;
  readonly #membership: Membership;
  readonly #registersHere: (task: string) => boolean;
  readonly #wake: () => void;
  readonly #onIgnored: PlacerOptions["onIgnored"];
  readonly #workers = new Map<string, PeerWorker>();
  readonly #taskSets = new WeakMap<MemberAnnouncement, Set<string>>();
  readonly #reachability: Reachability;
  readonly #stop: () => void;

  constructor(node: NetNode, membership: Membership, options: PlacerOptions) {
    const { registersHere, wake, clock, onIgnored } = options;
    this.#node = node;
    this.#onIgnored = onIgnored;
    this.#membership = membership;
    this.#registersHere = registersHere;
    this.#wake = wake;
    this.#reachability = new Reachability(node, {
      clock,
      isMember: (peerId) => membership.get(peerId) !== undefined,
      onBack: () => wake(),
    });
    this.#stop = membership.onChange((change) => {
      if (change.kind === "left") {
        // Out until proven back: a member heard of again through gossip may still be cut off from here.
        this.#reachability.failed(change.peerId);
        const worker = this.#workers.get(change.peerId);
        this.#workers.delete(change.peerId);
        worker?.lost(change.reason);
      } else if (change.kind === "joined") {
        const peerId = change.member.peerId;
        if (node.peers().includes(peerId)) this.#reachability.heard(peerId);
        else this.#reachability.unproven(peerId); // heard of through a third peer: hearsay
      }
      wake();
    });
  }

  place(task: string, local: LocalLoad): RemoteWorker | typeof HERE | undefined {
    let best: RemoteWorker | typeof HERE | undefined;
    let bestLoad = Infinity;
    if (this.#registersHere(task) && local.running < local.concurrency) {
      best = HERE;
      bestLoad = local.running / capacity(local.concurrency);
    }
    for (const member of this.#membership.members()) {
      if (!this.#registers(member.announcement, task) || !this.#reachability.usable(member.peerId)) continue;
      const limit = member.announcement.concurrency ?? Infinity;
      const worker = this.#workers.get(member.peerId);
      const inFlight = worker?.inFlight ?? 0;
      if (inFlight >= limit) continue;
      const load = (inFlight + member.announcement.status.tasks.queued) / capacity(limit);
      if (load < bestLoad) {
        best = worker ?? this.#worker(member.peerId);
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * Whether attempts may go to member `peerId`: it was not lost, or has been proven reachable
   * since (for other placers, e.g. of actors, that want the same evidence).
   */
  reachable(peerId: string): boolean {
    return this.#reachability.usable(peerId);
  }

  /**
   * Takes `peerId` out of placement until a direct ping proves it back: another protocol (actor
   * hosting) could not reach it. Attempts already out there stay until their own channel fails.
   */
  unreachable(peerId: string): void {
    this.#reachability.failed(peerId);
  }

  /** Whether any member (or this peer) registers `task`. */
  known(task: string): boolean {
    return this.#registersHere(task) ||
      this.#membership.members().some((member) => this.#registers(member.announcement, task));
  }

  /** The options a member declares for `task` (checked: a peer's word is not trusted blindly). */
  optionsOf(task: string): TaskOptions {
    for (const member of this.#membership.members()) {
      const options = member.announcement.registers.options?.[task];
      if (options !== undefined && this.#registers(member.announcement, task)) return saneOptions(options);
    }
    return {};
  }

  /** Every task name registered somewhere in the cluster. */
  knownTasks(): string[] {
    const names = new Set<string>();
    for (const member of this.#membership.members()) {
      for (const name of member.announcement.registers.tasks) names.add(name);
    }
    return [...names];
  }

  /** Stops following membership; attempts out on other peers are lost. */
  close(reason: string): void {
    this.#stop();
    this.#reachability.close();
    for (const worker of this.#workers.values()) worker.lost(reason);
    this.#workers.clear();
  }

  #worker(peerId: string): PeerWorker {
    const worker: PeerWorker = new PeerWorker(this.#node, peerId, {
      onSettled: this.#wake,
      onAnswered: () => this.#reachability.answered(peerId),
      onIgnored: (why) => this.#onIgnored?.(peerId, why),
      onLost: () => {
        if (this.#workers.get(peerId) !== worker) return;
        this.#workers.delete(peerId);
        this.#reachability.failed(peerId);
      },
    });
    this.#workers.set(peerId, worker);
    return worker;
  }

  #registers(announcement: MemberAnnouncement, task: string): boolean {
    let tasks = this.#taskSets.get(announcement);
    if (tasks === undefined) {
      tasks = new Set(announcement.registers.tasks);
      this.#taskSets.set(announcement, tasks);
    }
    return tasks.has(task);
  }
}

function capacity(concurrency: number): number {
  return Number.isFinite(concurrency) ? concurrency : UNBOUNDED_CAPACITY;
}

/** The parts of announced options that are in range; anything else is left at its default. */
function saneOptions(options: TaskOptions): TaskOptions {
  const sane: { -readonly [K in keyof TaskOptions]: TaskOptions[K] } = {};
  if (Number.isInteger(options.retries) && options.retries! >= 0 && options.retries! <= 1_000) {
    sane.retries = options.retries;
  }
  if (typeof options.timeout === "number" && options.timeout > 0) sane.timeout = options.timeout;
  const backoff = options.backoff;
  if (typeof backoff === "object" && backoff !== null) {
    sane.backoff = {};
    if (typeof backoff.initial === "number" && backoff.initial >= 0) sane.backoff.initial = backoff.initial;
    if (typeof backoff.factor === "number" && backoff.factor >= 1) sane.backoff.factor = backoff.factor;
    if (typeof backoff.max === "number" && backoff.max >= 0) sane.backoff.max = backoff.max;
    if (typeof backoff.jitter === "boolean") sane.backoff.jitter = backoff.jitter;
  }
  return sane;
}
