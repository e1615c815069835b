/**
 * What a cluster member tells the observer given to `join({ onEvent })`: where the attempts of
 * the runs it owns are placed, which of them fail or are lost, and the attempts other owners place
 * on it. For logs (`actant worker --log-level debug`) and metrics; nothing waits on the observer.
 *
 * @module
 */
import type { AttemptRef } from "../../task/mod.ts";

/** A member as an event names it: its peer id and, once it has announced itself, its node id. */
export interface MemberRef {
  readonly peerId: string;
  readonly nodeId?: string;
}

/** One thing that happened on a member. Attempt events of runs this member owns come from its scheduler. */
export type MemberEvent =
  /** This member placed an attempt of a run it owns: on itself (`"here"`) or on another member. */
  | AttemptRef & { readonly kind: "attempt.placed"; readonly on: "here" | MemberRef }
  /**
   * An attempt failed: of a run this member owns (`retrying` says whether it runs again), or one
   * another member placed here (`owner` names it; that owner decides about a retry).
   */
  | AttemptRef & {
    readonly kind: "attempt.failed";
    readonly error: Error;
    readonly retrying?: boolean;
    readonly owner?: MemberRef;
  }
  /** The member running an attempt of a run this member owns left or was unreachable: it is placed again. */
  | AttemptRef & { readonly kind: "attempt.lost"; readonly error: Error }
  /** Another member (`owner`) placed an attempt on this one, which runs it now. */
  | AttemptRef & { readonly kind: "attempt.received"; readonly owner: MemberRef }
  /**
   * A member (`from`) sent what answers no attempt this member has in flight on it (`why` says
   * what): dropped. A tab that resumes after its work was placed elsewhere does it; so does a rogue peer.
   */
  | { readonly kind: "answer.ignored"; readonly from: MemberRef; readonly why: string };

/** The observer of `join({ onEvent })`: called synchronously; what it throws is ignored. */
export type MemberObserver = (event: MemberEvent) => void;
