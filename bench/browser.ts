/**
 * Browser benchmark: a headless Chromium tab (playwright-core, Chromium from npm) against
 * `actant worker` processes on loopback, beside the same work from Node in the same run.
 *
 * 1. trivial tasks/s: TASKS `add` submitted at once by a client, all awaited (median of ROUNDS),
 *    a Node client and a tab client of the same worker (wA, default options);
 * 2. a 3-step chain `inc(1) → double → inc`, one after the other: p50/p99, Node client and tab;
 * 3. a light worker's tasks/s: a group of GROUP `work(WORK_MS)` from a Node client through wB,
 *    which runs one attempt at a time (`--concurrency 1`) and so places the rest on its light
 *    worker (concurrency LIGHT_CONCURRENCY): a Node process, then the tab.
 * 4. actor calls/s: CALLS calls `add(1)` made at once to one Counter hosted on another peer, all
 *    awaited (median of ROUNDS), through wC (`--relay`): a tab calling a Counter in a second tab
 *    over their WebRTC connection (direct calls); a Node client calling one in a Node light worker
 *    process over theirs (node-datachannel); and, the usual Node path, a Node client calling one
 *    hosted by wC itself, its owner, over WebSocket.
 * Every loop is bounded in count and time. Writes bench/results/browser-<runtime>.json.
 *
 * Run: `node bench/browser.ts`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { ActantApp, chain, group } from "../mod.ts";
import { bundleForBrowser, launchChromium, modulePage, serveFiles, webRtcContext } from "../tests/support/browser.ts";
import { webRtc } from "../webrtc.ts";
import { registerBenchActor, registerBenchTasks } from "./browser_app.ts";
import { actorCalls, clientChain, clientTasks } from "./browser_rounds.ts";
import { start, stopAll, within } from "./processes.ts";
import { fmt, median, percentile, runtime } from "./stats.ts";

const TASKS = 20_000;
const ROUNDS = 3;
const CHAIN_SAMPLES = 500;
const GROUP = 2_000;
const WORK_MS = 5;
const LIGHT_CONCURRENCY = 64;
const LIMIT_MS = 120_000;
const CALLS = 5_000;

const cli = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const appModule = fileURLToPath(new URL("./browser_app.ts", import.meta.url));
const worker = (name: string, extra: string[]) =>
  start(name, process.execPath, [cli, "worker", "--app", appModule, "--node-id", name, ...extra], /listening (\S+)/);

/** Tasks/s of the light worker rows: a group of GROUP `work` tasks through `address`'s worker. */
async function lightRate(client: ActantApp, work: ReturnType<typeof registerBenchTasks>["work"]): Promise<number[]> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const ones = await within(
      client.submit(group(...Array.from({ length: GROUP }, () => work.s(WORK_MS)))),
      "a light worker round",
      LIMIT_MS,
    );
    if (ones.length !== GROUP) throw new Error(`a group of ${GROUP} gave ${ones.length} results`);
    rates.push((GROUP / (performance.now() - started)) * 1000);
  }
  return rates;
}

async function main(): Promise<void> {
  const addressA = await worker("wA", []);
  const addressB = await worker("wB", ["--concurrency", "1"]);
  const browser = await launchChromium();
  const site = await serveFiles({
    "/": modulePage("/bench.js"),
    "/bench.js": {
      contentType: "text/javascript",
      body: await bundleForBrowser(new URL("./browser_page.ts", import.meta.url)),
    },
  });
  const context = await webRtcContext(browser);
  const open = async () => {
    const page = await context.newPage();
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (globalThis as { actantBenchReady?: boolean }).actantBenchReady === true);
    return <T>(fn: string, ...args: unknown[]): Promise<T> =>
      within(
        page.evaluate(
          ([fn, args]) =>
            (globalThis as unknown as Record<string, Record<string, (...a: unknown[]) => T>>)
              .actantBench[fn as string](...(args as unknown[])),
          [fn, args] as const,
        ),
        `the tab's ${fn}`,
        LIMIT_MS,
      );
  };
  const inTab = await open();

  const node = new ActantApp("bench_browser", { address: addressA });
  const tasks = registerBenchTasks(node);
  const nodeTasks = await clientTasks(node, tasks.add, TASKS, ROUNDS);
  const tabTasks = await inTab<number[]>("tasks", addressA, TASKS, ROUNDS);
  const nodeChain = await clientChain(
    node,
    () => chain(tasks.inc.s(1), tasks.double.s(), tasks.inc.s()),
    CHAIN_SAMPLES,
  );
  const tabChain = await inTab<number[]>("chain", addressA, CHAIN_SAMPLES);
  await node.close();

  const owner = new ActantApp("bench_browser", { address: addressB });
  const { work } = registerBenchTasks(owner);
  await start("light", process.execPath, [
    fileURLToPath(new URL("./browser_light_node.ts", import.meta.url)),
    addressB,
    String(LIGHT_CONCURRENCY),
  ], /light ready/);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // wB hears its announcement
  const nodeLight = await lightRate(owner, work);
  await stopAll("light");
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // wB takes it as gone
  await inTab<void>("light", addressB, LIGHT_CONCURRENCY);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const tabLight = await lightRate(owner, work);
  await inTab<void>("leave");
  await owner.close();
  const { tabCalls, nodeCalls, socketCalls } = await callRows(open, inTab);
  await browser.close();
  await site.close();

  const rows = [
    row(`trivial tasks, ${fmt(TASKS)} submitted at once by a client`, "tasks/s", median(nodeTasks), median(tabTasks)),
    row("3-step chain latency p50, from a client", "ms", median(nodeChain), median(tabChain)),
    row("3-step chain latency p99, from a client", "ms", percentile(nodeChain, 99), percentile(tabChain, 99)),
    row(
      `light worker: a group of ${fmt(GROUP)} ${WORK_MS}-ms tasks placed on it (concurrency ${LIGHT_CONCURRENCY})`,
      "tasks/s",
      median(nodeLight),
      median(tabLight),
    ),
    row(
      `actor calls, ${fmt(CALLS)} at once to an actor in another peer, over WebRTC (tab → tab; Node → Node)`,
      "calls/s",
      median(nodeCalls),
      median(tabCalls),
    ),
    row(
      `actor calls, ${fmt(CALLS)} at once: Node → a worker's own actor over WebSocket; tab → tab over WebRTC`,
      "calls/s",
      median(socketCalls),
      median(tabCalls),
    ),
  ];
  const result = { benchmark: "browser", runtime: runtime(), date: new Date().toISOString(), rows };
  const dir = new URL("./results/", import.meta.url);
  await mkdir(dir, { recursive: true });
  await writeFile(join(fileURLToPath(dir), `browser-${runtime().split(" ")[0]}.json`), JSON.stringify(result, null, 2));
  console.log(`\nActant in a browser tab vs Node, ${result.runtime}, Chromium (median of ${ROUNDS} rounds)\n`);
  console.log("| metric | Node | tab | tab / Node |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) {
    const digits = r.unit === "ms" ? 2 : 0;
    const ratio = r.unit === "ms" ? r.node / r.tab : r.tab / r.node; // above 1: the tab does better
    console.log(
      `| ${r.metric} | ${fmt(r.node, digits)} ${r.unit} | ${fmt(r.tab, digits)} ${r.unit} | ${fmt(ratio, 2)}× |`,
    );
  }
  console.log("\n(tab / Node: the tab's speed over Node's; the target is ≥ 0.5×, within 2× of Node)");
}

type TabCall = <T>(fn: string, ...args: unknown[]) => Promise<T>;

/** The actor-call rows, through a worker that relays WebRTC signalling (wC). */
async function callRows(open: () => Promise<TabCall>, inTab: TabCall) {
  const addressC = await worker("wC", ["--relay"]);
  const host = await open();
  await host<void>("webRtcLight", addressC, "tab B");
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // wC hears its announcement
  const tabCalls = await inTab<number[]>("webRtcCalls", addressC, "tab B", CALLS, ROUNDS);
  await host<void>("leave");
  await start("light", process.execPath, [
    fileURLToPath(new URL("./browser_light_node.ts", import.meta.url)),
    addressC,
    "4",
    "webrtc",
  ], /light ready/);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // wC takes the tab as gone, hears the process
  const client = new ActantApp("bench_browser", { address: addressC, webrtc: webRtc({ bindAddress: "127.0.0.1" }) });
  const Counter = registerBenchActor(client, "client");
  const nodeCalls = await within(
    actorCalls(client, Counter, "light", { count: CALLS, rounds: ROUNDS }),
    "Node calls",
    LIMIT_MS,
  );
  const socketCalls = await within(
    actorCalls(client, Counter, "server", { count: CALLS, rounds: ROUNDS }),
    "Node calls over WebSocket",
    LIMIT_MS,
  );
  await client.close();
  await stopAll("light");
  return { tabCalls, nodeCalls, socketCalls };
}

function row(metric: string, unit: string, node: number, tab: number) {
  return { metric, unit, node, tab };
}

try {
  await main();
} finally {
  await stopAll();
}
