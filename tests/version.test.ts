// The version is written once in code (src/common/version.ts); the two manifests must agree with it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { VERSION } from "../src/common/mod.ts";

const manifest = (name: string) =>
  JSON.parse(readFileSync(new URL(`../${name}`, import.meta.url), "utf8")) as { version?: unknown };

test("VERSION is package.json's and deno.json's version", () => {
  assert.match(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.equal(manifest("package.json").version, VERSION);
  assert.equal(manifest("deno.json").version, VERSION);
});
