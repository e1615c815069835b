/**
 * `actant submit --address <multiaddr> <task> [<json arg>]...` (Celery's `celery call`, waiting
 * for the result): a client of the member at `--address` submits task `<task>` by name, with one
 * JSON value per argument, and prints its result as JSON.
 *
 * The client's app name is never matched against the workers': app names only keep the
 * membership of different apps' workers apart, and a member serves the submissions of any client
 * that reaches it (with the cluster's secret), so `actant submit` needs no `--app-name`.
 *
 * @module
 */
import { ActantApp } from "../app/mod.ts";
import { describe } from "../common/mod.ts";
import { signature } from "../app/mod.ts";
import { type CommandLine, positiveOption, requiredOption, UsageError } from "./args.ts";
import { type CommandContext, commandNamed } from "./commands.ts";
import { jsonValue } from "./logger.ts";
import { clusterSecret } from "./secret_option.ts";

/** The name of the client app `actant submit` builds (it matters to no one: see the module's doc). */
export const SUBMIT_APP_NAME = "actant-submit";

/** Submits one task, waits and prints its result; resolves with 0, or 1 when the task failed. */
export async function submitCommand(line: CommandLine, context: CommandContext): Promise<number> {
  const { values, positionals } = line;
  const address = requiredOption(values, commandNamed("submit")!.options, "address", "submit");
  const [task, ...texts] = positionals;
  if (task === undefined || task === "") {
    throw new UsageError(
      "name the task to submit: actant submit --address <multiaddr> <task> [<json arg>]...",
      "submit",
    );
  }
  const args = texts.map((text, i) => jsonArgument(task, text, i + 1));
  const timeout = positiveOption(values, "timeout", "submit");
  const secret = await clusterSecret(values["secret-file"], "submit");
  let app: ActantApp;
  try {
    app = new ActantApp(SUBMIT_APP_NAME, { address, secret });
  } catch (error) {
    // The address is checked here, before anything is dialled.
    throw error instanceof TypeError ? new UsageError(`option --address: ${error.message}`, "submit") : error;
  }
  let id: string | undefined;
  try {
    const handle = app.submit(signature(task, args));
    id = handle.id;
    context.log.debug(`submitted ${task} as ${id} to ${address}`, { event: "submitted", task, runId: id, address });
    const result = await handle.get(timeout === undefined ? undefined : { timeout });
    context.print(values.json ? JSON.stringify({ id, task, ok: true, result }, jsonValue) : asJson(result, 2));
    return 0;
  } catch (error) {
    if (values.json) {
      context.print(JSON.stringify({ id: id ?? null, task, ok: false, error: asError(error) }, jsonValue));
    }
    const code = (error as { code?: unknown } | null)?.code;
    context.printError(`actant submit: ${describe(error)}${typeof code === "string" ? ` (${code})` : ""}`);
    return 1;
  } finally {
    await app.close();
  }
}

/** Argument `position` of `task`, parsed as JSON. */
function jsonArgument(task: string, text: string, position: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const hint = /^[A-Za-z_]/.test(text) ? `; a string must be quoted as JSON, e.g. '"${text}"'` : "";
    throw new UsageError(
      `argument ${position} of task "${task}", ${JSON.stringify(text)}, is not JSON (${
        (error as Error).message
      })${hint}`,
      "submit",
    );
  }
}

/** A result as JSON text (`undefined` as `null`; see {@linkcode jsonValue} for the rest). */
function asJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, jsonValue, indent) ?? "null";
}

function asError(error: unknown): unknown {
  return error instanceof Error ? error : { name: "Error", message: describe(error) };
}
