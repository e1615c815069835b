/**
 * The examples run as their own processes on the runtime running this suite, and print what
 * their comments promise.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { normalise } from "./support/rendering.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const TIMEOUT_MS = 30_000;

/** The command line that runs `file` on the current runtime: `deno run -A`, `bun` or `node`. */
function commandFor(file: string): [string, string[]] {
  const runtime = globalThis as { Deno?: unknown };
  if (runtime.Deno !== undefined) return [process.execPath, ["run", "-A", file]];
  // Bun and Node both run a .ts file given as their only argument.
  return [process.execPath, [file]];
}

/** Runs an example to completion and resolves with its stdout; rejects with its stderr on failure. */
function runExample(file: string): Promise<string> {
  const [command, args] = commandFor(file);
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: root, timeout: TIMEOUT_MS, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr}`, { cause: error }));
        } else resolve(stdout);
      },
    );
  });
}

describe("Examples", { timeout: TIMEOUT_MS + 5_000 }, () => {
  it("examples/chain.ts prints the report", { timeout: TIMEOUT_MS + 5_000 }, async () => {
    const stdout = await runExample("examples/chain.ts");
    assert.equal(stdout.trim(), "Report: sentiment=0.8");
  });

  it("examples/objects.ts passes refs to tasks and reads bytes back without a copy", {
    timeout: TIMEOUT_MS + 5_000,
  }, async () => {
    const stdout = await runExample("examples/objects.ts");
    // One line for all of it: Bun spreads an object over several lines.
    assert.equal(normalise(stdout), "10 4 [ 0, 1, 4, 9 ] 3 true { refs: 0, args: 0, encoded: 1, streams: 0 }");
  });

  it("examples/actor.ts prints both registered models", { timeout: TIMEOUT_MS + 5_000 }, async () => {
    const stdout = await runExample("examples/actor.ts");
    assert.equal(normalise(stdout), '{ gpt: "v1.0", bert: "v2.0" }');
  });

  it("examples/cluster.ts runs the seed's examples on two joined workers through a client", {
    timeout: TIMEOUT_MS + 5_000,
  }, async () => {
    const stdout = await runExample("examples/cluster.ts");
    assert.equal(normalise(stdout), normalise('Report: sentiment=0.8\n30\n{ gpt: "v1.0" }'));
  });

  it("normalise() reads Node's, Deno's and Bun's renderings alike", () => {
    const expected = '{ gpt: "v1.0", bert: "v2.0" }';
    assert.equal(normalise("{ gpt: 'v1.0', bert: 'v2.0' }\n"), expected);
    assert.equal(normalise('{ gpt: "v1.0", bert: "v2.0" }\n'), expected);
    assert.equal(normalise('{\n  gpt: "v1.0",\n  bert: "v2.0",\n}\n'), expected);
  });
});
