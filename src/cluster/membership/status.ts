/**
 * Status reports: a peer answers what it is and how busy it is, for `actant status`.
 *
 * @module
 */
import { actantProtocol, type NetNode } from "../../net/mod.ts";
import type { PeerStatus } from "./status_table.ts";

export { formatStatusTable, type PeerStatus } from "./status_table.ts";

/** The protocol id of status requests. */
export const STATUS_PROTOCOL: string = actantProtocol("status", "1");

/** What the status service needs to know: its peer's row and those of the members it knows. */
export interface StatusSource {
  reports(): PeerStatus[];
}

/** Answers status requests on `node`: one report per request. */
export async function serveStatus(node: NetNode, source: StatusSource): Promise<void> {
  await node.handleChannel<{ op: string }, { peers: PeerStatus[] }>(STATUS_PROTOCOL, async (channel) => {
    const writer = channel.writable.getWriter();
    for await (const request of channel.readable) {
      if (request?.op === "status") await writer.write({ peers: source.reports() });
    }
    await writer.close().catch(() => {});
  });
}

/** Asks the peer at `address` for the cluster's status. */
export async function requestStatus(node: NetNode, address: string): Promise<PeerStatus[]> {
  const channel = await node.openChannel<{ peers: PeerStatus[] }, { op: string }>(address, STATUS_PROTOCOL);
  const writer = channel.writable.getWriter();
  await writer.write({ op: "status" });
  const reader = channel.readable.getReader();
  const { value, done } = await reader.read();
  await writer.close().catch(() => {});
  reader.releaseLock();
  if (done || !Array.isArray(value?.peers)) throw new TypeError(`The peer at ${address} sent no status report`);
  return value.peers;
}
