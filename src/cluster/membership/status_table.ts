/**
 * A peer's status report and the table `actant status` prints: plain data, no network, so the
 * app can name them without loading libp2p.
 *
 * @module
 */

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

/** The reports as a readable table. */
export function formatStatusTable(peers: readonly PeerStatus[]): string {
  const header = [
    "node",
    "peer",
    "runtime",
    "queued",
    "running",
    "succeeded",
    "failed",
    "actors",
    "load",
    "uptime",
    "addresses",
  ];
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
