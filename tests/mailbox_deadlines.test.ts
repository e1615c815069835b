// A waiting sender's deadline: stamped once the synchronous run that queued it is over (never
// early, at most that run late), its whole wait for a sender that joins from an expiry callback,
// and room at the deadline lets the sender in rather than telling it the mailbox is full.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../mod.ts";
import { Mailbox } from "../src/actor/mod.ts";
import { takeValues } from "./support/mailbox_takes.ts";

describe("Mailbox deadlines", () => {
  test("Mailbox counts a waiting sender's deadline from the end of the synchronous run that queued it: never early", async () => {
    /** A manual clock whose reading the test can move within one synchronous run. */
    class SkewedClock extends ManualClock {
      skew = 0;
      override now(): number {
        return super.now() + this.skew;
      }
    }
    const clock = new SkewedClock();
    const mailbox = new Mailbox<number>({ capacity: 1, clock });
    const expired: number[] = [];
    mailbox.send(0, 100, (message) => expired.push(message));
    mailbox.send(1, 100, (message) => expired.push(message)); // waits, from 0 ms
    clock.skew = 50; // the run that queues them goes on for 50 ms
    mailbox.send(2, 100, (message) => expired.push(message)); // waits, from 50 ms
    await clock.advance(99);
    assert.deepEqual(expired, [], "sender 2 has not waited 100 ms yet");
    await clock.advance(1);
    assert.deepEqual(expired, [1, 2], "sender 1 waited the run's 50 ms longer; no timer could fire during it");
  });

  test("Mailbox lets a waiting sender in at its deadline if there is room by then, in order", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<number>({ capacity: 16, clock });
    const expired: number[] = [];
    for (let i = 0; i < 18; i++) mailbox.send(i, 10, (message) => expired.push(message)); // 16 in, 2 wait
    await Promise.resolve();
    assert.deepEqual(await takeValues(mailbox, 1), [0]); // room for one: senders move up a batch at a time
    await clock.advance(10);
    assert.deepEqual(expired, [17], "the first in line had room by its deadline; the second did not");
    assert.deepEqual(await takeValues(mailbox, 16), Array.from({ length: 16 }, (_, i) => i + 1));
    assert.equal(mailbox.waiting, 0);
  });

  test("Mailbox gives a sender that joins from an expiry callback its whole wait", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    const expired: string[] = [];
    mailbox.send("in", 10, () => {});
    mailbox.send("first", 10, (message) => {
      expired.push(message);
      mailbox.send("again", 10, (again) => expired.push(again)); // tries once more
    });
    await clock.advance(10);
    assert.deepEqual(expired, ["first"]);
    assert.equal(mailbox.waiting, 1);
    await clock.advance(9);
    assert.deepEqual(expired, ["first"]);
    await clock.advance(1);
    assert.deepEqual(expired, ["first", "again"]);
    assert.equal(clock.pending, 0);
  });
});
