/**
 * The text of `actant --help` and `actant <command> --help`.
 *
 * @module
 */
import { VERSION } from "../common/mod.ts";
import type { OptionTable } from "./args.ts";
import { type CommandInfo, COMMANDS, GLOBAL_OPTIONS, TOP_OPTIONS } from "./commands.ts";

/** `actant --help`: the commands, each with one line, and the global options. */
export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length), "help".length) + 2;
  const commands = [
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    `  ${"help".padEnd(width)}print the help of a command: actant help <command>`,
  ];
  return [
    `actant ${VERSION}: run Actant workers and talk to their cluster`,
    "",
    "Usage: actant [global options] <command> [options]",
    "",
    "Commands:",
    ...commands,
    "",
    "Global options (before or after the command):",
    ...optionLines(TOP_OPTIONS),
    "",
    'Run "actant <command> --help" for the options of a command.',
  ].join("\n");
}

/** What follows the message of a wrong command line: the usage line, and where the help is. */
export function shortUsage(command?: CommandInfo): string {
  if (command === undefined) {
    return [
      "Usage: actant [global options] <command> [options]",
      `Commands: ${COMMANDS.map((known) => known.name).join(", ")}, help`,
      'Run "actant --help" for more.',
    ].join("\n");
  }
  return [`Usage: actant ${command.name} ${command.usage}`, `Run "actant ${command.name} --help" for its options.`]
    .join("\n");
}

/** `actant <command> --help`: its usage line, what it does, and its options with their defaults. */
export function commandHelp(command: CommandInfo): string {
  return [
    `Usage: actant ${command.name} ${command.usage}`,
    "",
    command.description,
    "",
    "Options:",
    ...optionLines(command.options),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
  ].join("\n");
}

/** One line per option: its names and value, then its description and default, aligned. */
function optionLines(table: OptionTable): string[] {
  const shorts = Object.values(table).some((info) => info.short !== undefined);
  const heads = Object.entries(table).map(([name, info]) => {
    const short = info.short !== undefined ? `-${info.short}, ` : shorts ? "    " : "";
    return `  ${short}--${name}${info.value === undefined ? "" : ` ${info.value}`}`;
  });
  const width = Math.max(...heads.map((head) => head.length)) + 2;
  return Object.values(table).map((info, i) => {
    const notes = [
      info.required ? "required" : undefined,
      info.multiple ? "repeatable" : undefined,
      info.default === undefined ? undefined : `default: ${info.default}`,
    ]
      .filter((note) => note !== undefined);
    return `${heads[i].padEnd(width)}${info.description}${notes.length === 0 ? "" : ` (${notes.join("; ")})`}`;
  });
}
