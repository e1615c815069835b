/**
 * The errors a client meets when the connection to its owner (the worker it submits to) breaks:
 * the owner could not be reached again within the reconnect bounds, or an actor request was in
 * flight when the connection broke.
 *
 * @module
 */
import { ActantError, type ActantErrorOptions, registerErrorClasses } from "../../common/mod.ts";

/**
 * The connection to the owner broke and every reconnection attempt failed. Pending handles and
 * every later call of the client reject with it. The work the owner holds is not lost by that:
 * a durable owner that comes back later still has it, by id.
 */
export class OwnerUnreachableError extends ActantError {
  override name = "OwnerUnreachableError";
  /** The owner's address, as the client was given it. */
  readonly address: string;
  /** Reconnection attempts made. */
  readonly attempts: number;
  /** Milliseconds from the loss of the connection to giving up (on the client's clock). */
  readonly elapsedMs: number;
  constructor(address: string, attempts: number, elapsedMs: number, options?: ActantErrorOptions) {
    const last = options?.cause instanceof Error ? ` (last: ${options.cause.message})` : "";
    super(
      "OWNER_UNREACHABLE",
      `Lost the connection to the owner at ${address} and could not reach it again: ${attempts} reconnection ` +
        `attempt${attempts === 1 ? "" : "s"} over ${formatMs(elapsedMs)} failed${last}. Work it acknowledged is kept ` +
        `by a durable owner: once it is back, submit the same ids again to get their handles`,
      options,
    );
    this.address = address;
    this.attempts = attempts;
    this.elapsedMs = Math.round(elapsedMs);
  }
}

/**
 * An actor request (create, get, call, stop) was in flight when the connection to the owner
 * broke (or, for a direct call, the connection to the actor's host). It is not sent again after
 * the client reconnects: the owner may have applied and logged it already, and a second copy
 * would apply twice. Read the actor's state before retrying.
 */
export class RequestInterruptedError extends ActantError {
  override name = "RequestInterruptedError";
  /** The request's operation: `"actor.call"`, `"actor.create"`, `"actor.get"` or `"actor.stop"`. */
  readonly op: string;
  /** The owner's address, as the client was given it (for a direct call, the host's peer id). */
  readonly address: string;
  /** Whose connection broke: the owner's, or (a direct call) the actor's host's. */
  readonly peer: "owner" | "host";
  /** `options.peer`: `"host"` for a direct call. Default `"owner"`. */
  constructor(op: string, address: string, what: string, options?: ActantErrorOptions & { peer?: "owner" | "host" }) {
    const peer = options?.peer ?? "owner";
    super(
      "REQUEST_INTERRUPTED",
      `The connection to ${peer === "owner" ? "the owner" : "the actor's host"} at ${address} broke while ${what} ` +
        `was in flight: it may or may not have been applied, and it is not sent again (it could apply twice); ` +
        `check the actor's state before retrying`,
      options,
    );
    this.op = op;
    this.address = address;
    this.peer = peer;
  }
}

function formatMs(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

// Rebuilt as their own classes when they come back as data.
registerErrorClasses({ OwnerUnreachableError, RequestInterruptedError });
