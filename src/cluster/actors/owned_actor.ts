/**
 * What the owner of a placed actor keeps about it (`./remote_actors.ts`): where it lives, the
 * calls not yet answered, the records handed to the log.
 *
 * @module
 */
import type { ActorCall, ActorHistory } from "../../actor/mod.ts";
import type { Encoded } from "../../common/mod.ts";
import type { EncodedMessage } from "../../net/mod.ts";
import type { OwnerMessage } from "./actor_protocol.ts";
import type { HostLink } from "./host_link.ts";

/** A call waiting for its logged outcome; it follows its actor to a new host. */
export interface PendingCall {
  readonly method: string;
  /** The call as it goes to the host, encoded once. */
  readonly message: EncodedMessage<OwnerMessage>;
  readonly done: PromiseWithResolvers<Encoded | undefined>;
  /** The link it was last sent on: only that host may refuse it. */
  sentOn?: HostLink;
  /** The id of a direct call sent again through the owner: an event under it answers this call. */
  readonly via?: string;
}

/** A direct call's logged outcome. */
export type DirectOutcome = Pick<ActorCall, "result" | "error">;

/** An actor this peer owns, and what its log says about it. */
export interface OwnedActor extends ActorHistory {
  readonly id: string;
  readonly cls: string;
  readonly name: string | undefined;
  readonly args: Encoded;
  /** `placing`: being created or moved; calls wait. `live`: on `link`, calls go there. */
  status: "placing" | "live" | "stopped";
  /** The host it lives on (or is being placed on). */
  host: string | undefined;
  /** The only link whose records are logged for it. */
  link: HostLink | undefined;
  /** Calls not yet answered, by key: the order they were made in, which is the order they are sent in. */
  readonly calls: Map<number, PendingCall>;
  /** Records handed to the log and not yet acknowledged and answered. */
  readonly recording: Set<Promise<void>>;
  /** The placement under way. */
  placed: Promise<void> | undefined;
  /** Whether its creation finished: only then can it be found and called. */
  created: boolean;
  /** The outcomes of its latest direct calls (see `REMEMBERED_OUTCOMES`), by `via` id. */
  readonly direct: Map<string, DirectOutcome>;
}

/** Whether `actor` ended while something awaited (a read the compiler would narrow away). */
export function isOver(actor: OwnedActor): boolean {
  return actor.status === "stopped";
}
