// A browser tab as a light worker: tests/fixtures/browser_light_worker.ts, bundled by esbuild for
// the browser, runs in headless Chromium as a light worker of an `actant worker` process (over
// ws://127.0.0.1), and a Node client's group has some of its tasks placed on the tab. Closing the
// tab mid-task hands its attempts back: they run again on the worker, and the group completes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ActantApp, group, signature } from "../mod.ts";
import { startWorker, type WorkerProcess } from "./support/actant_cli.ts";
import { until } from "./support/async.ts";
import {
  bundleForBrowser,
  type FileServer,
  launchChromium,
  modulePage,
  openPage,
  serveFiles,
} from "./support/browser.ts";
import { createTempDir, type TempDir } from "./support/temp_dir.ts";
import { join } from "node:path";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;
const entry = new URL("./fixtures/browser_light_worker.ts", import.meta.url);
const webWorkerEntry = new URL("./fixtures/browser_light_web_worker.ts", import.meta.url);
/** A page that runs the light worker in a dedicated Web Worker, and keeps what it posts. */
const WEB_WORKER_PAGE = '<!doctype html><html><head><link rel="icon" href="data:,"><script type="module">' +
  'const worker = new Worker("/web_worker.js", { type: "module", name: globalThis.ACTANT_ADDRESS });' +
  "worker.onmessage = (event) => { globalThis.ACTANT_LIGHT = event.data; };" +
  'worker.onerror = (event) => { globalThis.ACTANT_LIGHT = { error: { name: "Error", message: event.message } }; };' +
  "</script></head><body></body></html>";
/** What the tab's `where` answers with: no process has this pid. */
const TAB = -1;

type LightState = { joined: true; started: number } | { error: { name: string; code?: string; message: string } };

describe("a browser tab as a light worker of an actant worker process", { timeout: 90_000 }, () => {
  let temp: TempDir;
  let worker: WorkerProcess | undefined;
  let browser: Browser | undefined;
  let site: FileServer | undefined;
  let client: ActantApp | undefined;
  const consoleLines: string[] = [];
  /** What went wrong in `before`, rethrown by the tests (a failed hook counts as "cancelled"). */
  let setupError: unknown;

  before(async () => {
    try {
      temp = await createTempDir("browser-light");
      const started = await Promise.allSettled([
        startWorker(["--app", appModule, "--data", join(temp.path, "w1"), "--concurrency", "1", "--node-id", "w1"])
          .then((w) => (worker = w)),
        // One after the other: each build stops esbuild's service when it is done.
        bundleForBrowser(entry).then(async (code) => [code, await bundleForBrowser(webWorkerEntry)]).then((
          [code, webWorker],
        ) =>
          serveFiles({
            "/": modulePage("/light.js"),
            "/light.js": { contentType: "text/javascript", body: code },
            "/web_worker.html": { contentType: "text/html", body: WEB_WORKER_PAGE },
            "/web_worker.js": { contentType: "text/javascript", body: webWorker },
          }).then((s) => (site = s))
        ),
        launchChromium().then((b) => (browser = b)),
      ]);
      for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
      client = new ActantApp("cluster_test", { address: worker!.address });
    } catch (error) {
      setupError = error;
    }
  });

  after(async () => {
    await client?.close();
    await browser?.close();
    await site?.close();
    await worker?.stop();
    await temp?.remove();
  });

  /** A tab that joined as a light worker (holding every task it gets forever, with `hold`). */
  async function lightTab(hold: boolean, address = worker!.address, path = "/"): Promise<Page> {
    const { page, value: state } = await openPage<LightState>(browser!, `${site!.url}${path}`, {
      globals: { ACTANT_ADDRESS: address, ACTANT_HOLD: hold },
      ready: "ACTANT_LIGHT",
      lines: consoleLines,
      timeoutMs: 20_000,
      explain: () => `worker:\n${worker!.output()}`,
    });
    if ("error" in state) assert.fail(`the tab could not join: ${state.error.name}: ${state.error.message}`);
    return page;
  }

  /** How many members w1 has logged joining (each tab is one). */
  const joinedCount = () => worker!.stdout().split("member joined").length - 1;

  const lightState = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as { ACTANT_LIGHT: LightState }).ACTANT_LIGHT);

  it("runs some of the tasks of a Node client's group, and the results are right", async () => {
    if (setupError !== undefined) throw setupError;
    const page = await lightTab(false);
    try {
      await until(() => joinedCount() === 1, "w1 sees the tab");
      const pids = await client!.submit(group(...Array.from({ length: 10 }, () => signature<number>("where", [200]))));
      assert.equal(pids.length, 10);
      assert.ok(pids.includes(TAB), `no task ran in the tab: ${pids}`);
      assert.ok(pids.includes(worker!.child.pid!), `no task ran on the worker: ${pids}`);
      assert.ok(pids.every((pid) => pid === TAB || pid === worker!.child.pid), `pids: ${pids}`);
      const state = await lightState(page);
      assert.ok("joined" in state && state.started >= 1 && state.started <= 9, JSON.stringify(state));
    } finally {
      await page.close();
    }
    assert.deepEqual(consoleLines.filter((line) => line.startsWith("[pageerror]")), []);
  });

  it("runs in a dedicated Web Worker too (over WebSocket, with no page to listen to)", async () => {
    if (setupError !== undefined) throw setupError;
    const page = await lightTab(false, worker!.address, "/web_worker.html");
    try {
      await until(() => joinedCount() === 2, "w1 sees the Web Worker"); // the first test's tab, then this one
      const pids = await client!.submit(group(...Array.from({ length: 10 }, () => signature<number>("where", [200]))));
      assert.ok(pids.includes(-2), `no task ran in the Web Worker: ${pids}`);
      assert.ok(pids.every((pid) => pid === -2 || pid === worker!.child.pid), `pids: ${pids}`);
    } finally {
      await page.close();
    }
  });

  it("hosts a Node client's actor, which moves to the worker with its state when the tab closes", async () => {
    if (setupError !== undefined) throw setupError;
    const page = await lightTab(false);
    await until(() => joinedCount() === 3, "w1 sees the tab"); // after the tabs of the tests before
    // The client's stub gives the class its name and types; w1 owns the actor, and places it on
    // the member with fewest actors, another member winning a tie with it: the tab.
    const Counter = client!.actor(
      "Counter",
      class {
        add(_n: number): number {
          return 0;
        }
        host(): number {
          return 0;
        }
      },
    );
    const counter = await client!.createActor(Counter);
    assert.equal(await counter.host(), TAB, "hosted in the tab");
    for (let i = 1; i <= 4; i++) assert.equal(await counter.add(1), i);
    await page.close();
    assert.equal(await counter.host(), worker!.child.pid, "moved to the worker");
    assert.equal(await counter.add(1), 5, "with the state its logged calls left");
  });

  it("frozen mid-task (the DevTools protocol), its attempts run on the worker; once it resumes, no result counts twice", async () => {
    if (setupError !== undefined) throw setupError;
    // A worker that takes a silent member as gone soon: heartbeats every 200 ms, gone after 1 s.
    const quick = await startWorker([
      "--app",
      appModule,
      "--data",
      join(temp.path, "quick"),
      "--concurrency",
      "1",
      "--heartbeat-ms",
      "200",
      "--fail-after-ms",
      "1000",
    ]);
    const quickClient = new ActantApp("cluster_test", { address: quick.address });
    const page = await lightTab(false, quick.address);
    try {
      await until(() => quick.stdout().includes("member joined"), "the worker sees the tab");
      // Each task waits 1.5 s (on a timer, which a frozen page does not fire) and answers.
      const handle = quickClient.submit(group(...Array.from({ length: 3 }, () => signature<number>("where", [1_500]))));
      let state: LightState | undefined;
      await until(() => state !== undefined && "joined" in state && state.started >= 1, "the tab runs an attempt", {
        step: async () => void (state = await lightState(page)),
      });
      // Frozen as Chrome freezes a background tab (Page.setWebLifecycleState), and, since this
      // headless Chromium freezes no visible page, with its JavaScript paused too: nothing runs in
      // the tab, its timers and its network handlers included, so it answers no ping.
      const devtools = await page.context().newCDPSession(page);
      await devtools.send("Debugger.enable");
      await devtools.send("Page.setWebLifecycleState", { state: "frozen" });
      await devtools.send("Debugger.pause");
      const pids = await handle;
      assert.deepEqual(pids, Array(3).fill(quick.child.pid), "every task ran (again) on the worker");
      await until(() => quick.stdout().includes("member left"), "the worker took the tab as gone");
      await devtools.send("Debugger.resume");
      await devtools.send("Page.setWebLifecycleState", { state: "active" });
      // Resumed, the tab finishes what it held and answers: the worker ignores those answers, and
      // takes work again, the tab back among its members.
      await until(() => quick.stdout().split("member joined").length - 1 === 2, "the tab is a member again", {
        limitMs: 20_000,
      });
      const again = await quickClient.submit(
        group(...Array.from({ length: 6 }, () => signature<number>("where", [300]))),
      );
      assert.equal(again.length, 6);
      assert.ok(again.every((pid) => pid === TAB || pid === quick.child.pid), `pids: ${again}`);
    } finally {
      await page.close();
      await quickClient.close();
      await quick.stop();
    }
  });

  it("hands its attempts back when its page closes mid-task: they run on the worker, the group completes", async () => {
    if (setupError !== undefined) throw setupError;
    const page = await lightTab(true);
    await until(() => joinedCount() === 4, "w1 sees the tab"); // after the tabs of the tests before
    const handle = client!.submit(group(...Array.from({ length: 4 }, () => signature<number>("where", [300]))));
    let state: LightState | undefined;
    await until(() => state !== undefined && "joined" in state && state.started >= 1, "the tab holds an attempt", {
      step: async () => void (state = await lightState(page)),
    });
    await page.close();
    const pids = await handle;
    assert.deepEqual(pids, Array(4).fill(worker!.child.pid), "every task ran (again) on the worker");
  });
});
