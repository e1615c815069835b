/**
 * `actant status`: asks a peer for the cluster's status and prints it as a table (or JSON).
 *
 * @module
 */
import { clusterStatus, formatStatusTable } from "../app/mod.ts";
import { type CommandLine, requiredOption } from "./args.ts";
import { type CommandContext, commandNamed } from "./commands.ts";
import { clusterSecret } from "./secret_option.ts";

/** Prints the status of the cluster reachable at `--address`. */
export async function statusCommand(line: CommandLine, context: CommandContext): Promise<void> {
  const { values } = line;
  const address = requiredOption(values, commandNamed("status")!.options, "address", "status");
  const peers = await clusterStatus(address, { secret: await clusterSecret(values["secret-file"], "status") });
  context.print(values.json ? JSON.stringify({ peers }, null, 2) : formatStatusTable(peers));
}
