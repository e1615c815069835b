/**
 * The package as a browser page gets it: the published entry (`dist/mod.js`, built here with the
 * package's own build config into a temp dir) bundled by esbuild with code splitting, as a
 * local-mode page would be. Its entry and the chunks it imports statically hold no network
 * module (esbuild's metafile), and the seed's chain runs in headless Chromium loading only those.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build, stop } from "esbuild";
import type { Browser } from "playwright-core";
import { ONCE_UNDER_NODE } from "./support/actant_cli.ts";
import { type FileServer, launchChromium, type ServedFile, serveFiles } from "./support/browser.ts";
import { createTempDir } from "./support/temp_dir.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
/** The packages of the network stack: none may be in what a local-mode page loads. */
const NETWORK = /^(?:libp2p|@libp2p\/|@chainsafe\/|@multiformats\/|it-|ws$|uint8arraylist$)/;
const PAGE = `import { ActantApp, chain } from "./dist/mod.js";
const app = new ActantApp("my_app");
const fetch = app.task("fetch", async (url) => \`data from \${url}\`);
const analyze = app.task("analyze", (_data) => ({ sentiment: 0.8, topics: ["tech", "ai"] }));
const report = app.task("report", (r) => \`Report: sentiment=\${r.sentiment}\`);
const result = await app.submit(chain(fetch.s("https://example.com"), analyze.s(), report.s())).get();
globalThis.ACTANT_RESULT = { result, durability: app.durability };
await app.close();
`;

/** The output files of a split bundle and the paths a local-mode page loads (entry + static imports). */
interface SplitBundle {
  files: Record<string, ServedFile>;
  entry: string;
  staticPaths: Set<string>;
  staticPackages: Set<string>;
  lazyPackages: Set<string>;
}

async function bundlePage(dir: string): Promise<SplitBundle> {
  try {
    const outdir = join(dir, "out");
    const result = await build({
      entryPoints: [join(dir, "page.js")],
      absWorkingDir: dir,
      // The page lives in a temp dir: its imports of the package's dependencies resolve here.
      nodePaths: [join(root, "node_modules")],
      platform: "browser",
      bundle: true,
      splitting: true,
      format: "esm",
      minify: true,
      write: false,
      outdir,
      metafile: true,
      logLevel: "silent",
    });
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint !== undefined)!;
    const staticPaths = new Set<string>();
    const pending = [entry];
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (staticPaths.has(path)) continue;
      staticPaths.add(path);
      for (const link of outputs[path].imports) if (link.kind === "import-statement") pending.push(link.path);
    }
    const packagesOf = (paths: string[]) =>
      new Set(
        paths.flatMap((path) => Object.keys(outputs[path].inputs)).map((input) =>
          /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? "(ours)"
        ),
      );
    const files: Record<string, ServedFile> = {};
    for (const file of result.outputFiles) {
      files[`/${file.path.slice(outdir.length + 1)}`] = { contentType: "text/javascript", body: file.text };
    }
    // Metafile paths are relative to `dir`: "out/page.js" is served as "/page.js".
    const servedPath = (path: string) => `/${join(dir, path).slice(outdir.length + 1)}`;
    return {
      files,
      entry: servedPath(entry),
      staticPaths: new Set([...staticPaths].map(servedPath)),
      staticPackages: packagesOf([...staticPaths]),
      lazyPackages: packagesOf(Object.keys(outputs).filter((path) => !staticPaths.has(path))),
    };
  } finally {
    await stop();
  }
}

describe("a local-mode browser page built from the package entry", { skip: ONCE_UNDER_NODE }, () => {
  let work: Awaited<ReturnType<typeof createTempDir>> | undefined;
  let browser: Browser | undefined;
  let site: FileServer | undefined;
  let bundle: SplitBundle;

  before(async () => {
    work = await createTempDir("browser-local");
    // The package's build, into this test's own dir (the consumer test rebuilds ./dist meanwhile).
    const tsc = join(root, "node_modules", ".bin", "tsc");
    await run(tsc, ["-p", join(root, "tsconfig.build.json"), "--outDir", join(work.path, "dist")], { cwd: root });
    writeFileSync(join(work.path, "page.js"), PAGE);
    bundle = await bundlePage(work.path);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await work?.remove();
  });

  it("holds no network module in what the page loads (esbuild's metafile), and the network chunks exist", () => {
    assert.deepEqual(
      [...bundle.staticPackages].filter((name) => NETWORK.test(name)),
      [],
      [...bundle.staticPackages].join(", "),
    );
    assert.ok(bundle.staticPackages.has("superjson"), [...bundle.staticPackages].join(", "));
    assert.ok(bundle.lazyPackages.has("libp2p"), [...bundle.lazyPackages].join(", "));
  });

  it("runs the seed's chain in headless Chromium, fetching none of the network chunks", async () => {
    const requested: string[] = [];
    const html =
      `<!doctype html><html><head><link rel="icon" href="data:,"><script type="module" src="${bundle.entry}"></script></head></html>`;
    site = await serveFiles({ "/": { contentType: "text/html", body: html }, ...bundle.files }, requested);
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
    await page.goto(`${site.url}/`);
    await page.waitForFunction(
      () => (globalThis as { ACTANT_RESULT?: unknown }).ACTANT_RESULT !== undefined,
      undefined,
      {
        timeout: 30_000,
      },
    ).catch((error) => assert.fail(`no result: ${errors.join("\n") || error}`));
    const outcome = await page.evaluate(() => (globalThis as { ACTANT_RESULT?: unknown }).ACTANT_RESULT);
    assert.deepEqual(outcome, { result: "Report: sentiment=0.8", durability: "memory" });
    assert.deepEqual(errors, []);
    const scripts = requested.filter((path) => path.endsWith(".js"));
    assert.ok(scripts.includes(bundle.entry), `requested: ${scripts.join(", ")}`);
    assert.deepEqual(scripts.filter((path) => !bundle.staticPaths.has(path)), [], `requested: ${scripts.join(", ")}`);
  });
});
