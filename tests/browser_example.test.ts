// The browser example as a person uses it: `node examples/browser/serve.ts` serves the page next
// to a server worker; the page, opened in headless Chromium, joins as a light worker, and "Run"
// sends a workflow whose steps run in the tab and on the server, which the page shows.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { ONCE_UNDER_NODE } from "./support/actant_cli.ts";
import { launchChromium } from "./support/browser.ts";
import { within } from "./support/async.ts";

const serve = fileURLToPath(new URL("../examples/browser/serve.ts", import.meta.url));

/** Starts the example; resolves with the page's URL once it prints it. */
function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [serve, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = output.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (match !== null) resolve(match[1]);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the example exited (${code}) before serving:\n${output}`)));
  });
  return within(url, 30_000, "the example's URL").then((found) => ({ child, url: found, output: () => output }));
}

describe("examples/browser", { timeout: 90_000, skip: ONCE_UNDER_NODE }, () => {
  let example: Awaited<ReturnType<typeof start>> | undefined;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close();
    const child = example?.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await within(exited, 10_000, "the example to stop").catch(() => child.kill("SIGKILL"));
    }
  });

  it("serves a page that joins as a light worker and shows a workflow's steps in the tab and on the server", async () => {
    example = await start();
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(example.url);
    await page.waitForFunction(
      () => document.getElementById("status")?.textContent?.includes("joined"),
      undefined,
      { timeout: 20_000 },
    ).catch((error) => {
      throw new Error(`the page did not join: ${errors.join("; ")}\n${example!.output()}`, { cause: error });
    });
    await page.click("#run");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("done"), undefined, {
      timeout: 30_000,
    });
    const status = await page.textContent("#status");
    const onTab = Number(status!.match(/done: (\d+) of 12 steps ran in this tab/)![1]);
    assert.ok(onTab >= 1 && onTab <= 11, status!);
    assert.equal(await page.locator(".cell.tab").count(), onTab);
    assert.equal(await page.locator(".cell.server").count(), 12 - onTab);
    assert.match(example.output(), /member joined: .* \(a tab\)/);
    assert.deepEqual(errors, []);
  });
});
