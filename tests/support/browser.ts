// Running code in a real browser for the tests: Debian's headless Chromium driven by
// playwright-core, esbuild bundles of test entry points, and a loopback HTTP server to load them
// from. Pages are served from http://127.0.0.1 rather than opened as about:blank: a loopback
// origin is a secure context (crypto.randomUUID, crypto.subtle), as an app served over https is.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser (`npx playwright install` cannot download one here). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Launches headless Chromium. Throws, rather than letting the caller skip, when it is not
 * installed: a browser test that silently skips proves nothing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does this in CI)`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    timeout: 30_000,
  });
}

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
