/**
 * The CLI's log: `--log-level error|warn|info|debug` (default info) chooses which lines are
 * written, `--log-format pretty|json` (default pretty) how. Pretty: `<ISO time> <message>` (with
 * the level before the message when it is not info). JSON: one object per line with `time`,
 * `level`, `msg` and the line's structured fields (`event`, `nodeId`, `task`, …).
 *
 * @module
 */

/** The levels, most severe first: a level writes its own lines and those before it. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** The formats of a log line. */
export const LOG_FORMATS = ["pretty", "json"] as const;
/** A log format. */
export type LogFormat = typeof LOG_FORMATS[number];

/** The structured part of a log line. */
export type LogFields = Record<string, unknown>;

/** Where the CLI's lines go. */
export interface Logger {
  readonly level: LogLevel;
  /** Whether lines of `level` are written (to skip building a debug line nobody reads). */
  enabled(level: LogLevel): boolean;
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

/** What {@linkcode createLogger} needs. */
export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Writes one line (without its newline). */
  write: (line: string) => void;
  /** The time of a line. Default `new Date()`. */
  now?: () => Date;
}

/** A logger writing lines of `level` and above in `format`. */
export function createLogger(options: LoggerOptions): Logger {
  const { level = "info", format = "pretty", write, now = () => new Date() } = options;
  const rank = LOG_LEVELS.indexOf(level);
  const enabled = (lineLevel: LogLevel) => LOG_LEVELS.indexOf(lineLevel) <= rank;
  const line = (lineLevel: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (!enabled(lineLevel)) return;
    const time = now().toISOString();
    if (format === "json") {
      // The three named keys come first and are never a field's: a field of that name is dropped.
      const { time: _time, level: _level, msg: _msg, ...rest } = fields;
      write(JSON.stringify({ time, level: lineLevel, msg, ...rest }, jsonValue));
    } else write(`${time} ${lineLevel === "info" ? "" : `${lineLevel.toUpperCase()} `}${msg}`);
  };
  return { level, enabled, error: line("error"), warn: line("warn"), info: line("info"), debug: line("debug") };
}

/** A field as JSON: errors by name, message (and code), bigints as strings, Maps and Sets as arrays. */
export function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(typeof code === "string" ? { code } : {}) };
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Map) return [...value];
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return [...value];
  return value;
}
