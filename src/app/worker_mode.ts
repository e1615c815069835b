/**
 * Worker mode: an app joins its cluster as a member. A durable app keeps its peer key in its data
 * directory, so it rejoins under the same peer id after a restart.
 *
 * @module
 */
import { type ClusterHost, ClusterMember } from "../cluster/mod.ts";
import { loadOrCreateKey, type RelaySupport } from "../net/mod.ts";
import type { JoinClusterOptions } from "./options.ts";

/**
 * Joins with `host`'s tasks and actors; the key comes from `keyDir` (none: a fresh key) unless
 * given. Membership warnings (a peer claiming a node id) go to `warn`, the app's own.
 */
export async function joinAsWorker(
  host: ClusterHost,
  options: JoinClusterOptions,
  local: { keyDir: string | undefined; warn: (message: string) => void },
): Promise<ClusterMember> {
  const { keyDir, warn } = local;
  const { relay, ...join } = options;
  const privateKey = options.privateKey ?? (keyDir === undefined ? undefined : await loadOrCreateKey(keyDir));
  return await ClusterMember.join(host, {
    ...join,
    privateKey,
    warn,
    relay: relay === true ? await relaySupport() : undefined,
  });
}

/**
 * A circuit-relay-v2 relay, from the `@actant/actant/webrtc` code (loaded only by a worker that
 * relays: its package, `@libp2p/circuit-relay-v2`, is an optional peer dependency).
 */
async function relaySupport(): Promise<RelaySupport> {
  try {
    const { webRtcRelay } = await import("../net/webrtc.ts");
    return webRtcRelay();
  } catch (cause) {
    throw new TypeError(
      "join() option relay needs the packages @libp2p/circuit-relay-v2 and @libp2p/webrtc " +
        `(npm install @libp2p/circuit-relay-v2 @libp2p/webrtc --legacy-peer-deps): ${(cause as Error).message}`,
      { cause },
    );
  }
}
