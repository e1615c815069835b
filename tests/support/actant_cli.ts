// Running the `actant` command in child processes with the current runtime, for the cluster
// tests: a worker (with its listening address read from its log) and one-shot commands.
import { type ChildProcess, execFile, spawn } from "node:child_process";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** A runtime to start a process with. */
export type Runtime = "node" | "deno" | "bun";

/** The runtimes worker `i` of a mixed cluster runs on, in turn. */
export const WORKER_RUNTIMES: readonly Runtime[] = ["node", "deno", "bun"];

/**
 * The `skip` of a heavy multi-process suite whose workers run on all three runtimes: it runs
 * once, under Node's test runner (the processes it starts are what it tests, and they cover Node,
 * Deno and Bun), so the whole suite stays within its time budget on 2 cores.
 */
export const ONCE_UNDER_NODE: false | string = (globalThis as { Deno?: unknown }).Deno !== undefined ||
    (globalThis as { Bun?: unknown }).Bun !== undefined
  ? "runs once, under Node's test runner, with its workers on Node, Deno and Bun"
  : false;

/** The executable of `runtime`, as npm installed it. */
export function runtimeExecutable(runtime: Runtime): string {
  return new URL(`../../node_modules/.bin/${runtime}`, import.meta.url).pathname;
}

/** The argv that runs `actant <args>` with this runtime. */
function argv(args: string[], deno = isDeno): string[] {
  return deno ? ["run", "-A", main, ...args] : [main, ...args];
}

/** A running `actant worker` and the multiaddr it listens on. */
export interface WorkerProcess {
  child: ChildProcess;
  address: string;
  /** Everything it printed so far. */
  output(): string;
  /** What it printed on stdout so far (its log). */
  stdout(): string;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `actant worker <args>` (with the test's own runtime, or `runtime`) and waits (bounded:
 * a broken build must not hang) for its address.
 */
export async function startWorker(args: string[], runtime?: Runtime): Promise<WorkerProcess> {
  const executable = runtime === undefined ? process.execPath : runtimeExecutable(runtime);
  const child = spawn(executable, argv(["worker", ...args], runtime === undefined ? isDeno : runtime === "deno"), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout!.on("data", (chunk: Buffer) => void (stdout += chunk));
  const { address, output } = await listeningAddress(child);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  return { child, address, stop, output, stdout: () => stdout };
}

/**
 * The address a starting worker prints (`listening …/p2p/…`), and its output so far and later.
 * Bounded: a worker that has not printed it within 30 s (a broken build must not hang a test) is
 * killed, and the promise rejects with what it printed.
 */
export function listeningAddress(child: ChildProcess): Promise<{ address: string; output: () => string }> {
  let out = "";
  const output = () => out;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker did not start within 30 s:\n${out}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      // Ends at a quote too: in a JSON log line (--log-format json) the message is a quoted string.
      const match = /listening (\/[^\s"]+\/p2p\/[^\s"]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ address: match[1], output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${out}`));
    });
  });
}

/**
 * Runs `actant <args>` to completion (with the test's own runtime, or `options.runtime`, in
 * `options.cwd`); resolves with its exit code and output.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; runtime?: Runtime } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { cwd, runtime } = options;
  const executable = runtime === undefined ? process.execPath : runtimeExecutable(runtime);
  const deno = runtime === undefined ? isDeno : runtime === "deno";
  return new Promise((resolve) => {
    execFile(executable, argv(args, deno), { timeout: 30_000, cwd }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}
