// `actant worker --app <module>` with the modules a person may give it: one that is not there,
// one that throws while it loads, one without an app, and an app built by another copy of the
// library (another install, a build beside a checkout), which must work.
import assert from "node:assert/strict";
import { cpSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { ActantApp } from "../mod.ts";
import { isActantApp } from "../src/app/mod.ts";
import { runCli, startWorker } from "./support/actant_cli.ts";
import { withTempDir } from "./support/temp_dir.ts";

const root = new URL("..", import.meta.url).pathname;

describe("actant worker --app", { timeout: 120_000 }, () => {
  it("a module that is not there: the path as given and as resolved, not the CLI's own files; exit 2", async () => {
    await withTempDir("cli-app", async (dir) => {
      const { code, stdout, stderr } = await runCli(["worker", "--app", "./missing.ts", "--data", join(dir, "data")], {
        cwd: dir,
      });
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.ok(
        stderr.includes(`--app ./missing.ts (${join(realpathSync(dir), "missing.ts")}): no such file`) ||
          stderr.includes(`--app ./missing.ts (${join(dir, "missing.ts")}): no such file`),
        stderr,
      );
      assert.doesNotMatch(stderr, /import_module|src\/runtime/);
      const folder = await runCli(["worker", "--app", dir]);
      assert.equal(folder.code, 2);
      assert.match(folder.stderr, /is a directory; name the module file/);
    });
  });

  it("a module that throws while loading: its own path and the thrown error's stack; exit 1", async () => {
    await withTempDir("cli-app", async (dir) => {
      const module = join(dir, "throws.ts");
      writeFileSync(module, 'export const early = 1;\nthrow new RangeError("the app module broke on purpose");\n');
      const { code, stderr } = await runCli(["worker", "--app", module, "--data", join(dir, "data")]);
      assert.equal(code, 1);
      assert.match(stderr, /^actant worker: AppModuleError: The app module \S*throws\.ts threw while loading:$/m);
      assert.match(stderr, /^RangeError: the app module broke on purpose$/m);
      assert.match(stderr, /^\s+at .*throws\.ts/m, "the stack points into the user's module");
      assert.doesNotMatch(stderr, /src\/cli\//, "the CLI's own frames are left out");
    });
  });

  it("a module without an app says what to export; exit 1", async () => {
    await withTempDir("cli-app", async (dir) => {
      const none = join(dir, "none.ts");
      writeFileSync(none, "export const notAnApp = 1;\nexport function helper() {}\n");
      const missing = await runCli(["worker", "--app", none, "--data", join(dir, "data")]);
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr,
        /none\.ts has no default export and no export "app" \(it exports: helper, notAnApp\); export it: `export default app`/,
      );
      const wrong = join(dir, "wrong.ts");
      writeFileSync(wrong, 'export default { name: "looks like an app" };\n');
      const other = await runCli(["worker", "--app", wrong, "--data", join(dir, "data")]);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /wrong\.ts has no ActantApp: its default export is an object \(Object\); export it/);
    });
  });

  it("an app built by another copy of the library is recognised by its brand and runs tasks", async () => {
    await withTempDir("cli-copy", async (dir) => {
      // Another copy: the library's source tree beside the app, with the same installed packages.
      cpSync(join(root, "mod.ts"), join(dir, "copy", "mod.ts"));
      cpSync(join(root, "src"), join(dir, "copy", "src"), { recursive: true });
      symlinkSync(realpathSync(join(root, "node_modules")), join(dir, "node_modules"), "dir");
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
      const module = join(dir, "app.ts");
      writeFileSync(
        module,
        'import { ActantApp } from "./copy/mod.ts";\n' +
          'const app = new ActantApp("other_copy");\n' +
          'app.task("add", (a: number, b: number) => a + b);\n' +
          "export default app;\n",
      );
      const copy = await import(pathToFileURL(join(dir, "copy", "mod.ts")).href) as { ActantApp: typeof ActantApp };
      assert.notEqual(copy.ActantApp, ActantApp, "the copy's class is another class");
      const copied = new copy.ActantApp("probe", { durability: "memory" });
      assert.equal(copied instanceof ActantApp, false, "instanceof would refuse it");
      assert.equal(isActantApp(copied), true);
      await copied.close();

      const worker = await startWorker([
        "--app",
        module,
        "--data",
        join(dir, "data"),
        "--node-id",
        "copy",
        "--log-level",
        "debug",
      ]);
      try {
        assert.match(worker.output(), /copy ready: app "other_copy"/);
        const { code, stdout, stderr } = await runCli(["submit", "--address", worker.address, "add", "2", "3"]);
        assert.equal(code, 0, stderr);
        assert.equal(stdout.trim(), "5");
      } finally {
        await worker.stop();
      }
      assert.match(worker.output(), /attempt placed: add \S+ attempt 1 runs here/);
    });
  });
});
