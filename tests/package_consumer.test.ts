/**
 * The package as a user gets it: packed once into a tarball (`npm pack`, whose `prepack` builds
 * dist/), installed offline into a fresh ESM project (from the checkout's lock: see `before`), and used from there: the seed's examples
 * on Node 24, Deno and Bun, a type-check with the tsconfig `tsc --init` writes, the `actant`
 * command through npx, and an `npx actant worker` that a client script of the project reaches.
 *
 * Runs once, under Node's test runner: the processes it starts cover the three runtimes.
 * `--version` and `--help` need the CLI that prints them (issue 9, the CLI half).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { stop as stopEsbuild, transform } from "esbuild";
import { listeningAddress, ONCE_UNDER_NODE, runtimeExecutable } from "./support/actant_cli.ts";
import { within } from "./support/async.ts";
import {
  alive,
  commandLineOf,
  explain,
  HAS_PROC,
  NODE_24,
  parentOf,
  run,
  SYSTEM_ENV,
  USER_ENV,
} from "./support/consumer_env.ts";
import { normalise } from "./support/rendering.ts";
import { createTempDir, type TempDir } from "./support/temp_dir.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  overrides: Record<string, string>;
};
const { overrides } = pkg;

/** A lock for a project that depends on the tarball `dependency` alone: the checkout's lock, without its dev packages. */
function consumerLock(dependency: string): object {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { [pkg.name]: dependency } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: dependency,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith("node_modules/") && !entry.dev) packages[path] = entry;
  }
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}
const tsc = join(root, "node_modules", ".bin", "tsc");

/** An example of the checkout as a user's file: the published name, and nothing left on disk. */
async function asUserFile(example: string): Promise<string> {
  const source = await readFile(join(root, "examples", example), "utf8");
  const rewritten = source
    .replace(`from "../mod.ts"`, `from "${pkg.name}"`)
    .replace(`new ActantApp("my_app")`, `new ActantApp("my_app", { durability: "memory" })`);
  assert.ok(rewritten.includes(`from "${pkg.name}"`), `examples/${example} no longer imports ../mod.ts`);
  assert.ok(rewritten.includes(`durability: "memory"`), `examples/${example} no longer has new ActantApp("my_app")`);
  return rewritten;
}

/** What a user of the package needs, at least. */
const NEEDED_FILES = [
  "package.json",
  "README.md",
  "LICENSE",
  "dist/mod.js",
  "dist/mod.d.ts",
  "dist/cluster.js",
  "dist/cluster.d.ts",
  "dist/src/cli/main.js",
];

/** A step of the whole file, timed, for the report (never asserted on). */
const notes: string[] = [];
async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    notes.push(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
}

describe(`the packed ${pkg.name}, used from a fresh project`, { timeout: 120_000, skip: ONCE_UNDER_NODE }, () => {
  const started = performance.now();
  let temp: TempDir;
  let project: string;
  let packed: { filename: string; files: { path: string }[] };
  /** npx and the worker it started, while the worker test runs (killed in `after` if it fails). */
  let npx: ChildProcess | undefined;
  let workerPid: number | undefined;

  before(async () => {
    temp = await createTempDir("consumer");
    const packDir = join(temp.path, "pack");
    project = join(temp.path, "project");
    await mkdir(packDir);
    await mkdir(project);

    // npm as the machine has it: on the system's Node (20 here), with the checkout's
    // node_modules/.bin (Node 24, tsc) first on PATH only inside the prepack script.
    const pack = await timed(
      "npm pack (with the build)",
      () =>
        run("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: root, env: SYSTEM_ENV, timeout: 60_000 }),
    );
    assert.equal(pack.code, 0, explain("npm pack", pack));
    const npmNode = await run("node", ["--version"], { cwd: root, env: SYSTEM_ENV });
    notes.push(`npm ran on the system's Node ${npmNode.stdout.trim() || "(none on PATH)"}`);
    [packed] = JSON.parse(pack.stdout) as (typeof packed)[];

    // Offline, npm can install only what this machine's cache holds: the tarballs the checkout's
    // lock names (npm ci fetched them), not the registry's metadata a fresh resolution needs (a
    // fresh machine has none). So the project gets the checkout's lock for the package's
    // dependencies (and its overrides, which that lock reflects) and installs it with `npm ci`.
    const dependency = `file:../pack/${packed.filename}`;
    await writeFile(
      join(project, "package.json"),
      JSON.stringify(
        { name: "consumer", private: true, type: "module", dependencies: { [pkg.name]: dependency }, overrides },
        null,
        2,
      ),
    );
    await writeFile(join(project, "package-lock.json"), JSON.stringify(consumerLock(dependency), null, 2));
    const install = await timed(
      "npm ci --offline of the tarball",
      () =>
        run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], {
          cwd: project,
          env: USER_ENV,
          timeout: 60_000,
        }),
    );
    assert.equal(install.code, 0, explain("npm install", install));

    await writeFile(join(project, "chain.ts"), await asUserFile("chain.ts"));
    await writeFile(join(project, "actor.ts"), await asUserFile("actor.ts"));
    for (const name of ["chain", "actor"]) {
      const { code } = await transform(await readFile(join(project, `${name}.ts`), "utf8"), {
        loader: "ts",
        format: "esm",
      });
      await writeFile(join(project, `${name}.js`), code);
    }
  });

  after(async (t) => {
    if (workerPid !== undefined && alive(workerPid)) process.kill(workerPid, "SIGKILL");
    if (npx !== undefined && npx.exitCode === null && npx.signalCode === null) npx.kill("SIGKILL");
    await stopEsbuild();
    await temp?.remove();
    notes.push(`the whole file: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const line of notes) t.diagnostic(line);
  });

  it("the tarball holds the built JavaScript, its types, package.json, README.md and LICENSE, and nothing else", () => {
    const files = packed.files.map((file) => file.path).sort();
    for (const needed of NEEDED_FILES) assert.ok(files.includes(needed), `${needed} is missing from the tarball`);
    const unwanted = files.filter((file) => /(?:^|\/)(?:tests|bench|examples|\.ci|seed)\//.test(file));
    assert.deepEqual(unwanted, [], "tests, benchmarks, examples or CI files in the tarball");
    const extra = files.filter((file) =>
      !["package.json", "README.md", "LICENSE"].includes(file) && !/^dist\/.+(?:\.d\.ts|\.js)$/.test(file)
    );
    assert.deepEqual(extra, [], "files a user does not need (tests/, bench/, examples/, .ci/, .ts sources, maps…)");
    const untyped = files.filter((file) => file.endsWith(".js") && !files.includes(file.replace(/\.js$/, ".d.ts")));
    assert.deepEqual(untyped, [], "built modules without their .d.ts");
    const manifest = JSON.parse(readFileSync(join(project, "node_modules", pkg.name, "package.json"), "utf8"));
    assert.equal(manifest.version, pkg.version);
  });

  it("installs offline into the project, with the actant bin linked", () => {
    assert.ok(existsSync(join(project, "node_modules", pkg.name, "dist", "mod.js")));
    assert.ok(existsSync(join(project, "node_modules", ".bin", "actant")));
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    assert.ok(pkg.name in manifest.dependencies, `dependencies: ${JSON.stringify(manifest.dependencies)}`);
  });

  /** Runs the chain and actor examples with `command` and checks what they print. */
  async function runExamples(what: string, command: string, args: string[], extension: "js" | "ts") {
    const chain = await timed(
      `${what}: chain.${extension}`,
      () => run(command, [...args, `chain.${extension}`], { cwd: project, env: USER_ENV }),
    );
    assert.equal(chain.code, 0, explain(`${what} chain.${extension}`, chain));
    assert.equal(chain.stdout.trim(), "Report: sentiment=0.8");
    const actor = await timed(
      `${what}: actor.${extension}`,
      () => run(command, [...args, `actor.${extension}`], { cwd: project, env: USER_ENV }),
    );
    assert.equal(actor.code, 0, explain(`${what} actor.${extension}`, actor));
    assert.equal(normalise(actor.stdout), '{ gpt: "v1.0", bert: "v2.0" }');
    // Durability "memory": no data directory was made.
    assert.equal(existsSync(join(project, ".actant")), false, "an example left ./.actant behind");
  }

  it("the seed's chain and actor examples run as .js on Node 24", async () => {
    await runExamples("node", NODE_24, [], "js");
  });

  it("the seed's examples run as .ts on Deno (bare specifiers from package.json, through node_modules), and deno check passes", async () => {
    const deno = runtimeExecutable("deno");
    await runExamples("deno", deno, ["run", "-A"], "ts");
    const check = await timed(
      "deno check",
      () => run(deno, ["check", "chain.ts", "actor.ts"], { cwd: project, env: USER_ENV }),
    );
    assert.equal(check.code, 0, explain("deno check", check));
  });

  it("the seed's examples run as .ts on Bun", async () => {
    await runExamples("bun", runtimeExecutable("bun"), [], "ts");
  });

  it("type-checks with the tsconfig `tsc --init` writes: the seed compiles, a mistyped chain is an error at its line", async () => {
    const dir = join(project, "typecheck"); // inside the project: its package.json says "type": "module"
    await mkdir(dir);
    const init = await run(tsc, ["--init"], { cwd: dir, env: USER_ENV });
    assert.equal(init.code, 0, explain("tsc --init", init));
    for (const name of ["chain.ts", "actor.ts"]) {
      await writeFile(join(dir, name), await readFile(join(project, name), "utf8"));
    }
    const good = await timed(
      "tsc -p . (the seed)",
      () => run(tsc, ["-p", ".", "--pretty", "false"], { cwd: dir, env: USER_ENV }),
    );
    assert.equal(good.code, 0, explain("tsc -p . of the seed's examples", good));

    const mistyped = [
      `import { ActantApp, chain } from "${pkg.name}";`,
      ``,
      `const app = new ActantApp("my_app", { durability: "memory" });`,
      'const fetch = app.task("fetch", async (url: string) => `data from ${url}`);',
      `const analyze = app.task("analyze", (_data: string) => ({ sentiment: 0.8, topics: ["tech", "ai"] }));`,
      'const report = app.task("report", (r: { sentiment: number }) => `Report: sentiment=${r.sentiment}`);',
      `const length = app.task("length", (text: string) => text.length);`,
      `const url = "https://example.com";`,
      `chain(fetch.s(url), analyze.s(), report.s());`,
      `chain(fetch.s(url), report.s()); // MISTYPED: report wants { sentiment: number }, fetch gives a string`,
      `chain(fetch.s(url), analyze.s(), length.s()); // MISTYPED: length wants a string, analyze gives an object`,
      `const n: number = await app.submit(chain(fetch.s(url), analyze.s(), report.s())); // MISTYPED: it is a string`,
      `console.log(n);`,
    ];
    await writeFile(join(dir, "mistyped.ts"), mistyped.join("\n") + "\n");
    const bad = await timed(
      "tsc -p . (with the mistyped chain)",
      () => run(tsc, ["-p", ".", "--pretty", "false"], { cwd: dir, env: USER_ENV }),
    );
    assert.notEqual(bad.code, 0, explain("tsc -p . with mistyped.ts", bad));
    const errors = [...bad.stdout.matchAll(/^(\S+?)\((\d+),\d+\): error TS\d+/gm)].map((match) => ({
      file: match[1],
      line: Number(match[2]),
    }));
    const expectedLines = mistyped.flatMap((line, i) => line.includes("// MISTYPED") ? [i + 1] : []);
    assert.deepEqual(
      errors.filter((error) => error.file !== "mistyped.ts"),
      [],
      explain("errors outside mistyped.ts", bad),
    );
    assert.deepEqual(
      [...new Set(errors.map((error) => error.line))].sort((a, b) => a - b),
      expectedLines,
      explain("tsc", bad),
    );
  });

  it("npx actant --version prints the package's version (needs the CLI's --version)", async () => {
    const ran = await timed(
      "npx actant --version",
      () => run("npx", ["actant", "--version"], { cwd: project, env: USER_ENV }),
    );
    assert.equal(ran.code, 0, explain("npx actant --version", ran));
    assert.match(ran.stdout.trim(), new RegExp(`(?:^|[\\s@v])${pkg.version.replaceAll(".", "\\.")}$`));
  });

  it("npx actant --help prints the usage (needs the CLI's --help)", async () => {
    const ran = await timed(
      "npx actant --help",
      () => run("npx", ["actant", "--help"], { cwd: project, env: USER_ENV }),
    );
    assert.equal(ran.code, 0, explain("npx actant --help", ran));
    assert.match(ran.stdout, /usage/i);
    assert.match(ran.stdout, /\bworker\b/);
    assert.match(ran.stdout, /\bstatus\b/);
  });

  it("npx actant worker serves a client script of the project, and its node process is gone once killed", async () => {
    await writeFile(
      join(project, "app.js"),
      [
        `import { ActantApp } from "${pkg.name}";`,
        `const app = new ActantApp("consumer_app");`,
        'app.task("greet", (name) => `hello, ${name}`);',
        `export default app;`,
      ].join("\n") + "\n",
    );
    await writeFile(
      join(project, "client.js"),
      [
        `import { ActantApp } from "${pkg.name}";`,
        `import { clusterStatus } from "${pkg.name}/cluster";`,
        `const address = process.argv[2];`,
        `const app = new ActantApp("consumer_app", { address });`,
        'const greet = app.task("greet", (name) => `hello, ${name}`);',
        `console.log(await app.submit(greet.s("consumer")).get({ timeout: 20_000 }));`,
        `await app.close();`,
        `const [self] = await clusterStatus(address);`,
        "console.log(`status: ${self.nodeId} succeeded ${self.tasks.succeeded}`);",
      ].join("\n") + "\n",
    );

    const worker = spawn("npx", ["actant", "worker", "--app", "./app.js", "--listen", "/ip4/127.0.0.1/tcp/0/ws"], {
      cwd: project,
      env: USER_ENV,
      stdio: ["ignore", "pipe", "pipe"],
    });
    npx = worker;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    const { address, output } = await timed("npx actant worker: up", () => listeningAddress(worker));
    // npx runs the bin in a grandchild (npm exec → sh → node): signalling npx would orphan it.
    // The worker's default node id is worker-<pid>, which it prints when ready.
    const ready = /\bworker-(\d+) ready\b/.exec(output());
    assert.ok(ready, `no "worker-<pid> ready" line in:\n${output()}`);
    workerPid = Number(ready[1]);
    assert.notEqual(workerPid, worker.pid);
    const processes = [workerPid];
    if (HAS_PROC) {
      assert.match(commandLineOf(workerPid), /\bactant\b.*\bworker\b/, `process ${workerPid} is not the worker`);
      // Every process between the worker and npx (a shell) must end too.
      for (let pid = parentOf(workerPid); pid !== undefined && pid !== worker.pid && pid > 1; pid = parentOf(pid)) {
        processes.push(pid);
      }
      assert.equal(parentOf(processes.at(-1)!), worker.pid, "the worker does not descend from npx");
    }
    processes.push(worker.pid!);

    const client = await timed(
      "client script",
      () => run(NODE_24, ["client.js", address], { cwd: project, env: USER_ENV }),
    );
    assert.equal(client.code, 0, explain("node client.js", client));
    assert.deepEqual(client.stdout.trim().split("\n"), ["hello, consumer", `status: worker-${workerPid} succeeded 1`]);

    process.kill(workerPid, "SIGTERM");
    await timed("npx actant worker: down", () => within(exited, 20_000, "npx exiting after its worker"));
    assert.equal(worker.exitCode, 0, output());
    assert.match(output(), new RegExp(`worker-${workerPid} stopped`));
    assert.deepEqual(
      processes.filter(alive),
      [],
      `processes left: ${processes.filter(alive).map(commandLineOf).join("; ")}`,
    );
  });
});
