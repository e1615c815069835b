/**
 * Actant's cluster tools, as a sub-path (`@actant/actant/cluster`): asking a cluster for its
 * status, and the types of a member's handle. Importing it loads libp2p; the root module
 * (`@actant/actant`) does not until an app needs the network.
 *
 * @example
 * ```ts
 * import { clusterStatus, formatStatusTable } from "@actant/actant/cluster";
 *
 * console.log(formatStatusTable(await clusterStatus("/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooW...")));
 * ```
 *
 * @module
 */

/** A cluster's status, as `actant status` prints it. */
export { clusterStatus, formatStatusTable } from "./src/app/cluster_status.ts";

/** A member's handle and its status row. */
export type { ClusterMember, PeerStatus } from "./src/cluster/mod.ts";

/** The network's errors. */
export { AddressInUseError, FrameError, PeerUnreachableError, ProtocolNotSupportedError } from "./src/net/errors.ts";
