/**
 * The commands of `actant` and their options: what `--help` shows and what the command line is
 * checked against. Each command's code loads only when it runs (it brings libp2p), so `--help`,
 * `--version` and a mistyped command answer at once.
 *
 * @module
 */
import type { CommandLine, OptionTable } from "./args.ts";
import { LOG_FORMATS, LOG_LEVELS, type Logger } from "./logger.ts";

/** What a command gets besides its command line. */
export interface CommandContext {
  /** The log (`--log-level`, `--log-format`). */
  readonly log: Logger;
  /** Writes a command's output (a table, a result) to stdout. */
  readonly print: (text: string) => void;
  /** Writes to stderr. */
  readonly printError: (text: string) => void;
}

/** A command's code: resolves with its exit code (0 when nothing is returned). */
export type CommandRun = (line: CommandLine, context: CommandContext) => Promise<number | void>;

/** One command of `actant`. */
export interface CommandInfo {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** What follows `actant <name>` in its usage line. */
  readonly usage: string;
  /** Paragraphs of help after the usage line. */
  readonly description: string;
  readonly options: OptionTable;
  /** Whether it takes arguments besides options. */
  readonly positionals?: boolean;
  /** Loads the command's code. */
  load(): Promise<CommandRun>;
}

/** The options every command takes (before or after the command's name). */
export const GLOBAL_OPTIONS: OptionTable = {
  "log-level": {
    type: "string",
    value: "<level>",
    choices: LOG_LEVELS,
    default: "info",
    description: "which log lines to write: error, warn, info or debug",
  },
  "log-format": {
    type: "string",
    value: "<format>",
    choices: LOG_FORMATS,
    default: "pretty",
    description: 'pretty: "<ISO time> <message>" lines; json: one JSON object per line',
  },
  help: { type: "boolean", short: "h", description: "print this help and exit" },
};

/** The options `actant` itself takes before a command. */
export const TOP_OPTIONS: OptionTable = {
  ...GLOBAL_OPTIONS,
  version: { type: "boolean", short: "V", description: "print the version and exit" },
};

const secretFile = {
  type: "string",
  value: "<file>",
  description: "a file holding the cluster secret (else $ACTANT_SECRET): only peers with it connect",
} as const;

const address = {
  type: "string",
  required: true,
  value: "<multiaddr>",
  description: 'a member of the cluster: a multiaddr with /p2p/<peer id> (a worker logs it: "listening …")',
} as const;

/** `actant worker`, `actant status` and `actant submit`. */
export const COMMANDS: readonly CommandInfo[] = [
  {
    name: "worker",
    summary: "load an app module and run its tasks and actors as a member of a cluster",
    usage: "--app <module> [--listen <multiaddr>]... [--bootstrap <multiaddr>]... [options]",
    description: "Loads the app module (which registers its tasks and actor classes), listens, joins the cluster of\n" +
      "its --bootstrap peers (none: starts a new one) and runs the work placed on it. It logs its\n" +
      "addresses and members joining and leaving; at --log-level debug, where each attempt goes and\n" +
      "which fail. SIGINT or SIGTERM hands its attempts back to their owners and stops it.",
    options: {
      app: {
        type: "string",
        value: "<module>",
        required: true,
        description: 'the app module: its default export (or its export "app") is an ActantApp',
      },
      listen: {
        type: "string",
        multiple: true,
        value: "<multiaddr>",
        default: "/ip4/127.0.0.1/tcp/0/ws",
        description: "where to listen, e.g. /ip4/0.0.0.0/tcp/4001/ws",
      },
      bootstrap: {
        type: "string",
        multiple: true,
        value: "<multiaddr>",
        description: "a member of the cluster to join, with /p2p/<peer id>; none starts a new cluster",
      },
      data: {
        type: "string",
        value: "<dir>",
        default: "./.actant/<app name>",
        description: "the event log and the node's key (restarted on it, a worker keeps its peer id)",
      },
      "node-id": {
        type: "string",
        value: "<name>",
        default: "worker-<pid>",
        description: "a readable name for logs and actant status",
      },
      concurrency: {
        type: "string",
        value: "<n>",
        default: "the app's, 1024",
        description: "most task attempts this worker runs at once",
      },
      "secret-file": secretFile,
      "heartbeat-ms": {
        type: "string",
        value: "<ms>",
        default: "1000",
        description: "time between two membership announcements",
      },
      "fail-after-ms": {
        type: "string",
        value: "<ms>",
        default: "3500",
        description: "silence after which a member is taken as gone",
      },
      "no-light-workers": {
        type: "boolean",
        description: "take no light workers (browser tabs: { address, worker: true }) into the cluster",
      },
      relay: {
        type: "boolean",
        description: "relay WebRTC signalling for tabs that run WebRTC, and reach other servers' tabs over it " +
          "(needs @libp2p/circuit-relay-v2 and @libp2p/webrtc installed)",
      },
    },
    load: async () => (await import("./worker.ts")).workerCommand,
  },
  {
    name: "status",
    summary: "print every member of a cluster: runtime, queued and running tasks, load, uptime",
    usage: "--address <multiaddr> [--json] [--secret-file <file>]",
    description: "Asks one member for the status of every member it knows, and prints it as a table (or JSON).",
    options: {
      address,
      json: { type: "boolean", description: "print JSON instead of a table" },
      "secret-file": secretFile,
    },
    load: async () => (await import("./status.ts")).statusCommand,
  },
  {
    name: "submit",
    summary: "submit a task by name to a cluster, wait for it, and print its result as JSON",
    usage: "--address <multiaddr> [--secret-file <file>] [--timeout <ms>] [--json] <task> [<json arg>]...",
    description: "Submits task <task> to the member at --address (which owns the run and places it), with each\n" +
      "argument after the task's name parsed as one JSON value (quote strings: '\"text\"'), waits for the\n" +
      "result and prints it as JSON. A failure is printed as its error's name and message on stderr\n" +
      "(exit 1). The client's own app name does not matter: a worker serves any client.",
    positionals: true,
    options: {
      address,
      "secret-file": secretFile,
      timeout: {
        type: "string",
        value: "<ms>",
        default: "wait until it ends",
        description: "give up waiting after this long (the run goes on in the cluster)",
      },
      json: {
        type: "boolean",
        description: 'print {"id", "task", "ok", "result" | "error"} as one JSON line, failures too',
      },
    },
    load: async () => (await import("./submit.ts")).submitCommand,
  },
];

/** The command named `name`, if there is one. */
export function commandNamed(name: string): CommandInfo | undefined {
  return COMMANDS.find((command) => command.name === name);
}
