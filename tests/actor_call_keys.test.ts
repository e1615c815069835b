// A call an owner relayed carries its key into the log. Logged twice under the same key (once
// from a host the actor left, once from the host it moved to: what a move that is not atomic
// with the log would leave), it counts once when the log is replayed; calls without a key, and
// calls under other keys, all count.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ActantApp } from "../mod.ts";
import { foldActorEvent, REMEMBERED_CALL_KEYS } from "../src/actor/mod.ts";
import { encode } from "../src/common/mod.ts";
import { EventLog, openLmdbBackend } from "../src/store/mod.ts";

const call = (n: number, item: string, key?: number) => ({
  type: "actor.call",
  id: "a-ledger",
  n,
  method: "append",
  args: encode([item]),
  ...(key === undefined ? {} : { key, result: encode(item) }),
});

describe("relayed calls counted once by their key", () => {
  it("a log with a call twice under one key replays it once, after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "actant-keys-"));
    try {
      const log = await EventLog.open(await openLmdbBackend(dir), { durability: "batched" });
      await log.append({ type: "actor.created", id: "a-ledger", actor: "Ledger", args: encode([]) });
      await log.append(call(1, "a0", 1));
      await log.append(call(2, "a1", 2));
      await log.append(call(3, "a1", 2)); // the same call again, at the next position
      await log.append(call(4, "a2", 3));
      await log.append(call(5, "local"));
      await log.close();

      const app = new ActantApp("keys", { backend: await openLmdbBackend(dir) });
      try {
        const Ledger = app.actor(
          "Ledger",
          class {
            items: string[] = [];
            append(item: string) {
              this.items.push(item);
              return item;
            }
            list() {
              return this.items.slice();
            }
          },
        );
        const ledger = await app.getActor(Ledger, "a-ledger");
        assert.deepEqual(await ledger.list(), ["a0", "a1", "a2", "local"]);
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the fold remembers a bounded window of keys, across checkpoints", () => {
    const history: Parameters<typeof foldActorEvent>[0] = { entries: [] };
    for (let n = 1; n <= REMEMBERED_CALL_KEYS + 10; n++) foldActorEvent(history, call(n, `a${n}`, n));
    assert.equal(history.keys?.length, REMEMBERED_CALL_KEYS);
    foldActorEvent(history, {
      type: "actor.checkpoint",
      id: "a-ledger",
      n: REMEMBERED_CALL_KEYS + 10,
      state: encode({}),
    });
    assert.equal(history.entries.length, 0);
    // A call already counted, sent again after the checkpoint: still counted once.
    foldActorEvent(history, call(REMEMBERED_CALL_KEYS + 11, "again", REMEMBERED_CALL_KEYS + 10));
    assert.equal(history.entries.length, 0);
    foldActorEvent(history, call(REMEMBERED_CALL_KEYS + 11, "next", REMEMBERED_CALL_KEYS + 11));
    assert.deepEqual(history.entries.map((entry) => entry.n), [REMEMBERED_CALL_KEYS + 11]);
  });
});
