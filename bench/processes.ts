/**
 * Child processes of a benchmark: started and waited for (bounded), their CPU seconds, and all of
 * them stopped at the end (SIGTERM, then SIGKILL). Plus a free loopback port and a time bound.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import process from "node:process";

/** The running children, by process, with the name they are reported under. */
export const children: Map<ChildProcess, string> = new Map();

/** Spawns a child and waits (bounded) for a line matching `ready` on its output: its first group, or the match. */
export async function start(
  name: string,
  command: string,
  args: string[],
  ready: RegExp,
  env?: Record<string, string>,
): Promise<string> {
  const match = await startMatch(name, command, args, ready, env);
  return match[1] ?? match[0];
}

/** Spawns a child and waits (bounded) until its output matches `ready`: the match, with every group. */
export function startMatch(
  name: string,
  command: string,
  args: string[],
  ready: RegExp,
  env?: Record<string, string>,
): Promise<RegExpExecArray> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  children.set(child, name);
  child.once("exit", () => children.delete(child));
  return new Promise<RegExpExecArray>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) (clearTimeout(timer), resolve(match));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (error) => (clearTimeout(timer), reject(error)));
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`${name} exited with ${code}:\n${out}`))));
  });
}

/** CPU seconds (user + system) each child and this client used so far, from /proc (Linux; else NaN). */
export async function cpuSeconds(since: NodeJS.CpuUsage): Promise<Record<string, number>> {
  const used = await Promise.all([...children].map(async ([child, name]) => {
    const stat = await readFile(`/proc/${child.pid}/stat`, "utf8").catch(() => ")");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // utime and stime: fields 14, 15 (in 1/100 s)
    return [name, (Number(fields[11]) + Number(fields[12])) / 100] as const;
  }));
  const client = process.cpuUsage(since);
  return { ...Object.fromEntries(used), client: (client.user + client.system) / 1e6 };
}

/** Ends every child (or only those named `name`): SIGTERM, then SIGKILL after 5 s. */
export async function stopAll(name?: string): Promise<void> {
  const chosen = [...children].filter(([, named]) => name === undefined || named === name).map(([child]) => child);
  await Promise.all(chosen.map((child) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => (clearTimeout(kill), resolve()));
      child.kill("SIGTERM");
    })
  ));
}

/** A TCP port free on 127.0.0.1 just now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: PromiseLike<T>, what: string, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((
    _,
    reject,
  ) => (timer = setTimeout(() => reject(new Error(`${what}: over ${ms} ms`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
