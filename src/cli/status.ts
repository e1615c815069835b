/**
 * `actant status`: asks a peer for the cluster's status and prints it as a table (or JSON).
 *
 * @module
 */
import { clusterStatus, formatStatusTable } from "../app/mod.ts";
import { parseOptions } from "../runtime/process.ts";
import { clusterSecret } from "./secret_option.ts";

/** Usage text of `actant status`. */
export const STATUS_USAGE = `Usage: actant status --address <multiaddr with /p2p/<id>> [--json] [--secret-file <path>]`;

/** Prints the status of the cluster reachable at `--address`. */
export async function statusCommand(args: string[], print: (text: string) => void): Promise<void> {
  const options = parseOptions(args, { address: { type: "string" }, json: { type: "boolean" }, "secret-file": { type: "string" } });
  if (typeof options.address !== "string") throw new TypeError(`--address is required\n${STATUS_USAGE}`);
  const peers = await clusterStatus(options.address, { secret: await clusterSecret(options["secret-file"]) });
  print(options.json ? JSON.stringify({ peers }, null, 2) : formatStatusTable(peers));
}
