/**
 * Which members the placer may use. Membership lists what this peer has heard of, and hearing a
 * member says nothing about reaching it: gossipsub relays a member's signed announcements through
 * third peers, so a member cut off from this peer (a partial partition) keeps "announcing" here.
 * A member whose attempt channel failed, or that left, or that was first heard of with no
 * connection of this peer's own to it, is therefore out of placement until a direct ping to it
 * succeeds; it is probed on a timer, with a backoff that grows with each failure in a row and is
 * reset only when the member answers an attempt.
 *
 * @module
 */
import { backoffDelay, type Clock, type TimerHandle } from "../../common/mod.ts";
import type { NetNode } from "../../net/mod.ts";

/** First delay before probing a member that failed, in ms. */
export const PROBE_INITIAL_MS = 250;
/** Longest delay between two probes of a member, in ms. */
export const PROBE_MAX_MS = 15_000;
/** Most members remembered as unproven; beyond it the oldest no longer in membership are forgotten. */
const MAX_TRACKED = 4_096;

interface Unproven {
  /** Failures in a row: losses and failed probes since the member last answered an attempt. */
  failures: number;
  timer: TimerHandle | undefined;
  probing: boolean;
}

/** What {@linkcode Reachability} needs from its surroundings. */
export interface ReachabilityOptions {
  /** Times the probes (a `ManualClock` in tests). */
  clock: Clock;
  /** Whether `peerId` is still a member (a member that left is not probed until heard of again). */
  isMember: (peerId: string) => boolean;
  /** Told when a member is proven reachable again: queued work may go there now. */
  onBack: (peerId: string) => void;
}

/** Tracks the members that must prove themselves reachable before the placer uses them again. */
export class Reachability {
  readonly #node: Pick<NetNode, "ping">;
  readonly #options: ReachabilityOptions;
  /** Members out of placement. */
  readonly #unproven = new Map<string, Unproven>();
  /** Failures in a row of members back in placement, so a member that fails again waits longer. */
  readonly #streaks = new Map<string, number>();
  #closed = false;

  constructor(node: Pick<NetNode, "ping">, options: ReachabilityOptions) {
    this.#node = node;
    this.#options = options;
  }

  /** Whether the placer may send attempts to `peerId`. */
  usable(peerId: string): boolean {
    return !this.#unproven.has(peerId);
  }

  /** `peerId` failed (its channel broke, it handed attempts back, or it left): out until proven back. */
  failed(peerId: string): void {
    if (this.#closed) return;
    const known = this.#unproven.get(peerId);
    if (known !== undefined) return;
    const entry: Unproven = { failures: (this.#streaks.get(peerId) ?? 0) + 1, timer: undefined, probing: false };
    this.#streaks.delete(peerId);
    this.#unproven.set(peerId, entry);
    this.#trim();
    this.#schedule(peerId, entry);
  }

  /**
   * `peerId` was heard of only through others (no connection of this peer's own to it yet): out
   * of placement until a first probe, at once, reaches it.
   */
  unproven(peerId: string): void {
    if (this.#closed) return;
    if (this.#unproven.has(peerId)) return this.heard(peerId);
    const entry: Unproven = { failures: this.#streaks.get(peerId) ?? 0, timer: undefined, probing: false };
    this.#streaks.delete(peerId);
    this.#unproven.set(peerId, entry);
    this.#trim();
    this.#schedule(peerId, entry);
  }

  /** `peerId` answered an attempt: its next failure starts the backoff afresh. */
  answered(peerId: string): void {
    this.#streaks.delete(peerId);
  }

  /** `peerId` was heard of (again): probe it, on its backoff, if it is out of placement. */
  heard(peerId: string): void {
    const entry = this.#unproven.get(peerId);
    if (entry !== undefined && entry.timer === undefined && !entry.probing) this.#schedule(peerId, entry);
  }

  /** Stops every probe. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#unproven.values()) entry.timer?.cancel();
    this.#unproven.clear();
    this.#streaks.clear();
  }

  #schedule(peerId: string, entry: Unproven): void {
    if (this.#closed || !this.#options.isMember(peerId)) return; // probed again once heard of
    const delay = entry.failures === 0
      ? 0
      : backoffDelay(entry.failures, { initial: PROBE_INITIAL_MS, max: PROBE_MAX_MS });
    entry.timer = this.#options.clock.setTimeout(() => {
      entry.timer = undefined;
      void this.#probe(peerId, entry);
    }, delay);
  }

  async #probe(peerId: string, entry: Unproven): Promise<void> {
    if (this.#unproven.get(peerId) !== entry) return;
    entry.probing = true;
    let reached = false;
    try {
      // A ping goes over a connection of this peer's own (dialled if there is none): evidence.
      await this.#node.ping(peerId);
      reached = true;
    } catch {
      // unreachable still
    }
    entry.probing = false;
    if (this.#closed || this.#unproven.get(peerId) !== entry) return;
    if (!reached) {
      entry.failures++;
      return this.#schedule(peerId, entry);
    }
    this.#unproven.delete(peerId);
    this.#streaks.set(peerId, entry.failures);
    this.#options.onBack(peerId);
  }

  /** Forgets the oldest unproven peers that are no longer members, so rogue ids cannot grow the map. */
  #trim(): void {
    if (this.#unproven.size + this.#streaks.size <= MAX_TRACKED) return;
    for (const [peerId, entry] of this.#unproven) {
      if (this.#unproven.size + this.#streaks.size <= MAX_TRACKED / 2) break;
      if (this.#options.isMember(peerId)) continue;
      entry.timer?.cancel();
      this.#unproven.delete(peerId);
    }
    for (const peerId of this.#streaks.keys()) {
      if (this.#unproven.size + this.#streaks.size <= MAX_TRACKED / 2) break;
      this.#streaks.delete(peerId);
    }
  }
}
