/**
 * The status of a cluster, asked of one of its peers (what `actant status` prints).
 *
 * @module
 */
import { formatStatusTable, type PeerStatus, requestStatus } from "../cluster/mod.ts";
import { createNetNode } from "../net/mod.ts";

export { formatStatusTable, type PeerStatus };

/**
 * Every member the peer at `address` knows, itself first.
 *
 * @throws {TypeError} for an address without `/p2p/<id>`.
 * @throws {PeerUnreachableError} when the peer does not answer (or the secret is not the cluster's).
 */
export async function clusterStatus(address: string, options: { secret?: string | Uint8Array } = {}): Promise<PeerStatus[]> {
  const node = await createNetNode({ secret: options.secret });
  try {
    return await requestStatus(node, address);
  } finally {
    await node.stop();
  }
}
