// Bad input from a real tab: tests/fixtures/browser_rogue_tab.ts, bundled for the browser and run
// in headless Chromium, joins an `actant worker --log-level debug` as a light worker that skips
// Actant's checks. Its forged answers (keys it was never given) and messages that are no answer
// are dropped and logged at debug, never taken as results: each task it ran counts once, with its
// real answer. A frame the worker does not accept closes that stream with a BAD_FRAME error frame;
// the worker goes on serving the tab and a Node client.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ActantApp, group, signature } from "../mod.ts";
import { ONCE_UNDER_NODE, startWorker, type WorkerProcess } from "./support/actant_cli.ts";
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

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;
const entry = new URL("./fixtures/browser_rogue_tab.ts", import.meta.url);
/** What the rogue tab answers each "where" with. */
const ROGUE = -3;

interface RogueGlobals {
  actantAttempts: number;
  actantBadFrames: () => Promise<string[]>;
}

describe("a tab that sends what the worker does not accept", { timeout: 90_000, skip: ONCE_UNDER_NODE }, () => {
  let temp: TempDir;
  let worker: WorkerProcess | undefined;
  let browser: Browser | undefined;
  let site: FileServer | undefined;
  let client: ActantApp | undefined;
  let page: Page | undefined;
  let rogueId = "";
  const consoleLines: string[] = [];

  before(async () => {
    temp = await createTempDir("browser-rogue");
    const started = await Promise.allSettled([
      startWorker([
        "--app",
        appModule,
        "--data",
        join(temp.path, "w1"),
        "--concurrency",
        "1",
        "--node-id",
        "w1",
        "--log-level",
        "debug",
      ]).then((w) => (worker = w)),
      bundleForBrowser(entry).then((code) =>
        serveFiles({ "/": modulePage("/rogue.js"), "/rogue.js": { contentType: "text/javascript", body: code } })
          .then((s) => (site = s))
      ),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
    client = new ActantApp("cluster_test", { address: worker!.address });
    const opened = await openPage<{ peerId: string } | { error: string }>(browser!, `${site!.url}/`, {
      globals: { ACTANT_ADDRESS: worker!.address },
      ready: "ACTANT_ROGUE",
      lines: consoleLines,
      timeoutMs: 20_000,
      explain: () => `worker:\n${worker!.output()}`,
    });
    page = opened.page;
    if ("error" in opened.value) assert.fail(`the rogue tab did not start: ${opened.value.error}`);
    rogueId = opened.value.peerId;
    await until(() => worker!.stdout().includes("member joined"), "w1 takes the tab as a member");
  });

  after(async () => {
    await page?.close();
    await client?.close();
    await browser?.close();
    await site?.close();
    await worker?.stop();
    await temp?.remove();
  });

  const rogueState = () => page!.evaluate(() => (globalThis as unknown as RogueGlobals).actantAttempts);

  it("drops its answers to attempts it was never given and its non-answers, logged at debug", async () => {
    const pids = await client!.submit(group(...Array.from({ length: 8 }, () => signature<number>("where", [200]))));
    assert.equal(pids.length, 8);
    assert.ok(pids.every((pid) => pid === ROGUE || pid === worker!.child.pid), `pids: ${pids}`);
    const ranInTab = pids.filter((pid) => pid === ROGUE).length;
    assert.ok(ranInTab >= 1, `no task was placed on the tab: ${pids}`);
    assert.equal(await rogueState(), ranInTab, "each attempt the tab got counts once, with its real answer");
    const lines = worker!.stdout().split("\n").filter((line) => line.includes("answer ignored"));
    const from = `from rogue-tab (${rogueId})`;
    const forged = lines.filter((line) =>
      line.includes(from) && /answer to attempt \d+, which is not in flight/.test(line)
    );
    const junk = lines.filter((line) => line.includes(from) && line.includes("a message that is no answer"));
    assert.equal(forged.length, ranInTab, lines.join("\n"));
    assert.equal(junk.length, ranInTab, lines.join("\n"));
  });

  it("has a stream of frames the worker does not accept closed with BAD_FRAME; the worker serves on", async () => {
    const frames = await page!.evaluate(() => (globalThis as unknown as RogueGlobals).actantBadFrames());
    assert.deepEqual(frames.filter((kind) => kind !== "credit"), ["error BAD_FRAME"], `frames: ${frames}`);
    assert.equal(worker!.child.exitCode, null, "the worker runs");
    assert.equal(await client!.submit(signature<number>("add", [2, 3])), 5);
    // The tab is still a member: work is placed on it again.
    const before = await rogueState();
    const pids = await client!.submit(group(...Array.from({ length: 8 }, () => signature<number>("where", [200]))));
    assert.ok(pids.includes(ROGUE), `no task was placed on the tab again: ${pids}`);
    assert.equal(await rogueState(), before + pids.filter((pid) => pid === ROGUE).length);
    assert.deepEqual(consoleLines.filter((line) => line.startsWith("[pageerror]")), []);
  });
});
