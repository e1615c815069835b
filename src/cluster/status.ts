/**
 * Status reports: a peer answers what it is and how busy it is, for `actant status`.
 *
 * @module
 */
import { actantProtocol, type NetNode } from "../net/mod.ts";

/** The protocol id of status requests. */
export const STATUS_PROTOCOL: string = actantProtocol("status", "1");

/** One peer's report. */
export interface PeerStatus {
  peerId: string;
  nodeId: string;
  addresses: string[];
  runtime: string;
  tasks: { queued: number; running: number; succeeded: number; failed: number; cancelled: number };
  actors: number;
  /** Running attempts over the concurrency limit, 0 to 1. */
  load: number;
  uptimeMs: number;
}

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

/** The reports as a readable table. */
export function formatStatusTable(peers: readonly PeerStatus[]): string {
  const header = ["node", "peer", "runtime", "queued", "running", "done", "failed", "actors", "load", "uptime", "addresses"];
  const rows = peers.map((peer) => [
    peer.nodeId,
    `${peer.peerId.slice(0, 12)}…`,
    peer.runtime,
    String(peer.tasks.queued),
    String(peer.tasks.running),
    String(peer.tasks.succeeded),
    String(peer.tasks.failed),
    String(peer.actors),
    `${Math.round(peer.load * 100)}%`,
    `${Math.round(peer.uptimeMs / 1000)}s`,
    peer.addresses.join(" "),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
