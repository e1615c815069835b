// How the CLI reads a command line (in-process: src/cli/args.ts, logger.ts and run.ts without
// spawning): options against a command's table, the usage errors it raises, help and version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_FAIL_AFTER_MS, DEFAULT_HEARTBEAT_MS } from "../src/app/mod.ts";
import { VERSION } from "../src/common/mod.ts";
import { type OptionTable, parseCommandLine, positiveOption, UsageError, wantsHelp } from "../src/cli/args.ts";
import { commandNamed, COMMANDS } from "../src/cli/commands.ts";
import { createLogger } from "../src/cli/logger.ts";
import { runActant } from "../src/cli/run.ts";

const table: OptionTable = {
  listen: { type: "string", multiple: true, value: "<multiaddr>", description: "where" },
  "node-id": { type: "string", value: "<name>", description: "name" },
  timeout: { type: "string", value: "<ms>", description: "bound" },
  json: { type: "boolean", description: "json" },
  level: { type: "string", choices: ["error", "warn", "info", "debug"], description: "level" },
  help: { type: "boolean", short: "h", description: "help" },
};

const usage = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof UsageError, `a UsageError, got ${error}`);
  assert.equal(error.name, "UsageError");
  assert.equal(error.code, "USAGE");
  assert.match(error.message, pattern);
  return true;
};

/** Runs `actant <argv>` in this process; what it wrote and its exit code. */
async function actant(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runActant(argv, {
    out: (text) => void (out += `${text}\n`),
    err: (text) => void (err += `${text}\n`),
  });
  return { code, out, err };
}

describe("parseCommandLine", () => {
  it("reads strings, lists, booleans and positionals, negative numbers included", () => {
    const line = parseCommandLine(
      ["--listen", "/a", "--listen=/b", "--json", "add", "-1", "--timeout", "-5", "-2.5", "--", "--x"],
      table,
      { positionals: true },
    );
    assert.deepEqual(line.values, { listen: ["/a", "/b"], json: true, timeout: "-5" });
    assert.deepEqual(line.positionals, ["add", "-1", "-2.5", "--x"]);
  });

  it("an unknown or misspelt option names the nearest valid one", () => {
    assert.throws(
      () => parseCommandLine(["--lisen", "/a"], table),
      usage(/^unknown option --lisen; did you mean --listen\?$/),
    );
    assert.throws(() => parseCommandLine(["--nodeid", "w"], table), usage(/did you mean --node-id\?/));
    assert.throws(() => parseCommandLine(["--zzzzzz"], table), usage(/^unknown option --zzzzzz$/));
    assert.throws(() => parseCommandLine(["-x"], table), usage(/^unknown option -x$/));
  });

  it("a missing value is named, also when the next argument is another option", () => {
    assert.throws(
      () => parseCommandLine(["--node-id"], table),
      usage(/^option --node-id needs a value: --node-id <name>$/),
    );
    assert.throws(
      () => parseCommandLine(["--node-id", "--json"], table),
      usage(/option --node-id needs a value.*--json, is an option/),
    );
    assert.deepEqual(parseCommandLine(["--node-id=-w"], table).values, { "node-id": "-w" });
  });

  it("a value outside the choices names them and the nearest", () => {
    assert.throws(
      () => parseCommandLine(["--level", "nope"], table),
      usage(/must be one of error, warn, info, debug \(got "nope"\)$/),
    );
    assert.throws(() => parseCommandLine(["--level", "debg"], table), usage(/did you mean debug\?/));
  });

  it("a boolean with a value, an option given twice and a stray argument are errors", () => {
    assert.throws(() => parseCommandLine(["--json=yes"], table), usage(/--json takes no value/));
    assert.throws(
      () => parseCommandLine(["--node-id", "a", "--node-id", "b"], table),
      usage(/--node-id is given twice/),
    );
    assert.throws(
      () => parseCommandLine(["stray"], table, { command: "worker" }),
      usage(/unexpected argument "stray" \(actant worker takes options only\)/),
    );
  });

  it("help is asked for anywhere before --", () => {
    assert.equal(wantsHelp(["--app", "./x.ts", "--help"]), true);
    assert.equal(wantsHelp(["-h"]), true);
    assert.equal(wantsHelp(["--", "--help"]), false);
  });

  it("positiveOption refuses what is not an integer > 0", () => {
    assert.equal(positiveOption({ n: "3" }, "n"), 3);
    assert.equal(positiveOption({}, "n"), undefined);
    for (const bad of ["0", "-1", "1.5", "x"]) {
      assert.throws(() => positiveOption({ n: bad }, "n"), usage(/--n expects an integer > 0/));
    }
  });
});

describe("createLogger", () => {
  const at = () => new Date("2026-01-02T03:04:05.000Z");

  it("pretty: ISO time and message, the level shown when it is not info; lines below the level are dropped", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line), now: at });
    log.info("ready", { nodeId: "w1" });
    log.warn("careful");
    log.debug("hidden");
    assert.deepEqual(lines, ["2026-01-02T03:04:05.000Z ready", "2026-01-02T03:04:05.000Z WARN careful"]);
    assert.equal(log.enabled("debug"), false);
  });

  it("json: one object per line with time, level, msg and the fields (errors by name and message)", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", format: "json", write: (line) => lines.push(line), now: at });
    log.debug("failed", { task: "add", error: new RangeError("too far"), big: 10n, msg: "not mine" });
    assert.deepEqual(JSON.parse(lines[0]), {
      time: "2026-01-02T03:04:05.000Z",
      level: "debug",
      msg: "failed",
      task: "add",
      error: { name: "RangeError", message: "too far" },
      big: "10",
    });
  });
});

describe("actant help and version (in-process)", () => {
  it("--help, -h and help list every command with a line, and the global options", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const { code, out, err } = await actant(...argv);
      assert.equal(code, 0);
      assert.equal(err, "");
      for (const command of COMMANDS) assert.match(out, new RegExp(`^  ${command.name}\\s+${command.summary}$`, "m"));
      assert.match(out, /--log-level <level>.*default: info/);
      assert.match(out, /--log-format <format>.*default: pretty/);
    }
  });

  it("<command> --help lists each of its options with its description; defaults are the library's", async () => {
    for (const command of COMMANDS) {
      for (const argv of [[command.name, "--help"], ["help", command.name], ["--help", command.name]]) {
        const { code, out } = await actant(...argv);
        assert.equal(code, 0);
        assert.match(out, new RegExp(`^Usage: actant ${command.name} `));
        for (const [name, info] of Object.entries(command.options)) {
          assert.match(out, new RegExp(`--${name}\\b.*${escape(info.description)}`));
        }
      }
    }
    const worker = (await actant("worker", "--help")).out;
    assert.match(worker, new RegExp(`--heartbeat-ms <ms>.*default: ${DEFAULT_HEARTBEAT_MS}\\)`));
    assert.match(worker, new RegExp(`--fail-after-ms <ms>.*default: ${DEFAULT_FAIL_AFTER_MS}\\)`));
    assert.match(worker, /--listen <multiaddr>.*repeatable; default: \/ip4\/127\.0\.0\.1\/tcp\/0\/ws/);
    assert.ok(commandNamed("submit")?.positionals);
  });

  it("--version prints the version", async () => {
    assert.deepEqual(await actant("--version"), { code: 0, out: `${VERSION}\n`, err: "" });
    assert.equal((await actant("-V")).out, `${VERSION}\n`);
  });

  it("no command, an unknown command, help of an unknown command: exit 2 with the usage", async () => {
    const none = await actant();
    assert.equal(none.code, 2);
    assert.match(none.err, /^actant: no command given\n\nUsage: actant /);
    const typo = await actant("sumbit");
    assert.equal(typo.code, 2);
    assert.match(
      typo.err,
      /^actant: unknown command "sumbit"; did you mean submit\?\n\nUsage: actant .*\nCommands: worker, status, submit/,
    );
    const help = await actant("help", "nope");
    assert.equal(help.code, 2);
    assert.match(help.err, /no help for "nope"/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
