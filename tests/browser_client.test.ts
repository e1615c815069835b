// The client half of Actant runs in a real browser: tests/fixtures/browser_client.ts, bundled by
// esbuild for the browser, runs in headless Chromium and talks to an `actant worker` process over
// a real libp2p connection (ws://127.0.0.1, Noise, Yamux): tasks, the seed's chain, an actor, and
// an error that comes back by name.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { BrowserClientResult } from "./fixtures/browser_client.ts";
import { startWorker, type WorkerProcess } from "./support/actant_cli.ts";
import { bundleForBrowser, type FileServer, launchChromium, modulePage, serveFiles } from "./support/browser.ts";

const appModule = new URL("./fixtures/cluster_app.ts", import.meta.url).pathname;
const entry = new URL("./fixtures/browser_client.ts", import.meta.url);

/** How long the page may take to run the whole fixture. */
const PAGE_TIMEOUT_MS = 15_000;

// playwright-core drives Chromium from Node, Deno 2.9 and Bun 1.4 alike, so no runtime skips this.
describe("browser client against an actant worker process", { timeout: 60_000 }, () => {
  let work: string;
  let worker: WorkerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let bundle: string;
  let site: FileServer | undefined;
  const consoleLines: string[] = [];

  /**
   * What went wrong in `before`, rethrown by the test: node:test counts a failed hook as
   * "cancelled", not "fail", and a missing Chromium must show as a failure.
   */
  let setupError: unknown;

  before(async () => {
    try {
      await setUp();
    } catch (error) {
      setupError = error;
    }
  });

  async function setUp(): Promise<void> {
    work = mkdtempSync(join(tmpdir(), "actant-browser-"));
    // Started side by side, but each kept as soon as it is up: when one fails, `after` must still
    // stop the others (a worker left running keeps the test process alive).
    const started = await Promise.allSettled([
      startWorker([
        "--app",
        appModule,
        "--listen",
        "/ip4/127.0.0.1/tcp/0/ws",
        "--data",
        join(work, "data"),
        "--node-id",
        "w1",
      ])
        .then((w) => (worker = w)),
      bundleForBrowser(entry).then((code) => (bundle = code)),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
    // The page comes from http://127.0.0.1, a secure context, like an app served over https.
    site = await serveFiles({
      "/": modulePage("/browser_client.js"),
      "/browser_client.js": { contentType: "text/javascript", body: bundle },
    });
    page = await browser!.newPage();
    page.on(
      "console",
      (message) => consoleLines.push(`[${message.type()}] ${message.text()} (${message.location().url})`),
    );
    page.on("pageerror", (error) => consoleLines.push(`[pageerror] ${error.stack ?? error.message}`));
  }

  after(async () => {
    await browser?.close();
    await site?.close();
    await worker?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("submits tasks, a chain and actor calls over ws://127.0.0.1 and gets results and errors by name", async () => {
    if (setupError !== undefined) throw setupError;
    assert.ok(bundle.length > 1000, `bundle is only ${bundle.length} bytes`);
    await page.addInitScript((address) => {
      (globalThis as { ACTANT_ADDRESS?: string }).ACTANT_ADDRESS = address;
    }, worker!.address);
    await page.goto(`${site!.url}/`);
    try {
      await page.waitForFunction(
        () => (globalThis as { ACTANT_RESULT?: unknown }).ACTANT_RESULT !== undefined,
        undefined,
        {
          timeout: PAGE_TIMEOUT_MS,
        },
      );
    } catch (error) {
      const stage = await page.evaluate(() => (globalThis as { ACTANT_STAGE?: string }).ACTANT_STAGE).catch(() => "?");
      throw new Error(
        `the page gave no result within ${PAGE_TIMEOUT_MS} ms (stuck at: ${stage})\n` +
          `console:\n${consoleLines.join("\n")}\nworker:\n${worker!.output()}`,
        { cause: error },
      );
    }
    const result = await page.evaluate(() => (globalThis as { ACTANT_RESULT?: BrowserClientResult }).ACTANT_RESULT!);
    if (!result.ok) {
      assert.fail(
        `the page failed: ${result.error.name}: ${result.error.message}\n${result.error.stack}\nconsole:\n${
          consoleLines.join("\n")
        }`,
      );
    }
    // It really ran in the browser, not in a runtime with Node's globals.
    assert.match(result.runtime.userAgent, /Chrome\//);
    assert.deepEqual([result.runtime.hasProcess, result.runtime.hasDeno, result.runtime.hasBun], [false, false, false]);

    assert.equal(result.add, 5);
    // The worker's tasks ran, not the client's stubs.
    assert.equal(result.chain, "Report: sentiment=0.8");
    assert.equal(result.registered, "Registered gpt@v1.0");
    assert.deepEqual(result.list, { gpt: "v1.0" });
    assert.ok("name" in result.unknownTask, `submit(nope) resolved with ${JSON.stringify(result.unknownTask)}`);
    assert.equal(result.unknownTask.name, "UnknownTaskError");
    assert.equal(result.unknownTask.code, "UNKNOWN_TASK");
    assert.match(result.unknownTask.message, /"nope"/);
    assert.deepEqual(consoleLines.filter((line) => line.startsWith("[error]") || line.startsWith("[pageerror]")), []);
  });

  it("runs in a page that is not a secure context too (an app served over plain http from a LAN address), with a cluster secret", async () => {
    if (setupError !== undefined) throw setupError;
    const secretFile = join(work, "secret");
    writeFileSync(secretFile, "browser tabs know it too");
    const privateWorker = await startWorker([
      "--app",
      appModule,
      "--data",
      join(work, "private"),
      "--node-id",
      "w2",
      "--secret-file",
      secretFile,
    ]);
    const insecure = await browser!.newPage();
    try {
      await insecure.setContent("<!doctype html><html><body></body></html>");
      assert.equal(await insecure.evaluate(() => globalThis.isSecureContext), false);
      await insecure.evaluate((address) => {
        Object.assign(globalThis, { ACTANT_ADDRESS: address, ACTANT_SECRET: "browser tabs know it too" });
      }, privateWorker.address);
      await insecure.addScriptTag({ content: bundle, type: "module" });
      await insecure.waitForFunction(
        () => (globalThis as { ACTANT_RESULT?: unknown }).ACTANT_RESULT !== undefined,
        undefined,
        {
          timeout: PAGE_TIMEOUT_MS,
        },
      );
      const result = await insecure.evaluate(() =>
        (globalThis as { ACTANT_RESULT?: BrowserClientResult }).ACTANT_RESULT!
      );
      if (!result.ok) assert.fail(`the page failed: ${result.error.name}: ${result.error.message}`);
      assert.equal(result.add, 5);
      assert.deepEqual(result.list, { gpt: "v1.0" });
    } finally {
      await insecure.close();
      await privateWorker.stop();
    }
  });
});
