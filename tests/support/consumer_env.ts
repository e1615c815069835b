// What the package consumer test needs to act as a user outside this checkout: environments
// without the checkout's node_modules/.bin, a process runner that never rejects, and a look at
// the process tree (npx runs the `actant` bin in a grandchild).
// (Not a test file: no runner picks it up.)
import { execFile } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, sep } from "node:path";
import process from "node:process";
import { runtimeExecutable } from "./actant_cli.ts";

/** The checkout's Node 24 (the real binary behind node_modules/.bin/node). */
export const NODE_24: string = realpathSync(runtimeExecutable("node"));

/**
 * PATH without any node_modules directory: what a shell outside this checkout has (on this
 * machine, npm and a Node 20 from the system). npm run scripts put the checkout's
 * node_modules/.bin there, and a consumer must not find our tsc, deno or bun by accident.
 */
const SYSTEM_PATH: string[] = (process.env.PATH ?? "").split(delimiter)
  .filter((dir) => dir !== "" && !`${dir}${sep}`.includes(`${sep}node_modules${sep}`));

/** `process.env` without what a parent npm or test runner set, plus `PATH` and offline npm. */
function environment(path: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key) && key !== "NODE_TEST_CONTEXT" && key !== "NODE_OPTIONS") {
      env[key] = value;
    }
  }
  return {
    ...env,
    PATH: path.join(delimiter),
    NO_COLOR: "1",
    // No network: every dependency is in npm's cache after `npm ci`, and the name `actant` on the
    // registry is someone else's package, which a failing `npx actant` must not fetch.
    npm_config_offline: "true",
    npm_config_yes: "false",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
  };
}

/** npm as this machine has it (on its own Node: 20 here); its scripts still find our node_modules/.bin. */
export const SYSTEM_ENV: Record<string, string> = environment(SYSTEM_PATH);

/** A user with Node 24 first on PATH, and npm. */
export const USER_ENV: Record<string, string> = environment([dirname(NODE_24), ...SYSTEM_PATH]);

/** How a finished process ended and what it printed. */
export interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` to completion (killed after `timeout` ms: a broken build must not hang). Never rejects. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeout?: number },
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeout ?? 30_000,
        killSignal: "SIGKILL",
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: unknown; signal?: string | null }) | null;
        if (failure !== null && typeof failure.code === "string") {
          // The command could not start at all (ENOENT…): say which.
          resolve({ code: null, signal: null, stdout, stderr: `${command}: ${failure.message}\n${stderr}` });
          return;
        }
        resolve({
          code: failure === null ? 0 : typeof failure.code === "number" ? failure.code : null,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** A readable account of a run, for assertion messages. */
export function explain(what: string, ran: Ran): string {
  return `${what}: exit ${ran.code}${
    ran.signal === null ? "" : ` (${ran.signal})`
  }\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/** Whether process `pid` still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Whether this system shows processes under /proc (Linux). */
export const HAS_PROC: boolean = existsSync("/proc/self/stat");

/** The parent of `pid`, read from /proc (`undefined` if it is gone or there is no /proc). */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** The command line of `pid`, read from /proc (`""` if it is gone or there is no /proc). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}
