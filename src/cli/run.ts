/**
 * One run of `actant <args>`: global options, the command, its options, then the command's code.
 * Exit codes: 0 done (help and version included), 1 the command failed, 2 the command line is
 * wrong (nothing was started).
 *
 * @module
 */
import { describe, nearestName, VERSION } from "../common/mod.ts";
import { argTokens } from "../runtime/process.ts";
import { type CommandLine, type OptionValues, parseCommandLine, UsageError, wantsHelp } from "./args.ts";
import { type CommandInfo, commandNamed, COMMANDS, GLOBAL_OPTIONS, TOP_OPTIONS } from "./commands.ts";
import { commandHelp, generalHelp, shortUsage } from "./help.ts";
import { createLogger, type LogFormat, type LogLevel } from "./logger.ts";

/** Where a run writes: stdout and stderr, a line (or block) at a time. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Runs `actant` with `argv` (the arguments after the program); resolves with the exit code. */
export async function runActant(argv: readonly string[], output: CliOutput): Promise<number> {
  let command: CommandInfo | undefined;
  try {
    // The command is the first argument that is not a global option or its value.
    const at = argTokens(argv, specOf()).find((token) => token.kind === "positional")?.index ?? argv.length;
    const head = argv.slice(0, at);
    const name = argv[at] as string | undefined;
    const rest = argv.slice(at + 1);
    if (wantsHelp(head)) return help(name === undefined || name === "help" ? rest[0] : name, output);
    const globals = parseCommandLine(head, TOP_OPTIONS).values;
    if (globals.version) {
      output.out(VERSION);
      return 0;
    }
    if (name === undefined) throw new UsageError("no command given");
    if (name === "help") return help(rest[0], output);
    command = commandNamed(name);
    if (command === undefined) {
      const near = nearestName(name, COMMANDS.map((known) => known.name));
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}${near === undefined ? "" : `; did you mean ${near}?`}`,
      );
    }
    if (wantsHelp(rest)) {
      output.out(commandHelp(command));
      return 0;
    }
    const table = { ...command.options, ...GLOBAL_OPTIONS };
    const line = parseCommandLine(rest, table, { command: command.name, positionals: command.positionals });
    const values: OptionValues = { ...globals, ...definedOnly(line.values) };
    return await runCommand(command, { values, positionals: line.positionals }, output);
  } catch (error) {
    if (error instanceof UsageError) {
      const usage = shortUsage(error.command === undefined ? undefined : commandNamed(error.command));
      output.err(`actant${error.command === undefined ? "" : ` ${error.command}`}: ${error.message}\n\n${usage}`);
      return 2;
    }
    const code = (error as { code?: unknown } | null)?.code;
    const text = describe(error);
    // The code goes after a one-line message; a message of many lines (a stack) ends as it is.
    output.err(
      `actant ${command?.name ?? ""}: ${text}${typeof code === "string" && !text.includes("\n") ? ` (${code})` : ""}`,
    );
    return 1;
  }
}

async function runCommand(command: CommandInfo, line: CommandLine, output: CliOutput): Promise<number> {
  // A worker's log is its output (stdout); a one-shot command's output is its answer, so its log goes to stderr.
  const write = command.name === "worker" ? output.out : output.err;
  const log = createLogger({
    level: line.values["log-level"] as LogLevel | undefined,
    format: line.values["log-format"] as LogFormat | undefined,
    write,
  });
  const run = await command.load();
  return (await run(line, { log, print: output.out, printError: output.err })) ?? 0;
}

/** `actant help [command]`, `actant [command] --help`. */
function help(name: string | undefined, output: CliOutput): number {
  if (name === undefined) {
    output.out(generalHelp());
    return 0;
  }
  const command = commandNamed(name);
  if (command === undefined) {
    const near = nearestName(name, COMMANDS.map((known) => known.name));
    throw new UsageError(
      `no help for ${JSON.stringify(name)}: there is no such command${
        near === undefined ? "" : `; did you mean ${near}?`
      }`,
    );
  }
  output.out(commandHelp(command));
  return 0;
}

function definedOnly(values: OptionValues): OptionValues {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

function specOf(): Record<string, { type: "string" | "boolean"; short?: string }> {
  return Object.fromEntries(
    Object.entries(TOP_OPTIONS).map((
      [name, info],
    ) => [name, { type: info.type, ...(info.short ? { short: info.short } : {}) }]),
  );
}
