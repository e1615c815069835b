/**
 * Every error class reports its own name, also from a minified bundle (the browser's), where
 * esbuild renames classes: each class writes its `name` as a literal, never `new.target.name`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";
import * as commonErrors from "../src/common/errors.ts";
import { errorData, rebuildError } from "../src/common/error_data.ts";
import * as netErrors from "../src/net/errors.ts";
import * as clientErrors from "../src/cluster/client/client_errors.ts";
import * as objectErrors from "../src/objects/errors.ts";
import { AppModuleError } from "../src/cli/app_module.ts";
import { UsageError } from "../src/cli/args.ts";
import type { ActantApp as SourceApp, signature as sourceSignature } from "../mod.ts";
import { rejection, thrown } from "./support/errors.ts";
import { withTempDir } from "./support/temp_dir.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

type ErrorClass = new (...args: unknown[]) => Error;

/** The error classes a module exports, by their exported names. */
function errorClasses(module: Record<string, unknown>): Array<[string, ErrorClass]> {
  return Object.entries(module).filter((entry): entry is [string, ErrorClass] => {
    const value = entry[1];
    return typeof value === "function" && value.prototype instanceof Error;
  });
}

/**
 * An instance of `cls` made without knowing its parameters: `["x"]` in every position reads as a
 * name, a list of names, a count (NaN) and options with no cause, so every constructor here takes it.
 */
function instance(cls: ErrorClass): Error {
  return new cls(["x"], ["x"], ["x"], ["x"], ["x"]);
}

/** Checks that each class's instances are named as the class is exported, and are `ActantError`s. */
function checkNames(classes: Array<[string, ErrorClass]>, base: ErrorClass, where: string): void {
  assert.ok(classes.length > 0, `${where}: no error classes found`);
  for (const [name, cls] of classes) {
    const error = instance(cls);
    assert.equal(error.name, name, `${where}: an instance of ${name} reports its name as ${error.name}`);
    assert.ok(error instanceof cls && error instanceof base, `${where}: ${name} is an ActantError`);
    assert.notEqual((error as Error & { code?: unknown }).code, undefined, `${where}: ${name} has a code`);
  }
}

describe("error names", () => {
  it("every error class names its instances as it is exported (subclasses their own name)", () => {
    const classes = [
      ...errorClasses(commonErrors),
      ...errorClasses(netErrors),
      ...errorClasses(clientErrors),
      ...errorClasses(objectErrors),
      ["AppModuleError", AppModuleError] as [string, ErrorClass],
    ];
    assert.ok(classes.length >= 35, `found only ${classes.length} error classes`);
    checkNames(classes, commonErrors.ActantError as ErrorClass, "source");
    for (const [name, cls] of classes) {
      const rebuilt = rebuildError(errorData(instance(cls)));
      assert.ok(rebuilt instanceof cls, `source: ${name} rebuilt from data is a ${rebuilt.constructor.name}`);
    }
    assert.equal(new commonErrors.ActantError("SOME_CODE", "m").name, "ActantError");
    assert.equal(new UsageError("m").name, "UsageError");
  });

  it("UnknownTaskError keeps the known names as a list of its own", () => {
    const known = ["fetch", "analyze"];
    const error = new commonErrors.UnknownTaskError("nope", known);
    known.push("later");
    assert.deepEqual(error.known, ["fetch", "analyze"]);
    assert.equal(error.task, "nope");
  });

  it("errors thrown from a minified bundle report their real names", { timeout: 120_000 }, async () => {
    let code: string;
    try {
      const result = await build({
        stdin: {
          contents: [
            `export * from "./src/common/errors.ts";`,
            `export * from "./src/net/errors.ts";`,
            `export * from "./src/cluster/client/client_errors.ts";`,
            `export { errorData, rebuildError } from "./src/common/error_data.ts";`,
            `export { ActantApp, signature } from "./mod.ts";`,
          ].join("\n"),
          resolveDir: root,
          sourcefile: "minified_errors.ts",
          loader: "ts",
        },
        absWorkingDir: root,
        platform: "browser",
        bundle: true,
        format: "esm",
        minify: true,
        write: false,
        logLevel: "silent",
      });
      assert.deepEqual(result.errors, []);
      code = result.outputFiles[0].text;
    } finally {
      // The JS API keeps an esbuild child process; Deno's sanitizers want it gone before the test ends.
      await stop();
    }
    // Minifying did rename the classes, so names cannot come from them.
    assert.doesNotMatch(code, /class UnknownTaskError\b/);

    await withTempDir("minified", async (dir) => {
      const file = join(dir, "minified_errors.mjs");
      await writeFile(file, code);
      const bundle = await import(pathToFileURL(file).href) as Record<string, unknown> & {
        ActantApp: typeof SourceApp;
        signature: typeof sourceSignature;
        NonRetryableError: typeof commonErrors.NonRetryableError;
        errorData: typeof errorData;
        rebuildError: typeof rebuildError;
      };
      checkNames(errorClasses(bundle), bundle.ActantError as ErrorClass, "minified bundle");
      // Rebuilt from data (from the log, from another peer), each is its own class again.
      for (const [name, cls] of errorClasses(bundle)) {
        const rebuilt = bundle.rebuildError(bundle.errorData(instance(cls)));
        assert.ok(rebuilt instanceof cls, `minified bundle: ${name} rebuilt as ${rebuilt.constructor.name}`);
        assert.equal(rebuilt.name, name);
      }

      const app = new bundle.ActantApp("minified", { durability: "memory" });
      try {
        app.task("refuses", () => {
          throw new bundle.NonRetryableError("no");
        });
        const unknown = thrown(() => app.submit(bundle.signature("nope", [])));
        assert.equal(unknown.name, "UnknownTaskError");
        assert.deepEqual((unknown as commonErrors.UnknownTaskError).known, ["refuses"]);

        const failed = await rejection(app.submit(bundle.signature("refuses", [])).get());
        assert.equal(failed.name, "TaskError");
        assert.equal((failed.cause as Error).name, "NonRetryableError");

        const Thing = app.actor(
          "Thing",
          class {
            ping(): string {
              return "pong";
            }
          },
        );
        await app.createActor(Thing, { name: "one" });
        const taken = await rejection(app.createActor(Thing, { name: "one" }));
        assert.equal(taken.name, "ActorNameTakenError");
        assert.equal((taken as commonErrors.ActantError).code, "ACTOR_NAME_TAKEN");
      } finally {
        await app.close();
      }
    });
  });
});
