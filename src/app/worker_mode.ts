/**
 * Worker mode: an app joins its cluster as a member. A durable app keeps its peer key in its data
 * directory, so it rejoins under the same peer id after a restart.
 *
 * @module
 */
import { type ClusterHost, ClusterMember } from "../cluster/mod.ts";
import { loadOrCreateKey } from "../net/mod.ts";
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
  const privateKey = options.privateKey ?? (keyDir === undefined ? undefined : await loadOrCreateKey(keyDir));
  return await ClusterMember.join(host, { ...options, privateKey, warn });
}
