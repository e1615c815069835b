/**
 * Storage integrity (issue 8, finding 3): a damaged or truncated LMDB file is refused at open with
 * a named error, in a child process so that a signal (SIGSEGV, SIGBUS from LMDB) would be seen and
 * fail the test; never is an emptied file taken as a new, empty log.
 */
import { withTempDir } from "./support/temp_dir.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type Backend, EventLog, MemoryBackend } from "../src/store/mod.ts";
import { RECORD_PREFIX, seqKey } from "../src/store/log_format.ts";
import { runCli } from "./support/actant_cli.ts";
import { copyDir, flipByte, makeLog, openAll, type Outcome, sizeOf, truncateTo } from "./support/integrity.ts";

const TASKS = 3000;
const CALLS = 40;
const appModule = new URL("./fixtures/integrity_app.ts", import.meta.url).pathname;

/** Asserts that every outcome is a refusal with one of `names` (and `code`, when given). */
function assertRefused(outcomes: Outcome[], expected: Map<string, string>): void {
  for (const { dir, line } of outcomes) {
    const [kind, , name, code] = line.split(" ");
    assert.equal(kind, "refused", `${dir}: expected a named error at open, got "${line}"`);
    assert.equal(`${name} ${code}`, expected.get(dir), `${dir}: ${line}`);
  }
}

describe("a damaged data.mdb", { timeout: 120_000 }, () => {
  it("truncated at any size, emptied, deleted or swapped is refused with a named error, never a signal", () =>
    withTempDir("integrity", async (scratch) => {
      const pristine = join(scratch, "pristine");
      const other = join(scratch, "other");
      await makeLog(pristine, TASKS, CALLS);
      await makeLog(other, TASKS + 1500, 1); // larger, so only its id tells it from ours
      const size = await sizeOf(join(pristine, "log", "data.mdb"));
      const damaged = "DataDirError LOG_FILE_DAMAGED";
      const replaced = "DataDirError LOG_FILE_REPLACED";
      const cases: [string, number, string][] = [
        ["zero-length", 0, replaced],
        ["100", 100, damaged],
        ["4096", 4096, damaged],
        ["8192", 8192, damaged],
        ["12288", 12288, damaged],
        ["half", Math.floor(size / 2), damaged],
        ["half-pages", Math.floor(size / 8192) * 4096, damaged],
        ["size-4096", size - 4096, damaged],
      ];
      const expected = new Map<string, string>();
      for (const [name, bytes, error] of cases) {
        const dir = join(scratch, name);
        await copyDir(pristine, dir);
        await truncateTo(join(dir, "log", "data.mdb"), bytes);
        expected.set(dir, error);
      }
      // Without the seal the meta pages alone still tell a truncated file.
      const unsealed = join(scratch, "unsealed-half");
      await copyDir(pristine, unsealed);
      await rm(join(unsealed, "log.seal"));
      await truncateTo(join(unsealed, "log", "data.mdb"), Math.floor(size / 8192) * 4096);
      expected.set(unsealed, damaged);
      // Nor can an emptied file pass for a new one: LMDB never leaves a store it created empty.
      const unsealedEmpty = join(scratch, "unsealed-empty");
      await copyDir(pristine, unsealedEmpty);
      await rm(join(unsealedEmpty, "log.seal"));
      await truncateTo(join(unsealedEmpty, "log", "data.mdb"), 0);
      expected.set(unsealedEmpty, replaced);
      const deleted = join(scratch, "deleted");
      await copyDir(pristine, deleted);
      await rm(join(deleted, "log", "data.mdb"));
      expected.set(deleted, replaced);
      const swapped = join(scratch, "swapped");
      await copyDir(pristine, swapped);
      await rm(join(swapped, "log"), { recursive: true });
      await copyDir(join(other, "log"), join(swapped, "log"));
      expected.set(swapped, replaced);

      const [control, ...outcomes] = await openAll([pristine, ...expected.keys()], TASKS, CALLS);
      assert.equal(control.line, `intact ${pristine}`);
      assertRefused(outcomes, expected);
      assert.equal(outcomes.length, expected.size);
    }));

  it("makes `actant worker` exit non-zero with the error named", () =>
    withTempDir("integrity", async (scratch) => {
      const dir = join(scratch, "data");
      await makeLog(dir, 100, 1);
      await truncateTo(join(dir, "log", "data.mdb"), 0);
      const emptied = await runCli(["worker", "--app", appModule, "--data", dir]);
      assert.equal(emptied.code, 1, emptied.stderr);
      assert.match(emptied.stderr, /DataDirError.*data\.mdb is empty.*LOG_FILE_REPLACED/s);
      await rm(join(dir, "log.seal"));
      await truncateTo(join(dir, "log", "data.mdb"), 8192);
      const truncated = await runCli(["worker", "--app", appModule, "--data", dir]);
      assert.equal(truncated.code, 1, truncated.stderr);
      assert.match(truncated.stderr, /DataDirError.*data\.mdb is damaged.*LOG_FILE_DAMAGED/s);
    }));

  it("with one flipped byte in any page opens intact or is refused with a named error, never a signal", () =>
    withTempDir("integrity", async (scratch) => {
      const tasks = 200;
      const pristine = join(scratch, "pristine");
      await makeLog(pristine, tasks, 10);
      const pageSize = 4096;
      const pages = (await sizeOf(join(pristine, "log", "data.mdb"))) / pageSize;
      const dirs: string[] = [];
      let seed = 7;
      for (let page = 0; page < pages; page++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        // The page header's flags and bounds, the first node pointer (or the meta's magic), a node
        // header near the page's end, and one byte anywhere.
        for (const offset of [18, 20, 22, 24, pageSize - 30, seed % pageSize]) {
          const dir = join(scratch, `p${page}-${offset}`);
          await copyDir(pristine, dir);
          await flipByte(join(dir, "log", "data.mdb"), page * pageSize + offset);
          dirs.push(dir);
        }
      }
      const outcomes = await openAll(dirs, tasks, 10);
      const bad = outcomes.filter(({ line }) =>
        !/^(intact|refused \S+ (DataDirError|LogCorruptedError|SchemaVersionError) )/.test(line)
      );
      assert.deepEqual(bad, [], `${bad.length} of ${outcomes.length} flips crashed or lost acknowledged work`);
      assert.equal(outcomes.length, dirs.length);
      const refused = outcomes.filter(({ line }) => line.startsWith("refused")).length;
      console.log(`flipped bytes in ${pages} pages: ${refused} of ${outcomes.length} refused, the rest intact`);
    }));
});

describe("the event log under a seal", () => {
  it("refuses a damaged last record that was acknowledged instead of dropping it as torn", async () => {
    const backend = new MemoryBackend();
    const log = await EventLog.open(backend, { durability: "batched" });
    for (const id of ["a", "b", "c"]) await log.append({ type: "test.event", id });
    const last = seqKey(RECORD_PREFIX, 3);
    const damaged = backend.get(last)!;
    damaged[damaged.length - 1] ^= 0xff;
    await backend.write([{ type: "put", key: last, value: damaged }]).committed;
    await assert.rejects(EventLog.open(backend, { durability: "batched", acknowledgedSeq: 3, warn: () => {} }), {
      name: "LogCorruptedError",
      seq: 3,
    });
    // Not acknowledged (beyond the seal): a torn write, dropped with a warning.
    const warnings: string[] = [];
    const reopened = await EventLog.open(backend, {
      durability: "batched",
      acknowledgedSeq: 2,
      warn: (m) => warnings.push(m),
    });
    assert.equal(reopened.lastSeq, 2);
    assert.equal(warnings.length, 1);
  });

  it("halt() rejects the write in flight, even if it commits later, and every later append", async () => {
    const inner = new MemoryBackend();
    const gate: { hold?: Promise<void>; issued?: PromiseWithResolvers<void> } = {};
    // Passes writes through, or holds their commit back until `gate.hold` settles.
    const gated: Backend = {
      get: (key) => inner.get(key),
      range: (options) => inner.range(options),
      close: () => inner.close(),
      write(ops) {
        const result = inner.write(ops);
        if (gate.hold === undefined) return result;
        gate.issued?.resolve();
        const committed = gate.hold.then(() => result.committed);
        return { committed, durable: committed.then(() => result.durable) };
      },
    };
    const log = await EventLog.open(gated, { durability: "batched" });
    await log.append({ type: "test.event", id: "acknowledged" });
    const release = Promise.withResolvers<void>();
    gate.hold = release.promise;
    gate.issued = Promise.withResolvers<void>();
    const inFlight = log.append({ type: "test.event", id: "in flight" });
    await gate.issued.promise; // the record is sealed and its write issued
    const error = new Error("the data dir is gone");
    log.halt(error);
    release.resolve();
    await assert.rejects(inFlight, (thrown) => thrown === error);
    await assert.rejects(log.append({ type: "test.event", id: "later" }), (thrown) => thrown === error);
    assert.equal(log.failure, error);
    assert.equal(
      inner.get(seqKey(RECORD_PREFIX, 2)) !== undefined,
      true,
      "the backend did commit it: no ack all the same",
    );
  });
});
