// Running code in a real browser for the tests: headless Chromium from npm (./chromium.ts) driven
// by playwright-core, esbuild bundles of test entry points, and a loopback HTTP server to load them
// from. Pages are served from http://127.0.0.1 rather than opened as about:blank: a loopback
// origin is a secure context (crypto.randomUUID, crypto.subtle), as an app served over https is.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";
import type { Browser, BrowserContext, Page } from "playwright-core";

export { launchChromium } from "./chromium.ts";

/**
 * A context whose pages can run WebRTC on loopback: without a media permission, Chromium gathers
 * no host ICE candidate there.
 */
export function webRtcContext(browser: Pick<Browser, "newContext">): Promise<BrowserContext> {
  return browser.newContext({ permissions: ["microphone", "camera"] });
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** `entry` (a path or file URL) and everything it imports, as one ES module for the browser. */
export async function bundleForBrowser(entry: string | URL): Promise<string> {
  try {
    const result = await build({
      entryPoints: [typeof entry === "string" ? entry : fileURLToPath(entry)],
      absWorkingDir: root,
      platform: "browser",
      bundle: true,
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join("; ")}`);
    return result.outputFiles[0].text;
  } finally {
    // The JS API keeps an esbuild child process; Deno's sanitizers want it gone before the test ends.
    await stop();
  }
}

/** A file {@linkcode serveFiles} serves. */
export interface ServedFile {
  contentType: string;
  body: string;
}

/**
 * Opens `url` in a new page of `context` with `globals` set before its scripts run, and waits
 * (bounded) until the page sets `globalThis[ready]`: resolves with the page and that value. The
 * page's console lines and errors go to `lines`; a page that never gets ready fails with them,
 * and with what `explain` adds.
 */
export async function openPage<T>(
  context: Pick<BrowserContext, "newPage">,
  url: string,
  options: {
    globals: Record<string, unknown>;
    ready: string;
    lines: string[];
    timeoutMs: number;
    explain?: () => string;
  },
): Promise<{ page: Page; value: T }> {
  const { globals, ready, lines, timeoutMs, explain } = options;
  const page = await context.newPage();
  page.on("console", (message) => lines.push(`[${message.type()}] ${message.text()}`));
  page.on("pageerror", (error) => lines.push(`[pageerror] ${error.stack ?? error.message}`));
  await page.addInitScript((values) => Object.assign(globalThis, values), globals);
  await page.goto(url);
  try {
    await page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] !== undefined, ready, {
      timeout: timeoutMs,
    });
  } catch (cause) {
    throw new Error(`the page never set ${ready}: console:\n${lines.join("\n")}\n${explain?.() ?? ""}`, { cause });
  }
  const value = await page.evaluate((name) => (globalThis as Record<string, unknown>)[name], ready) as T;
  return { page, value };
}

/** A page that loads the module script at `src` (and asks for no favicon). */
export function modulePage(src: string): ServedFile {
  return {
    contentType: "text/html",
    body: `<!doctype html><html><head><link rel="icon" href="data:,"><script type="module" src="${src}"></script>` +
      "</head><body></body></html>",
  };
}

/** A running loopback HTTP server. */
export interface FileServer extends AsyncDisposable {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `files` (by path, e.g. `/index.html`) on 127.0.0.1 at a free port; anything else is a
 * 404. Every path asked for is pushed to `requested`, when given (what a page really loaded).
 */
export async function serveFiles(files: Record<string, ServedFile>, requested?: string[]): Promise<FileServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    requested?.push(path);
    const file = files[path];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file.contentType, "cache-control": "no-store" }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}
