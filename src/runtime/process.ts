/**
 * The process a command runs in: its arguments, signals, exit, and module paths. `node:process`,
 * `node:util` and `node:url` work on Node, Deno and Bun alike.
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The command-line arguments after the program (and script) name. */
export function commandArgs(): string[] {
  return process.argv.slice(2);
}

/** Options as `node:util` `parseArgs` takes them. */
export type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** Parses `args` strictly: an unknown option throws a `TypeError` naming it. */
export function parseOptions(args: string[], options: OptionSpec): Record<string, string | string[] | boolean | undefined> {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<
      string,
      string | string[] | boolean | undefined
    >;
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
}

/** Runs `handler` once on SIGINT or SIGTERM. */
export function onShutdownSignal(handler: (signal: string) => void): void {
  let called = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (!called) {
        called = true;
        handler(signal);
      }
    });
  }
}

/** Ends the process with `code`. */
export function exitProcess(code: number): never {
  process.exit(code);
}

/** A file path (relative to the working directory) as an importable URL. */
export function moduleUrl(path: string): string {
  return pathToFileURL(path.startsWith("/") ? path : `${process.cwd()}/${path}`).href;
}

/** This process's id. */
export function processId(): number {
  return process.pid;
}

/** An environment variable, or `undefined`. */
export function envVar(name: string): string | undefined {
  return process.env[name];
}
