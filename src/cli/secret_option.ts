/**
 * The cluster secret of a command: `--secret-file <path>`, else the `ACTANT_SECRET` variable.
 *
 * @module
 */
import { readFileBytes } from "../runtime/files.ts";
import { envVar } from "../runtime/process.ts";

/** The secret to use, or `undefined` for an open cluster. A missing or empty file is an error. */
export async function clusterSecret(secretFile: unknown): Promise<string | undefined> {
  if (typeof secretFile === "string") {
    const bytes = await readFileBytes(secretFile);
    if (bytes === undefined) throw new TypeError(`--secret-file ${secretFile}: no such file`);
    const text = new TextDecoder().decode(bytes).trim();
    if (text === "") throw new TypeError(`--secret-file ${secretFile} is empty; put the cluster secret in it`);
    return text;
  }
  const fromEnv = envVar("ACTANT_SECRET");
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}
