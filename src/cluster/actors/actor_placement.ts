/**
 * Where an owner places an actor: the members that register its class, fewest actors first
 * (another member wins a tie with this peer), members it recently failed to reach last.
 *
 * @module
 */
import type { Member } from "../membership/mod.ts";

/** What placement knows about one peer. */
export interface PlacementView {
  /** The members alive now (this peer excluded). */
  members: readonly Member[];
  /** This peer's id, and whether it registers the class itself. */
  self: { peerId: string; registers: boolean };
  /** Actors this owner placed on `peerId` (not yet in its announcement). */
  hostedOn(peerId: string): number;
  /** Whether opening `/actant/actors/1` on `peerId` failed lately. */
  unreachable(peerId: string): boolean;
}

/**
 * The peers to try for an actor of class `cls`, best first, leaving out `exclude` (a host it
 * just lost, hosts already tried).
 */
export function actorCandidates(cls: string, view: PlacementView, exclude: ReadonlySet<string>): string[] {
  const scored: Array<{ peerId: string; score: number; local: boolean }> = [];
  for (const member of view.members) {
    if (exclude.has(member.peerId) || !member.announcement.registers.actors.includes(cls)) continue;
    scored.push({ peerId: member.peerId, score: announcedActors(member) + view.hostedOn(member.peerId), local: false });
  }
  if (view.self.registers && !exclude.has(view.self.peerId)) {
    scored.push({ peerId: view.self.peerId, score: view.hostedOn(view.self.peerId), local: true });
  }
  scored.sort((a, b) => rank(a, view) - rank(b, view) || a.score - b.score || Number(a.local) - Number(b.local));
  return scored.map((candidate) => candidate.peerId);
}

function rank(candidate: { peerId: string }, view: PlacementView): number {
  return view.unreachable(candidate.peerId) ? 1 : 0;
}

/** A member's announced actor count; a value that is not a count ranks it last rather than first. */
function announcedActors(member: Member): number {
  const count = member.announcement.status.actors;
  return Number.isFinite(count) && count >= 0 ? count : Number.MAX_SAFE_INTEGER;
}
