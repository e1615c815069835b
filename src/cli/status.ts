/**
 * `actant status`: asks a peer for the cluster's status and prints it as a table (or JSON).
 *
 * @module
 */
import { clusterStatus, formatStatusTable } from "../app/mod.ts";
import { type CommandLine, requiredOption, UsageError } from "./args.ts";
import { type CommandContext, commandNamed } from "./commands.ts";
import { clusterSecret } from "./secret_option.ts";

/** Prints the status of the cluster reachable at `--address`. */
export async function statusCommand(line: CommandLine, context: CommandContext): Promise<void> {
  const { values } = line;
  const address = requiredOption(values, commandNamed("status")!.options, "address", "status");
  const secret = await clusterSecret(values["secret-file"], "status");
  const peers = await clusterStatus(address, { secret }).catch((error) => {
    // clusterStatus throws a TypeError only for a malformed address, before dialling anything.
    throw error instanceof TypeError ? new UsageError(`option --address: ${error.message}`, "status") : error;
  });
  context.print(values.json ? JSON.stringify({ peers }, null, 2) : formatStatusTable(peers));
}
