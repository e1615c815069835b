/**
 * The command line of one command, read against its table of options: each option with its
 * description and default (for `--help`), checked strictly. An unknown or misspelt option, a
 * missing value, a value outside an option's choices or a stray argument is a
 * {@linkcode UsageError} naming it (and the nearest valid name), so nothing starts.
 *
 * @module
 */
import { nearestName } from "../common/mod.ts";
import { type ArgToken, argTokens, type OptionSpec } from "../runtime/process.ts";

/** One option of a command: how it is parsed and how `--help` shows it. */
export interface OptionInfo {
  readonly type: "string" | "boolean";
  /** May be given more than once (its values are a list). */
  readonly multiple?: boolean;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** The value's placeholder in help, e.g. `<multiaddr>`. */
  readonly value?: string;
  readonly description: string;
  /** The default, as help shows it. */
  readonly default?: string;
  /** The only values a string option takes. */
  readonly choices?: readonly string[];
  /** Shown as required in help (the command checks it: see {@linkcode requiredOption}). */
  readonly required?: boolean;
}

/** A command's options by long name (without `--`). */
export type OptionTable = Readonly<Record<string, OptionInfo>>;

/** The options given, by long name: a string, a list (a `multiple` option), `true`, or absent. */
export type OptionValues = Record<string, string | string[] | boolean | undefined>;

/** A command line read against a table. */
export interface CommandLine {
  readonly values: OptionValues;
  /** The arguments that are not options, in order. */
  readonly positionals: string[];
}

/**
 * A command line that cannot be run: the message says what was wrong and what was expected. The
 * CLI prints it with the usage of `command` (the general usage when absent) and exits 2.
 */
export class UsageError extends Error {
  readonly code = "USAGE";
  /** The command whose usage fits the mistake; `undefined` for the general one. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/**
 * A negative number is a value (a JSON argument, `--concurrency -1`), never an option; `parseArgs`
 * would read `-1` as one, so such arguments are marked before and unmarked after.
 */
const NUMBER_MARK = "\u0000";
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/** Whether `args` ask for help (`--help` or `-h` anywhere before a `--`): help wins over everything else. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/**
 * Reads `args` against `table`. `command` names the command in errors; without `positionals`
 * any argument that is not an option is an error.
 *
 * @throws {UsageError} naming the first thing wrong.
 */
export function parseCommandLine(
  args: readonly string[],
  table: OptionTable,
  options: { command?: string; positionals?: boolean } = {},
): CommandLine {
  const { command, positionals: allowPositionals = false } = options;
  const marked = args.map((arg) => NEGATIVE_NUMBER.test(arg) ? NUMBER_MARK + arg : arg);
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (const token of argTokens(marked, specOf(table))) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      const value = unmark(token.value);
      if (!allowPositionals) {
        const where = command === undefined ? "" : ` (actant ${command} takes options only)`;
        throw new UsageError(`unexpected argument ${JSON.stringify(value)}${where}`, command);
      }
      positionals.push(value);
      continue;
    }
    readOption(token, table, values, command);
  }
  return { values, positionals };
}

function readOption(
  token: Extract<ArgToken, { kind: "option" }>,
  table: OptionTable,
  values: OptionValues,
  command?: string,
): void {
  const info = Object.hasOwn(table, token.name) ? table[token.name] : undefined;
  if (info === undefined) {
    // A one-letter name is no typo of a long one: no suggestion for it.
    const near = token.rawName.startsWith("--") ? nearestName(token.name, Object.keys(table)) : undefined;
    const hint = near === undefined ? "" : `; did you mean --${near}?`;
    throw new UsageError(`unknown option ${token.rawName}${hint}`, command);
  }
  const shown = `--${token.name}${info.value === undefined ? "" : ` ${info.value}`}`;
  if (info.type === "boolean") {
    if (token.inlineValue) {
      throw new UsageError(`option --${token.name} takes no value (got ${token.rawName}=${token.value})`, command);
    }
    values[token.name] = true;
    return;
  }
  const value = token.value === undefined ? undefined : unmark(token.value);
  // The next argument was another option: the value is missing (--name=-x gives one that starts with "-").
  if (value === undefined || (!token.inlineValue && value.startsWith("-") && !NEGATIVE_NUMBER.test(value))) {
    const next = value === undefined
      ? ""
      : ` (the next argument, ${value}, is an option; write --${token.name}=<value> for a value that starts with "-")`;
    throw new UsageError(`option --${token.name} needs a value: ${shown}${next}`, command);
  }
  if (info.choices !== undefined && !info.choices.includes(value)) {
    const near = nearestName(value, info.choices);
    const hint = near === undefined ? "" : `; did you mean ${near}?`;
    throw new UsageError(
      `option --${token.name} must be one of ${info.choices.join(", ")} (got ${JSON.stringify(value)})${hint}`,
      command,
    );
  }
  if (info.multiple) {
    values[token.name] = [...(values[token.name] as string[] | undefined) ?? [], value];
  } else if (values[token.name] !== undefined) {
    throw new UsageError(
      `option --${token.name} is given twice (${JSON.stringify(values[token.name])} and ${
        JSON.stringify(value)
      }); give it once`,
      command,
    );
  } else values[token.name] = value;
}

function unmark(value: string): string {
  return value.startsWith(NUMBER_MARK) ? value.slice(NUMBER_MARK.length) : value;
}

function specOf(table: OptionTable): OptionSpec {
  const spec: OptionSpec = {};
  for (const [name, info] of Object.entries(table)) {
    spec[name] = { type: info.type, ...(info.short === undefined ? {} : { short: info.short }) };
  }
  return spec;
}

/** The integer > 0 given as `--<name>`, or `undefined` when it is absent. */
export function positiveOption(values: OptionValues, name: string, command?: string): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) {
    throw new UsageError(`option --${name} expects an integer > 0, got ${JSON.stringify(String(text))}`, command);
  }
  return value;
}

/** The string given as `--<name>`, or a {@linkcode UsageError} saying it is required. */
export function requiredOption(values: OptionValues, table: OptionTable, name: string, command?: string): string {
  const value = values[name];
  if (typeof value !== "string") {
    const placeholder = table[name]?.value ?? "<value>";
    throw new UsageError(`option --${name} is required: --${name} ${placeholder}`, command);
  }
  return value;
}
