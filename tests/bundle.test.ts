/**
 * Actant's core runs in browsers: `mod.ts` and everything it imports bundle for the browser with
 * no Node built-ins, and no core file outside `src/runtime/` touches a runtime-specific API.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");

/** A specifier of a Node or Bun built-in, in an import, an export, a dynamic import or a require. */
const BUILTIN_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](?:node|bun):[^"']*["']/g;
/** A use of the Deno or Bun global namespace, e.g. `Deno.env` or `globalThis.Bun.file`. */
const RUNTIME_GLOBAL = /\b(?:Deno|Bun)\.[A-Za-z_$]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.[cm]?[jt]sx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function findAll(pattern: RegExp, text: string): string[] {
  return [...text.matchAll(pattern)].map((match) => match[0]);
}

describe("Browser bundle of mod.ts", () => {
  it("bundles for the browser with no errors and no Node built-ins", async () => {
    try {
      const result = await build({
        entryPoints: [join(root, "mod.ts")],
        absWorkingDir: root,
        platform: "browser",
        bundle: true,
        format: "esm",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      assert.deepEqual(result.errors, []);
      assert.equal(result.outputFiles.length, 1);
      const code = result.outputFiles[0].text;
      assert.ok(code.length > 1000, `bundle is only ${code.length} bytes`);
      assert.deepEqual(findAll(BUILTIN_IMPORT, code), []);
      assert.equal(code.includes('require("node:'), false);
      // The public API is in the bundle.
      assert.match(code, /export\s*\{[^}]*\bActantApp\b/);
      // Every source module mod.ts reaches was bundled, and none of them is a runtime built-in.
      const inputs = Object.keys(result.metafile.inputs);
      assert.deepEqual(inputs.filter((input) => /^(?:node|bun):/.test(input)), []);
      assert.ok(inputs.includes("mod.ts"), `inputs: ${inputs.join(", ")}`);
      assert.ok(inputs.some((input) => input.startsWith("src/app/")), `inputs: ${inputs.join(", ")}`);
    } finally {
      // The JS API keeps an esbuild child process; Deno's sanitizers want it gone before the test ends.
      await stop();
    }
  });
});

describe("Core sources outside src/runtime/", () => {
  const core = sourceFiles(src).filter((file) => !relative(src, file).startsWith(`runtime${sep}`));

  it("exist, so the checks below check something", () => {
    assert.ok(core.length >= 10, `found ${core.length} files under src/`);
    assert.ok(core.some((file) => file.endsWith(join("app", "actant_app.ts"))));
  });

  it("import no node: or bun: modules", () => {
    const offenders = core.flatMap((file) =>
      findAll(BUILTIN_IMPORT, readFileSync(file, "utf8")).map((hit) => `${relative(root, file)}: ${hit}`)
    );
    assert.deepEqual(offenders, []);
  });

  it("use neither Deno. nor Bun. APIs", () => {
    const offenders = core.flatMap((file) =>
      findAll(RUNTIME_GLOBAL, readFileSync(file, "utf8")).map((hit) => `${relative(root, file)}: ${hit}`)
    );
    assert.deepEqual(offenders, []);
  });

  it("the patterns catch what they are meant to catch", () => {
    const bad = [
      'import { readFile } from "node:fs/promises";',
      "import 'node:process';",
      'export { x } from "bun:sqlite";',
      'const m = await import("node:crypto");',
      'const fs = require("node:fs");',
    ];
    for (const line of bad) assert.equal(findAll(BUILTIN_IMPORT, line).length, 1, line);
    assert.deepEqual(findAll(BUILTIN_IMPORT, 'const detail = { node: "n1" }; // runs on node: yes'), []);
    assert.deepEqual(findAll(RUNTIME_GLOBAL, "Deno.env.get('X'); globalThis.Bun.file('x');"), ["Deno.e", "Bun.f"]);
    assert.deepEqual(findAll(RUNTIME_GLOBAL, "if (g.Deno !== undefined) return; // Runs on Deno. And Bun."), []);
  });
});
