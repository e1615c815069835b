#!/usr/bin/env node
/**
 * The `actant` command: `actant worker …` (see `worker.ts`) and `actant status …` (`status.ts`).
 *
 * @module
 */
import { describe } from "../common/mod.ts";
import { commandArgs, exitProcess } from "../runtime/process.ts";
import { STATUS_USAGE, statusCommand } from "./status.ts";
import { WORKER_USAGE, workerCommand } from "./worker.ts";

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
const [command, ...rest] = commandArgs();

try {
  if (command === "worker") {
    await workerCommand(rest, log);
    exitProcess(0);
  } else if (command === "status") {
    await statusCommand(rest, (text) => console.log(text));
    exitProcess(0);
  } else {
    console.error(`Unknown command ${JSON.stringify(command ?? "")}; expected "worker" or "status"\n\n${WORKER_USAGE}\n${STATUS_USAGE}`);
    exitProcess(2);
  }
} catch (error) {
  const code = (error as { code?: unknown } | null)?.code;
  console.error(`actant ${command}: ${describe(error)}${typeof code === "string" ? ` (${code})` : ""}`);
  exitProcess(1);
}
