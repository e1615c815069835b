// A small private network of Linux network namespaces for partition tests (root only): one
// namespace per worker, each with a veth into a hub namespace holding a bridge, plus a veth from
// the test's own namespace into the bridge so the test can reach every worker. Addresses are in a
// private /24 picked at random; links are cut with blackhole routes inside both namespaces.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { listeningAddress, type Runtime, runtimeExecutable } from "./actant_cli.ts";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** Why partition tests cannot run here, or `undefined` when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces need root (run the tests as root to include this one)";
  try {
    execFileSync("ip", ["netns", "list"], { stdio: "ignore" });
  } catch {
    return "the `ip` command (iproute2) is missing or cannot manage network namespaces";
  }
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A worker process started inside a namespace, and the address it listens on. */
export interface NetnsWorker {
  child: ChildProcess;
  address: string;
  output(): string;
}

/** The namespaces of one test. */
export class TestNetwork {
  readonly #tag = `a${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
  readonly #subnet = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}`;
  readonly #count: number;
  #made: string[] = [];
  #hostLink: string | undefined;

  constructor(count: number) {
    this.#count = count;
  }

  /** The namespace of peer `i` (1-based). */
  namespace(i: number): string {
    return `${this.#tag}n${i}`;
  }

  /** The address of peer `i` (1-based). */
  address(i: number): string {
    return `${this.#subnet}.${i}`;
  }

  /** Creates the hub, one namespace per peer, and the test's own link into the hub. */
  create(): void {
    const hub = `${this.#tag}hub`;
    ip("netns", "add", hub);
    this.#made.push(hub);
    ip("-n", hub, "link", "add", "br0", "type", "bridge");
    ip("-n", hub, "link", "set", "br0", "up");
    for (let i = 1; i <= this.#count; i++) {
      const ns = this.namespace(i);
      ip("netns", "add", ns);
      this.#made.push(ns);
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", `p${i}`, "netns", hub);
      ip("-n", ns, "addr", "add", `${this.address(i)}/24`, "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      ip("-n", hub, "link", "set", `p${i}`, "master", "br0");
      ip("-n", hub, "link", "set", `p${i}`, "up");
    }
    this.#hostLink = `${this.#tag}h`;
    ip("link", "add", this.#hostLink, "type", "veth", "peer", "name", "host", "netns", hub);
    ip("addr", "add", `${this.address(100)}/24`, "dev", this.#hostLink);
    ip("link", "set", this.#hostLink, "up");
    ip("-n", hub, "link", "set", "host", "master", "br0");
    ip("-n", hub, "link", "set", "host", "up");
  }

  /** Cuts the link between peers `i` and `j` both ways (a blackhole route in each namespace). */
  cut(i: number, j: number): void {
    ip("-n", this.namespace(i), "route", "add", "blackhole", `${this.address(j)}/32`);
    ip("-n", this.namespace(j), "route", "add", "blackhole", `${this.address(i)}/32`);
  }

  /** Heals what {@linkcode cut} did. */
  heal(i: number, j: number): void {
    ip("-n", this.namespace(i), "route", "del", "blackhole", `${this.address(j)}/32`);
    ip("-n", this.namespace(j), "route", "del", "blackhole", `${this.address(i)}/32`);
  }

  /**
   * Starts `actant worker <args>` in peer `i`'s namespace, listening on its address. `ip netns
   * exec` replaces itself with the runtime, so the child's pid is the worker's own. The worker
   * runs on `runtime`, or on the test's own runtime.
   */
  async startWorker(i: number, args: string[], runtime?: Runtime): Promise<NetnsWorker> {
    const deno = runtime === undefined ? isDeno : runtime === "deno";
    const runtimeArgs = deno ? ["run", "-A", main] : [main];
    const listen = `/ip4/${this.address(i)}/tcp/0/ws`;
    const child = spawn("ip", [
      "netns",
      "exec",
      this.namespace(i),
      runtime === undefined ? process.execPath : runtimeExecutable(runtime),
      ...runtimeArgs,
      "worker",
      "--listen",
      listen,
      ...args,
    ], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { address, output } = await listeningAddress(child);
    return { child, address, output };
  }

  /** Removes every namespace and link this network made (their processes must be gone). */
  destroy(): void {
    if (this.#hostLink !== undefined) {
      try {
        ip("link", "del", this.#hostLink);
      } catch { /* gone with the hub */ }
    }
    for (const ns of this.#made.reverse()) {
      try {
        ip("netns", "del", ns);
      } catch { /* already gone */ }
    }
    this.#made = [];
  }
}
