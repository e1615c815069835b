/**
 * The cluster secret of a command: `--secret-file <path>`, else the `ACTANT_SECRET` variable.
 *
 * @module
 */
import { readFileBytes } from "../runtime/files.ts";
import { envVar, resolvePath } from "../runtime/process.ts";
import { UsageError } from "./args.ts";

/**
 * The secret to use, or `undefined` for an open cluster. A missing or empty file is a
 * {@linkcode UsageError} of `command`.
 */
export async function clusterSecret(secretFile: unknown, command: string): Promise<string | undefined> {
  if (typeof secretFile === "string") {
    const bytes = await readFileBytes(secretFile);
    if (bytes === undefined) {
      throw new UsageError(
        `--secret-file ${secretFile}: no such file (looked for ${resolvePath(secretFile)})`,
        command,
      );
    }
    const text = new TextDecoder().decode(bytes).trim();
    if (text === "") {
      throw new UsageError(`--secret-file ${secretFile} is empty; put the cluster secret in it`, command);
    }
    return text;
  }
  const fromEnv = envVar("ACTANT_SECRET");
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}
