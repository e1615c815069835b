// `actant` as a person runs it (a child process with this test's runtime): help and version,
// and every wrong command line: a clear message naming the mistake and the nearest valid name,
// the usage, exit code 2, and nothing started.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VERSION } from "../src/common/mod.ts";
import { runCli } from "./support/actant_cli.ts";

/** A peer id that is valid but belongs to no one: anything that dialled it would fail otherwise. */
const NOBODY = "/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWAPtczcDbYXXbiVaNM72Lbjh3WnUti4QH8YyJzj22aR49";

describe("actant on the command line", { timeout: 120_000 }, () => {
  it("--help lists every command with a line; exit 0", async () => {
    const { code, stdout } = await runCli(["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: actant \[global options\] <command> \[options\]$/m);
    for (const command of ["worker", "status", "submit"]) assert.match(stdout, new RegExp(`^  ${command}\\s+\\S`, "m"));
  });

  it("--version prints the version", async () => {
    const { code, stdout } = await runCli(["--version"]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), VERSION);
  });

  it("worker --app ./x.ts --help prints the worker's help and starts nothing", async () => {
    const { code, stdout, stderr } = await runCli([
      "worker",
      "--app",
      "./does-not-exist.ts",
      "--listen",
      "/ip4/127.0.0.1/tcp/0/ws",
      "--help",
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: actant worker --app <module>/);
    assert.match(stdout, /--fail-after-ms <ms>\s+\S.*default: 3500/);
    assert.doesNotMatch(stdout + stderr, /listening|ready/);
  });

  it("an unknown command names the nearest one; exit 2", async () => {
    const { code, stdout, stderr } = await runCli(["wroker", "--app", "./x.ts"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, /^actant: unknown command "wroker"; did you mean worker\?$/m);
    assert.match(stderr, /^Usage: actant /m);
  });

  it("a misspelt option names the nearest one and the command's usage; exit 2, nothing started", async () => {
    const { code, stdout, stderr } = await runCli(["worker", "--app", "./x.ts", "--lisen", "/ip4/127.0.0.1/tcp/0/ws"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, /^actant worker: unknown option --lisen; did you mean --listen\?$/m);
    assert.match(stderr, /^Usage: actant worker --app <module>/m);
  });

  it("an unknown option of status names it; exit 2", async () => {
    const { code, stderr } = await runCli(["status", "--adress", NOBODY]);
    assert.equal(code, 2);
    assert.match(stderr, /unknown option --adress; did you mean --address\?/);
  });

  it("a missing value is named; exit 2", async () => {
    const { code, stderr } = await runCli(["worker", "--app"]);
    assert.equal(code, 2);
    assert.match(stderr, /^actant worker: option --app needs a value: --app <module>$/m);
  });

  it("--log-level nope names the allowed levels (before or after the command); exit 2", async () => {
    for (
      const argv of [["--log-level", "nope", "status", "--address", NOBODY], [
        "status",
        "--address",
        NOBODY,
        "--log-level",
        "nope",
      ]]
    ) {
      const { code, stderr } = await runCli(argv);
      assert.equal(code, 2);
      assert.match(stderr, /option --log-level must be one of error, warn, info, debug \(got "nope"\)/);
    }
    const format = await runCli(["status", "--address", NOBODY, "--log-format", "xml"]);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /option --log-format must be one of pretty, json \(got "xml"\)/);
  });

  it("submit with JSON that does not parse names the argument; exit 2, nothing submitted", async () => {
    const { code, stdout, stderr } = await runCli(["submit", "--address", NOBODY, "add", "1", "{"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, /^actant submit: argument 2 of task "add", "\{", is not JSON \(/m);
    const bare = await runCli(["submit", "--address", NOBODY, "greet", "world"]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /argument 1 of task "greet", "world", is not JSON .*quoted as JSON, e\.g\. '"world"'/);
  });

  it("submit without --address, without a task, or with a bad address (status too): exit 2, nothing submitted", async () => {
    const noAddress = await runCli(["submit", "add", "1", "2"]);
    assert.equal(noAddress.code, 2);
    assert.match(noAddress.stderr, /option --address is required/);
    const noTask = await runCli(["submit", "--address", NOBODY]);
    assert.equal(noTask.code, 2);
    assert.match(noTask.stderr, /name the task to submit/);
    const noPeer = await runCli(["submit", "--address", "/ip4/127.0.0.1/tcp/9/ws", "add", "1", "2"]);
    assert.equal(noPeer.code, 2);
    assert.match(noPeer.stderr, /option --address: .*has no \/p2p\/<peer id>/);
    const garbage = await runCli(["submit", "--address", "nope", "add"]);
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /option --address: address "nope" is not a multiaddr/);
    const status = await runCli(["status", "--address", "/ip4/127.0.0.1/tcp/9/ws"]);
    assert.equal(status.code, 2);
    assert.match(status.stderr, /^actant status: option --address: .*has no \/p2p\/<peer id>/m);
  });

  it("worker --concurrency 0 and a missing --secret-file are usage errors; exit 2", async () => {
    const concurrency = await runCli(["worker", "--app", "./x.ts", "--concurrency", "0"]);
    assert.equal(concurrency.code, 2);
    assert.match(concurrency.stderr, /option --concurrency expects an integer > 0, got "0"/);
    const secret = await runCli(["worker", "--app", "./x.ts", "--secret-file", "./no-such-secret"]);
    assert.equal(secret.code, 2);
    assert.match(secret.stderr, /--secret-file \.\/no-such-secret: no such file/);
  });
});
