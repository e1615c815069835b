/**
 * One conformance suite for every {@linkcode Backend}: the memory and LMDB backends must behave
 * the same for everything the event log relies on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, MemoryBackend, openLmdbBackend } from "../src/store/mod.ts";

/** A backend under test, and how to get rid of it. */
export interface BackendFixture {
  backend: Backend;
  /** Closes the backend and opens the same store again (stores that outlive their object only). */
  reopen?: () => Promise<Backend>;
  dispose(): Promise<void>;
}

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);
const put = (key: string, value: Uint8Array) => ({ type: "put", key, value }) as const;
const del = (key: string) => ({ type: "delete", key }) as const;

function keysOf(backend: Backend, options?: Parameters<Backend["range"]>[0]): string[] {
  return [...backend.range(options)].map((entry) => entry.key);
}

/** Registers the suite for one backend; `makeBackend` gives each test a fresh, empty store. */
export function backendConformance(name: string, makeBackend: () => Promise<BackendFixture>): void {
  async function withBackend(test: (fixture: BackendFixture) => Promise<void>): Promise<void> {
    const fixture = await makeBackend();
    try {
      await test(fixture);
    } finally {
      await fixture.dispose();
    }
  }

  describe(`${name} backend`, () => {
    it("returns what was put and undefined for a missing key", () =>
      withBackend(async ({ backend }) => {
        const result = backend.write([put("a", bytes(1, 2, 3)), put("b", text("bee"))]);
        await result.committed;
        await result.durable;
        assert.deepEqual(backend.get("a"), bytes(1, 2, 3));
        assert.deepEqual(backend.get("b"), text("bee"));
        assert.equal(backend.get("missing"), undefined);
        await backend.write([put("a", bytes(9))]).committed;
        assert.deepEqual(backend.get("a"), bytes(9), "a put replaces the value");
      }));

    it("deletes keys, and deleting a missing key is no error", () =>
      withBackend(async ({ backend }) => {
        await backend.write([put("a", bytes(1)), put("b", bytes(2))]).committed;
        await backend.write([del("a"), del("never-there")]).committed;
        assert.equal(backend.get("a"), undefined);
        assert.deepEqual(keysOf(backend), ["b"]);
      }));

    it("applies a batch in call order, all of it together", () =>
      withBackend(async ({ backend }) => {
        await backend.write([put("x", bytes(1)), put("y", bytes(2)), put("x", bytes(3)), del("y"), put("z", bytes(4))])
          .durable;
        assert.deepEqual(backend.get("x"), bytes(3));
        assert.equal(backend.get("y"), undefined);
        assert.deepEqual(backend.get("z"), bytes(4));
      }));

    it("rejects a batch with an invalid operation without applying any of it", () =>
      withBackend(async ({ backend }) => {
        for (const bad of ["", "caf\u00e9", "nul\u0000", "x".repeat(2000)]) {
          assert.throws(() => backend.write([put("ok", bytes(1)), put(bad, bytes(2))]), { name: "TypeError" });
        }
        assert.throws(() => backend.write([put("ok", "not bytes" as unknown as Uint8Array)]), { name: "TypeError" });
        await backend.write([put("other", bytes(0))]).committed;
        assert.equal(backend.get("ok"), undefined);
      }));

    it("ranges in key order with start (inclusive), end (exclusive), reverse and limit", () =>
      withBackend(async ({ backend }) => {
        await backend.write(["d", "a", "e", "c", "b"].map((key) => put(key, text(key.repeat(3))))).committed;
        assert.deepEqual(keysOf(backend), ["a", "b", "c", "d", "e"]);
        assert.deepEqual(keysOf(backend, { start: "b", end: "d" }), ["b", "c"]);
        assert.deepEqual(keysOf(backend, { start: "bb" }), ["c", "d", "e"]);
        assert.deepEqual(keysOf(backend, { end: "c" }), ["a", "b"]);
        assert.deepEqual(keysOf(backend, { limit: 2 }), ["a", "b"]);
        assert.deepEqual(keysOf(backend, { reverse: true }), ["e", "d", "c", "b", "a"]);
        assert.deepEqual(keysOf(backend, { start: "b", end: "e", reverse: true }), ["d", "c", "b"]);
        assert.deepEqual(keysOf(backend, { start: "b", end: "dd", reverse: true, limit: 2 }), ["d", "c"]);
        assert.deepEqual(keysOf(backend, { end: "b", reverse: true }), ["a"]);
        assert.deepEqual(keysOf(backend, { start: "c", end: "c" }), []);
        assert.deepEqual(keysOf(backend, { start: "d", end: "b" }), []);
        assert.deepEqual(keysOf(backend, { start: "f" }), []);
        // Values stay right after iterating on (no buffer is reused between entries).
        const entries = [...backend.range({ start: "b", end: "e" })];
        assert.deepEqual(entries, [
          { key: "b", value: text("bbb") },
          { key: "c", value: text("ccc") },
          { key: "d", value: text("ddd") },
        ]);
      }));

    it("stops a range early without harm", () =>
      withBackend(async ({ backend }) => {
        await backend.write(["a", "b", "c"].map((key) => put(key, text(key)))).committed;
        for (const entry of backend.range()) {
          assert.equal(entry.key, "a");
          break;
        }
        await backend.write([put("d", text("d"))]).committed;
        assert.deepEqual(keysOf(backend), ["a", "b", "c", "d"]);
      }));

    it("copies values in and out, so callers cannot change stored bytes", () =>
      withBackend(async ({ backend }) => {
        const value = bytes(1, 2, 3);
        const result = backend.write([put("k", value)]);
        value[0] = 99; // before the commit: the store must have taken its own copy
        await result.committed;
        assert.deepEqual(backend.get("k"), bytes(1, 2, 3));
        backend.get("k")![1] = 99;
        for (const entry of backend.range()) entry.value[2] = 99;
        assert.deepEqual(backend.get("k"), bytes(1, 2, 3));
      }));

    it("fails with StorageError once closed", () =>
      withBackend(async ({ backend }) => {
        await backend.write([put("k", bytes(1))]).committed;
        await backend.close();
        assert.throws(() => backend.get("k"), { name: "StorageError" });
        assert.throws(() => [...backend.range()], { name: "StorageError" });
        const result = backend.write([put("k", bytes(2))]);
        await assert.rejects(result.committed, { name: "StorageError" });
        await assert.rejects(result.durable, { name: "StorageError" });
      }));
  });
}

/** The conformance tests that only stores outliving their object can pass. */
function persistenceConformance(name: string, makeBackend: () => Promise<BackendFixture>): void {
  describe(`${name} backend persistence`, () => {
    it("keeps committed data across close and reopen", async () => {
      const fixture = await makeBackend();
      try {
        await fixture.backend.write([put("a", bytes(1)), put("b", bytes(2))]).committed;
        await fixture.backend.write([del("a"), put("c", bytes(3))]).committed;
        const again = await fixture.reopen!();
        assert.deepEqual([...again.range()], [{ key: "b", value: bytes(2) }, { key: "c", value: bytes(3) }]);
      } finally {
        await fixture.dispose();
      }
    });
  });
}

async function memoryFixture(): Promise<BackendFixture> {
  const backend = new MemoryBackend();
  return { backend, dispose: () => backend.close() };
}

async function lmdbFixture(): Promise<BackendFixture> {
  const dir = await mkdtemp(join(tmpdir(), "actant-backend-"));
  const path = join(dir, "store");
  const opened = [await openLmdbBackend(path)];
  return {
    backend: opened[0],
    async reopen() {
      await opened.at(-1)!.close();
      opened.push(await openLmdbBackend(path));
      return opened.at(-1)!;
    },
    async dispose() {
      for (const backend of opened) await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

backendConformance("Memory", memoryFixture);
backendConformance("LMDB", lmdbFixture);
persistenceConformance("LMDB", lmdbFixture);
