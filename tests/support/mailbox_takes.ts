// Taking messages from a mailbox in the tests: each take must yield a message.
import assert from "node:assert/strict";
import type { Mailbox } from "../../src/actor/mod.ts";

/** The next `count` messages of `mailbox`, each taken as the consumer takes it. */
export async function takeValues<M>(mailbox: Mailbox<M>, count: number): Promise<M[]> {
  const values: M[] = [];
  for (let i = 0; i < count; i++) {
    const next = await mailbox.take();
    assert.equal(next.done, false, `take #${i + 1} should yield a message`);
    values.push(next.value as M);
  }
  return values;
}
