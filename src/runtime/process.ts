/**
 * The process a command runs in: its arguments, signals, exit, and module paths. `node:process`,
 * `node:util` and `node:url` work on Node, Deno and Bun alike.
 *
 * @module
 */
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The command-line arguments after the program (and script) name. */
export function commandArgs(): string[] {
  return process.argv.slice(2);
}

/** Options as `node:util` `parseArgs` takes them. */
export type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** One token of a command line, as `parseArgs` reads it. */
export type ArgToken =
  | { kind: "option"; name: string; rawName: string; index: number; value?: string; inlineValue?: boolean }
  | { kind: "positional"; index: number; value: string }
  | { kind: "option-terminator"; index: number };

/**
 * Splits `args` into tokens with `parseArgs` (not strict: an unknown option, a missing value and
 * a stray argument come back as tokens, for the caller to name in its own words, the same on
 * every runtime). A string option takes the next argument as its value, whatever it looks like.
 */
export function argTokens(args: readonly string[], options: OptionSpec): ArgToken[] {
  return parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true })
    .tokens as ArgToken[];
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
  return pathToFileURL(resolvePath(path)).href;
}

/** A file path made absolute (against the working directory) and normalised. */
export function resolvePath(path: string): string {
  return resolve(process.cwd(), path);
}

/** This process's id. */
export function processId(): number {
  return process.pid;
}

/** An environment variable, or `undefined`. */
export function envVar(name: string): string | undefined {
  return process.env[name];
}
