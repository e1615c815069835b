/**
 * The status of a cluster, asked of one of its peers (what `actant status` prints).
 *
 * @module
 */
import type { PeerStatus } from "../cluster/membership/status_table.ts";

export { formatStatusTable, type PeerStatus } from "../cluster/membership/status_table.ts";

/**
 * Every member the peer at `address` knows, itself first.
 *
 * @throws {TypeError} for an address without `/p2p/<id>`.
 * @throws {PeerUnreachableError} when the peer does not answer (or the secret is not the cluster's).
 */
export async function clusterStatus(
  address: string,
  options: { secret?: string | Uint8Array } = {},
): Promise<PeerStatus[]> {
  // The network loads here, on first use: an app that never asks for a status never loads libp2p.
  const [{ createNetNode }, { requestStatus }] = await Promise.all([
    import("../net/mod.ts"),
    import("../cluster/membership/status.ts"),
  ]);
  const node = await createNetNode({ secret: options.secret });
  try {
    return await requestStatus(node, address);
  } finally {
    await node.stop();
  }
}
