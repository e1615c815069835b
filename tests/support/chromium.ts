// Headless Chromium for the browser tests, from npm: @sparticuz/chromium ships a compressed
// headless shell (with SwiftShader and the NSS libraries it links against) inside the package,
// so `npm install` is all a machine needs; `npx playwright install` cannot download a browser
// here, and an apt step would tie the tests to Debian and to root.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sparticuz from "@sparticuz/chromium";
import { type Browser, chromium } from "playwright-core";

/** An environment variable naming another Chromium to use instead (a path to its executable). */
export const CHROMIUM_OVERRIDE_ENV = "ACTANT_CHROMIUM";

const packageDir = fileURLToPath(new URL("../../node_modules/@sparticuz/chromium/", import.meta.url));
const unpackScript = fileURLToPath(new URL("./unpack_chromium.ts", import.meta.url));
const node = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));

/**
 * Flags of the package's list (made for AWS Lambda) that the tests must not have. With
 * `--single-process`, Playwright's second newPage()/newContext() can fail with "Target page,
 * context or browser has been closed" (firecrawl/firecrawl#2038); the other two would let a page
 * do what a page in a real browser may not (cross-origin reads, mixed content).
 */
const DROPPED_FLAGS = new Set(["--single-process", "--disable-web-security", "--allow-running-insecure-content"]);

/**
 * Flags the tests add. Headless Chromium hides a page's local ICE candidates behind mDNS
 * `.local` names it may not resolve itself; WebRTC between pages on this machine needs the
 * addresses (checked: with the flag the candidates are IP addresses).
 */
const TEST_FLAGS = [
  "--no-sandbox",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  // WebRTC between pages and processes on loopback (the tests keep to 127.0.0.1)
  "--allow-loopback-in-peer-connection",
];

/**
 * Launches headless Chromium: the one from @sparticuz/chromium, or `$ACTANT_CHROMIUM` when set.
 * Throws, rather than letting the caller skip, when it cannot: a browser test that silently skips
 * proves nothing.
 */
export async function launchChromium(): Promise<Browser> {
  const override = process.env[CHROMIUM_OVERRIDE_ENV];
  if (override !== undefined && override !== "") {
    if (!existsSync(override)) {
      throw new Error(
        `${CHROMIUM_OVERRIDE_ENV}=${override}: no such file; expected the path of a Chromium executable, or unset it to use @sparticuz/chromium`,
      );
    }
    return await chromium.launch({
      executablePath: override,
      args: mergeFeatureFlags(TEST_FLAGS),
      headless: true,
      timeout: 30_000,
    });
  }
  const dir = await unpacked();
  const libs = join(dir, "al2023", "lib");
  const inherited = process.env.LD_LIBRARY_PATH;
  return await chromium.launch({
    executablePath: join(dir, "chromium"),
    args: mergeFeatureFlags([...sparticuz.args.filter((flag) => !DROPPED_FLAGS.has(flag)), ...TEST_FLAGS]),
    headless: true,
    timeout: 30_000,
    // The package's own NSS, not the machine's: the same libraries everywhere, and none needed from apt.
    env: { ...process.env, LD_LIBRARY_PATH: inherited ? `${libs}:${inherited}` : libs },
  });
}

/**
 * Chromium honours only the last `--disable-features=` (and `--enable-features=`) it is given
 * (checked: a later one undoes an earlier one), so each list becomes one flag, at the end.
 * Playwright puts its own lists first: these replace them.
 */
function mergeFeatureFlags(flags: readonly string[]): string[] {
  const lists = new Map<string, string[]>([["--disable-features=", []], ["--enable-features=", []]]);
  const rest: string[] = [];
  for (const flag of flags) {
    const prefix = [...lists.keys()].find((p) => flag.startsWith(p));
    if (prefix === undefined) rest.push(flag);
    else lists.get(prefix)!.push(...flag.slice(prefix.length).split(",").filter((f) => f !== ""));
  }
  for (const [prefix, features] of lists) if (features.length > 0) rest.push(prefix + [...new Set(features)].join(","));
  return rest;
}

/** This process's unpack, shared by every launch in it. */
let unpacking: Promise<string> | undefined;

/**
 * The directory holding the unpacked Chromium of the installed package version, unpacked on first
 * use (about 2 s). node --test runs test files in parallel processes: each unpacks, if it must,
 * into a private directory and renames it into place, and a rename onto a directory another
 * process put there first fails (ENOTEMPTY), so a reader only ever sees a complete unpack.
 */
function unpacked(): Promise<string> {
  unpacking ??= unpack().catch((error) => {
    unpacking = undefined;
    throw error;
  });
  return unpacking;
}

async function unpack(): Promise<string> {
  if (!existsSync(join(packageDir, "package.json"))) {
    throw new Error(`${packageDir} not found: run \`npm install\` (@sparticuz/chromium is a dev dependency)`);
  }
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string };
  const dir = join(tmpdir(), `actant-chromium-${version}`);
  if (!existsSync(dir)) {
    const staging = mkdtempSync(`${dir}.unpacking-`);
    try {
      await run(node, [unpackScript], { ...process.env, TMPDIR: staging });
      try {
        renameSync(staging, dir);
      } catch (error) {
        // Another process got there first: use its unpack.
        const code = (error as { code?: string }).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  for (const part of ["chromium", join("al2023", "lib", "libnss3.so")]) {
    if (!existsSync(join(dir, part))) throw new Error(`${dir} lacks ${part}: remove the directory and run again`);
  }
  return dir;
}

function run(file: string, args: string[], env: Record<string, string | undefined>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`unpacking @sparticuz/chromium failed: ${error.message}\n${stderr}`, { cause: error }));
    });
  });
}
