// Unit tests of the actor mailbox: a bounded FIFO over a ReadableStream, with waiting senders
// (backpressure), deadlines on a ManualClock, close() that drains and drainAll() that hands back.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../mod.ts";
import { Mailbox } from "../src/actor/mod.ts";
import { settle } from "./support/async.ts";
import { takeValues } from "./support/mailbox_takes.ts";

const full = () => new Error("mailbox full");

/** A post that is tracked, so a test can tell whether it settled yet without awaiting it. */
function track(result: void | Promise<void>): { settled: () => string; promise: Promise<void> } {
  let state = "pending";
  const promise = Promise.resolve(result).then(
    () => void (state = "admitted"),
    (error: Error) => {
      state = `rejected: ${error.message}`;
    },
  );
  return { settled: () => state, promise };
}

describe("Mailbox", () => {
  test("Mailbox delivers messages in FIFO order", async () => {
    const mailbox = new Mailbox<string>({ capacity: 8, clock: new ManualClock() });
    for (const message of ["a", "b", "c", "d"]) assert.equal(mailbox.post(message, 1_000, full), undefined);
    assert.equal(mailbox.size, 4);
    assert.deepEqual(await takeValues(mailbox, 4), ["a", "b", "c", "d"]);
    assert.equal(mailbox.size, 0);
  });

  test("Mailbox accepts at once up to its capacity, then makes senders wait", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<number>({ capacity: 2, clock });
    assert.equal(mailbox.post(1, 1_000, full), undefined);
    assert.equal(mailbox.post(2, 1_000, full), undefined);
    const third = mailbox.post(3, 1_000, full);
    assert.ok(third instanceof Promise, "a post to a full mailbox returns a promise");
    const tracked = track(third);
    await settle();
    assert.equal(tracked.settled(), "pending");
    assert.equal(mailbox.size, 2);
    assert.equal(mailbox.waiting, 1);

    assert.deepEqual(await takeValues(mailbox, 1), [1]);
    await tracked.promise;
    assert.equal(tracked.settled(), "admitted");
    assert.equal(clock.pending, 0, "the admitted sender's deadline timer is cancelled");
    assert.deepEqual(await takeValues(mailbox, 2), [2, 3]);
  });

  test("Mailbox admits waiting senders in order, one per message taken", async () => {
    const mailbox = new Mailbox<string>({ capacity: 1, clock: new ManualClock() });
    assert.equal(mailbox.post("a", 1_000, full), undefined);
    const b = track(mailbox.post("b", 1_000, full));
    const c = track(mailbox.post("c", 1_000, full));
    const d = track(mailbox.post("d", 1_000, full));
    // A new sender queues behind the waiting ones even once room appears.
    await settle();
    assert.deepEqual([b.settled(), c.settled(), d.settled()], ["pending", "pending", "pending"]);

    assert.deepEqual(await takeValues(mailbox, 1), ["a"]);
    await settle();
    assert.deepEqual([b.settled(), c.settled(), d.settled()], ["admitted", "pending", "pending"]);
    const e = track(mailbox.post("e", 1_000, full));

    assert.deepEqual(await takeValues(mailbox, 1), ["b"]);
    await settle();
    assert.deepEqual([c.settled(), d.settled(), e.settled()], ["admitted", "pending", "pending"]);

    assert.deepEqual(await takeValues(mailbox, 3), ["c", "d", "e"]);
    await settle();
    assert.deepEqual([d.settled(), e.settled()], ["admitted", "admitted"]);
    assert.equal(mailbox.waiting, 0);
  });

  test("Mailbox rejects a waiting sender with its timeout error at the deadline", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    assert.equal(mailbox.post("a", 100, full), undefined);
    const late = track(mailbox.post("late", 100, () => new Error("no room after 100 ms")));

    await clock.advance(99);
    assert.equal(late.settled(), "pending");
    await clock.advance(1);
    assert.equal(late.settled(), "rejected: no room after 100 ms");

    // The timed-out message is never delivered; the accepted one is.
    assert.deepEqual(await takeValues(mailbox, 1), ["a"]);
    assert.equal(mailbox.post("next", 100, full), undefined);
    assert.deepEqual(await takeValues(mailbox, 1), ["next"]);
  });

  test("Mailbox skips a timed-out sender and admits the ones behind it", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    assert.equal(mailbox.post("a", 1_000, full), undefined);
    const short = track(mailbox.post("short", 10, full));
    const patient = track(mailbox.post("patient", 1_000, full));
    await clock.advance(10);
    assert.equal(short.settled(), "rejected: mailbox full");

    assert.deepEqual(await takeValues(mailbox, 2), ["a", "patient"]);
    assert.equal(patient.settled(), "admitted");
  });

  test("Mailbox.close lets queued and waiting messages drain, then take reports done", async () => {
    const mailbox = new Mailbox<string>({ capacity: 2, clock: new ManualClock() });
    mailbox.post("a", 1_000, full);
    mailbox.post("b", 1_000, full);
    const c = track(mailbox.post("c", 1_000, full));
    mailbox.close();
    assert.throws(() => mailbox.post("d", 1_000, full), { name: "TypeError" });

    assert.deepEqual(await takeValues(mailbox, 3), ["a", "b", "c"]);
    assert.equal(c.settled(), "admitted");
    assert.deepEqual(await mailbox.take(), { done: true, value: undefined });
  });

  test("Mailbox.close on an empty mailbox ends a pending take", async () => {
    const mailbox = new Mailbox<string>({ capacity: 2, clock: new ManualClock() });
    const next = mailbox.take();
    mailbox.close();
    assert.deepEqual(await next, { done: true, value: undefined });
  });

  test("Mailbox.close after a sender timed out still ends with done", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    mailbox.post("a", 1_000, full);
    const late = track(mailbox.post("late", 10, full));
    await clock.advance(10);
    assert.equal(late.settled(), "rejected: mailbox full");
    mailbox.close();

    assert.deepEqual(await takeValues(mailbox, 1), ["a"]);
    const end = track(mailbox.take().then((next) => assert.equal(next.done, true)));
    await settle();
    assert.equal(end.settled(), "admitted", "take must report done, not hang, once the mailbox is closed and empty");
  });

  test("Mailbox.drainAll hands back the waiting senders' messages and closes", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    mailbox.post("a", 1_000, full);
    const b = track(mailbox.post("b", 1_000, full));
    const c = track(mailbox.post("c", 1_000, full));

    assert.deepEqual(mailbox.drainAll(), ["b", "c"]);
    await settle();
    assert.deepEqual([b.settled(), c.settled()], ["admitted", "admitted"]);
    assert.equal(clock.pending, 0, "drained senders' deadline timers are cancelled");
    assert.equal(mailbox.waiting, 0);
    assert.throws(() => mailbox.post("d", 1_000, full), { name: "TypeError" });

    // The message already in the queue is still taken (its consumer decides what to do with it).
    assert.deepEqual(await takeValues(mailbox, 1), ["a"]);
    assert.deepEqual(await mailbox.take(), { done: true, value: undefined });
  });

  test("Mailbox.drainAll leaves out senders that already timed out", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    mailbox.post("a", 1_000, full);
    const gone = track(mailbox.post("gone", 10, full));
    mailbox.post("kept", 1_000, full);
    await clock.advance(10);
    assert.equal(gone.settled(), "rejected: mailbox full");
    assert.deepEqual(mailbox.drainAll(), ["kept"]);
  });

  test("Mailbox serves 10,000 senders waiting on a full mailbox in FIFO order, none lost", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<number>({ capacity: 16, clock });
    const expired: number[] = [];
    const posted: Promise<void>[] = [];
    for (let i = 0; i < 10_016; i++) {
      // Both kinds of sender share one line: `post` (a promise) and `send` (no promise).
      if (i % 7 === 0) {
        const result = mailbox.post(i, 1_000, full);
        if (result !== undefined) posted.push(result);
      } else mailbox.send(i, 1_000, (message) => expired.push(message));
    }
    assert.equal(mailbox.size, 16);
    assert.equal(mailbox.waiting, 10_000);
    assert.equal(clock.pending, 0, "deadlines are set once the synchronous run that queued them is over");
    await Promise.resolve();
    assert.equal(clock.pending, 1, "one timer covers a line of senders with the same wait");

    const taken = await takeValues(mailbox, 10_016);
    assert.deepEqual(taken, Array.from({ length: 10_016 }, (_, i) => i));
    await Promise.all(posted);
    // The multiples of 7 from 16 on had to wait; those below 16 found room.
    assert.equal(posted.length, Array.from({ length: 10_000 }, (_, i) => i + 16).filter((i) => i % 7 === 0).length);
    assert.deepEqual(expired, []);
    assert.equal(mailbox.waiting, 0);
    assert.equal(clock.pending, 0, "no deadline timer is left once the line is empty");
  });

  test("Mailbox serves bursts of waiting senders one after another, short and long, in order", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<number>({ capacity: 8, clock });
    const expired: number[] = [];
    let next = 0;
    // The line keeps its places from one burst to the next, up to a bound; a longer line is dropped.
    for (const burst of [3_000, 100, 20_000, 3_000, 10]) {
      const first = next;
      for (let i = 0; i < burst; i++) mailbox.send(next++, 1_000, (message) => expired.push(message));
      const taken = await takeValues(mailbox, burst);
      assert.deepEqual(taken, Array.from({ length: burst }, (_, i) => first + i));
      assert.equal(mailbox.waiting, 0);
      assert.equal(clock.pending, 0);
    }
    assert.equal(expired.length, 0);
  });

  test("Mailbox under steady overload: a line that never empties keeps order and every own deadline", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 2, clock });
    const expired: string[] = [];
    const sent: string[] = [];
    const send = (waitMs: number) => {
      const message = `${waitMs === 10 ? "short" : "long"} ${sent.length}`;
      sent.push(message);
      mailbox.send(message, waitMs, (gone) => expired.push(gone));
    };
    for (let i = 0; i < 100; i++) send(1_000);
    const taken: string[] = [];
    // One in, one out: the line stays ~100 long and moves along its arrays thousands of times.
    for (let i = 0; i < 5_000; i++) {
      taken.push(...await takeValues(mailbox, 1));
      send(i % 500 === 250 ? 10 : 1_000); // now and then a sender with a shorter wait: its own timer
    }
    for (let i = 0; i < 5; i++) send(10);
    await clock.advance(10);
    // The short senders still in line expired, and only they; all others arrive in order.
    assert.ok(expired.length >= 5 && expired.every((message) => message.startsWith("short")));
    taken.push(...await takeValues(mailbox, mailbox.size + mailbox.waiting));
    assert.deepEqual(taken, sent.filter((message) => !expired.includes(message)));
    assert.equal(taken.length + expired.length, sent.length);
    assert.equal(mailbox.waiting, 0);
    await clock.advance(1_000);
    assert.equal(clock.pending, 0);
  });

  test("Mailbox.send returns nothing and hands a message still in line at its deadline to `expired`", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    const expired: string[] = [];
    assert.equal(mailbox.send("a", 100, (message) => expired.push(message)), undefined);
    assert.equal(mailbox.send("late", 100, (message) => expired.push(message)), undefined);
    assert.equal(mailbox.waiting, 1);
    await clock.advance(99);
    assert.equal(expired.length, 0);
    await clock.advance(1);
    assert.deepEqual(expired, ["late"]);
    assert.equal(mailbox.waiting, 0);
    assert.deepEqual(await takeValues(mailbox, 1), ["a"]);
    mailbox.send("next", 100, (message) => expired.push(message));
    assert.deepEqual(await takeValues(mailbox, 1), ["next"]);
    assert.deepEqual(expired, ["late"]);
  });

  test("Mailbox expires the front of a long line at its deadline and admits the senders behind it in order", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<number>({ capacity: 4, clock });
    const expired: number[] = [];
    const onExpired = (message: number) => expired.push(message);
    for (let i = 0; i < 2_004; i++) mailbox.send(i, 100, onExpired); // 0-3 queued, 4-2003 wait until t=100
    await clock.advance(50);
    for (let i = 2_004; i < 4_004; i++) mailbox.send(i, 100, onExpired); // wait until t=150
    await clock.advance(50);
    assert.deepEqual(expired, Array.from({ length: 2_000 }, (_, i) => 4 + i));
    assert.equal(mailbox.waiting, 2_000);

    const taken = await takeValues(mailbox, 2_004);
    assert.deepEqual(taken, [0, 1, 2, 3, ...Array.from({ length: 2_000 }, (_, i) => 2_004 + i)]);
    await clock.advance(1_000);
    assert.equal(expired.length, 2_000, "admitted senders are never expired later");
    assert.equal(clock.pending, 0);
  });

  test("Mailbox times out a sender with a shorter wait than those ahead of it at its own deadline", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    assert.equal(mailbox.post("a", 1_000, full), undefined);
    const patient = track(mailbox.post("patient", 1_000, full));
    const short = track(mailbox.post("short", 10, full));
    const last = track(mailbox.post("last", 1_000, full));
    await clock.advance(10);
    assert.equal(short.settled(), "rejected: mailbox full");
    assert.deepEqual([patient.settled(), last.settled()], ["pending", "pending"]);
    assert.equal(mailbox.waiting, 2);

    assert.deepEqual(await takeValues(mailbox, 3), ["a", "patient", "last"]);
    await settle();
    assert.deepEqual([patient.settled(), last.settled()], ["admitted", "admitted"]);
    assert.equal(clock.pending, 0);
  });

  test("Mailbox keeps the place of senders with their own deadline while the line ahead of them moves", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 2, clock });
    const expired: string[] = [];
    const onExpired = (message: string) => expired.push(message);
    const long = Array.from({ length: 3_000 }, (_, i) => `long ${i}`);
    for (const message of long) mailbox.send(message, 1_000, onExpired);
    for (let i = 0; i < 10; i++) mailbox.send(`short ${i}`, 10, onExpired);
    mailbox.send("tail", 1_000, onExpired);

    // Most of the line moves into the queue and out before the short deadlines pass.
    assert.deepEqual(await takeValues(mailbox, 2_500), long.slice(0, 2_500));
    await clock.advance(10);
    assert.deepEqual(expired, Array.from({ length: 10 }, (_, i) => `short ${i}`));
    assert.deepEqual(await takeValues(mailbox, 501), [...long.slice(2_500), "tail"]);
    assert.equal(mailbox.waiting, 0);
    assert.equal(clock.pending, 0);
  });

  test("Mailbox never times out a sender that waits forever, and still times out those behind it", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    assert.equal(mailbox.post("a", 1_000, full), undefined);
    const forever = track(mailbox.post("forever", Infinity, full));
    const short = track(mailbox.post("short", 10, full));
    await clock.advance(10);
    assert.equal(short.settled(), "rejected: mailbox full");
    await clock.advance(1_000_000);
    assert.equal(forever.settled(), "pending");
    assert.deepEqual(await takeValues(mailbox, 2), ["a", "forever"]);
    assert.equal(forever.settled(), "admitted");
  });

  test("Mailbox.drainAll hands back senders of both kinds in line order and cancels every deadline", async () => {
    const clock = new ManualClock();
    const mailbox = new Mailbox<string>({ capacity: 1, clock });
    const expired: string[] = [];
    mailbox.send("a", 1_000, (message) => expired.push(message));
    mailbox.send("b", 1_000, (message) => expired.push(message));
    const c = track(mailbox.post("c", 5, full)); // a deadline of its own: shorter than b's
    mailbox.send("d", 1_000, (message) => expired.push(message));
    assert.deepEqual(mailbox.drainAll(), ["b", "c", "d"]);
    await settle();
    assert.equal(c.settled(), "admitted");
    assert.equal(clock.pending, 0);
    await clock.advance(2_000);
    assert.deepEqual(expired, []);
    assert.deepEqual(await takeValues(mailbox, 1), ["a"]);
    assert.deepEqual(await mailbox.take(), { done: true, value: undefined });
  });

  test("Mailbox rejects a capacity that is not a positive integer", () => {
    const clock = new ManualClock();
    for (const capacity of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new Mailbox({ capacity, clock }), { name: "RangeError" });
    }
  });
});
