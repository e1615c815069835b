/**
 * Joining through bootstrap peers, with bounded retries: a worker started while its bootstrap peer
 * is briefly unreachable (not listening yet, restarting, refusing a burst of connections) tries
 * again with a growing delay instead of giving up on the first failed dial.
 *
 * @module
 */
import { peerIdFromString } from "@libp2p/peer-id";
import { KEEP_ALIVE, type Libp2p } from "@libp2p/interface";
import { backoffDelay, type Clock, describe, sleep, systemClock } from "../common/mod.ts";
import type { PeerAddress } from "./addresses.ts";
import { PeerUnreachableError } from "./errors.ts";

/** How often and how patiently a node dials its bootstrap peers before it gives up. */
export interface BootstrapRetry {
  /** Rounds of dials in all (1: no retry). Default 1. */
  attempts?: number;
  /** Delay before the second round, in ms; it doubles each round. Default 250. */
  initialMs?: number;
  /** Longest delay between two rounds, in ms. Default 4,000. */
  maxMs?: number;
  /** No round starts later than this after the first one, in ms (slow failed dials count). Default 10,000. */
  withinMs?: number;
}

const RETRY_FIELDS = new Set(["attempts", "initialMs", "maxMs", "withinMs"]);

/** `retry`, checked (a `RangeError` naming the bad field, a `TypeError` for an unknown one), with defaults. */
export function checkBootstrapRetry(retry: BootstrapRetry | undefined): Required<BootstrapRetry> {
  for (const key of Object.keys(retry ?? {})) {
    if (!RETRY_FIELDS.has(key)) {
      throw new TypeError(`bootstrapRetry has no option "${key}" (known: ${[...RETRY_FIELDS].join(", ")})`);
    }
  }
  const checked = {
    attempts: retry?.attempts ?? 1,
    initialMs: retry?.initialMs ?? 250,
    maxMs: retry?.maxMs ?? 4_000,
    withinMs: retry?.withinMs ?? 10_000,
  };
  if (!(Number.isInteger(checked.attempts) && checked.attempts >= 1)) {
    throw new RangeError(`bootstrapRetry.attempts must be an integer >= 1, got ${String(checked.attempts)}`);
  }
  for (const key of ["initialMs", "maxMs", "withinMs"] as const) {
    if (!(Number.isFinite(checked[key]) && checked[key] >= 0)) {
      throw new RangeError(`bootstrapRetry.${key} must be a finite number >= 0, got ${String(checked[key])}`);
    }
  }
  return checked;
}

/**
 * Dials `bootstrap` (tagged keep-alive, so libp2p reconnects when they drop) until one answers,
 * for at most `retry.attempts` rounds, none starting later than `retry.withinMs` after the first;
 * the delays and that bound are on `clock` (default the system clock).
 *
 * @throws {PeerUnreachableError} when no round reached any of them (the last round's reasons).
 */
export async function dialBootstrap(
  libp2p: Pick<Libp2p, "peerStore" | "status">,
  bootstrap: readonly PeerAddress[],
  options: { retry: Required<BootstrapRetry>; dial: (address: string) => Promise<unknown>; clock?: Clock },
): Promise<void> {
  if (bootstrap.length === 0) return;
  for (const { multiaddr, peerId } of bootstrap) {
    await libp2p.peerStore.merge(peerIdFromString(peerId), {
      multiaddrs: [multiaddr],
      tags: { [KEEP_ALIVE]: { value: 1 } },
    });
  }
  const { retry, dial, clock = systemClock } = options;
  const started = clock.now();
  for (let round = 1;; round++) {
    const results = await Promise.allSettled(bootstrap.map(({ multiaddr }) => dial(multiaddr.toString())));
    if (results.some((result) => result.status === "fulfilled")) return;
    const errors = results.map((result) => (result as PromiseRejectedResult).reason);
    if (round >= retry.attempts || libp2p.status !== "started") throw joinError(bootstrap, errors, round);
    const delay = backoffDelay(round, { initial: retry.initialMs, max: retry.maxMs });
    if (clock.now() + delay - started > retry.withinMs) throw joinError(bootstrap, errors, round);
    await sleep(clock, delay);
  }
}

function joinError(bootstrap: readonly PeerAddress[], errors: unknown[], rounds: number): unknown {
  const tries = rounds === 1 ? "" : ` after ${rounds} tries`;
  if (errors.length === 1 && rounds === 1) return errors[0];
  return new PeerUnreachableError(
    bootstrap.map(({ multiaddr }) => multiaddr.toString()).join(", "),
    `none of the ${errors.length} bootstrap peers answered${tries} (${errors.map(describe).join("; ")})`,
    { cause: errors.length === 1 ? errors[0] : new AggregateError(errors) },
  );
}
