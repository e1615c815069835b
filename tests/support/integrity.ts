// Helpers of the storage-integrity tests: running tests/fixtures/integrity_child.ts in a child
// process (so that a signal from LMDB is seen, not suffered) and damaging copies of a data dir.
// (Not a test file: no runner picks it up.)
import { spawn } from "node:child_process";
import { cp, open, stat, truncate } from "node:fs/promises";
import process from "node:process";

const child = new URL("../fixtures/integrity_child.ts", import.meta.url).pathname;
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** How a child run ended, with its stdout lines. */
export interface ChildRun {
  code: number | null;
  signal: string | null;
  lines: string[];
  stderr: string;
}

/** Runs the integrity child with `args` on this runtime, to the end. */
export function runChild(args: string[]): Promise<ChildRun> {
  const argv = isDeno ? ["run", "-A", child, ...args] : [child, ...args];
  const proc = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (chunk) => (out += chunk));
  proc.stderr!.on("data", (chunk) => (err += chunk));
  return new Promise((resolve) => {
    proc.on("close", (code, signal) => resolve({ code, signal, lines: out.split("\n").filter(Boolean), stderr: err }));
  });
}

/** Writes a durable log of `tasks` tasks and `calls` actor calls into `dir`. */
export async function makeLog(dir: string, tasks: number, calls: number): Promise<void> {
  const run = await runChild(["make", dir, String(tasks), String(calls)]);
  if (run.code !== 0) throw new Error(`making the log failed (${run.code ?? run.signal}): ${run.stderr}`);
}

/** The outcome of opening one damaged copy: its result line, or the signal that ended the child. */
export type Outcome = { dir: string; line: string };

/**
 * Opens every dir in `dirs` (several per child process) and returns one outcome per dir. A
 * child killed by a signal gives its current dir the outcome `signal <name>`; the rest go on in
 * a new child.
 */
export async function openAll(dirs: string[], tasks: number, calls: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let rest = dirs;
  while (rest.length > 0) {
    const run = await runChild(["check", String(tasks), String(calls), ...rest]);
    const done = new Map<string, string>();
    let current: string | undefined;
    for (const line of run.lines) {
      if (line.startsWith("begin ")) current = line.slice(6);
      else if (current !== undefined) done.set(current, line), (current = undefined);
    }
    for (const dir of rest) if (done.has(dir)) outcomes.push({ dir, line: done.get(dir)! });
    if (current === undefined && run.code === 0) break;
    const failed = current ?? rest.find((dir) => !done.has(dir));
    if (failed === undefined) {
      throw new Error(`the child failed (${run.code}) with nothing left to open: ${run.stderr}`);
    }
    outcomes.push({ dir: failed, line: `signal ${run.signal ?? `exit ${run.code}`} ${run.stderr.slice(-300)}` });
    rest = rest.slice(rest.indexOf(failed) + 1);
  }
  return outcomes;
}

/** Copies the data dir `from` to `to`. */
export async function copyDir(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}

/** Truncates `file` to `size` bytes. */
export async function truncateTo(file: string, size: number): Promise<void> {
  await truncate(file, size);
}

/** The size of `file`. */
export async function sizeOf(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** Flips (xor 0xff) the byte at `offset` of `file`. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await open(file, "r+");
  try {
    const byte = new Uint8Array(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] ^= 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}
