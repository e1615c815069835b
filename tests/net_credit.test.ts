/**
 * Credit bookkeeping of a channel, without a stream: a sender spends what the receiver granted,
 * in messages and in bytes, and no more, and a receiver grants back in batches as it reads.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReceiveCredit, SendCredit } from "../src/net/credit.ts";

describe("SendCredit", () => {
  it("spends only what was granted and counts what is in flight", () => {
    const credit = new SendCredit();
    assert.equal(credit.spend(1), false, "no credit before the first grant");
    credit.receive(3, 1000); // the receiver's window
    assert.deepEqual([credit.spend(10), credit.spend(10), credit.spend(10), credit.spend(10)], [
      true,
      true,
      true,
      false,
    ]);
    assert.equal(credit.inFlight, 3);
    assert.equal(credit.inFlightBytes, 30);
    credit.receive(2, 20); // two acknowledged
    assert.equal(credit.inFlight, 1);
    assert.equal(credit.inFlightBytes, 10);
    assert.equal(credit.available, 2);
    assert.equal(credit.availableBytes, 990);
    assert.equal(credit.peakInFlight, 3);
    assert.equal(credit.peakInFlightBytes, 30);
    assert.deepEqual(credit.window, { messages: 3, bytes: 1000 });
  });

  it("waits for bytes as it waits for messages", () => {
    const credit = new SendCredit();
    credit.receive(100, 64);
    assert.equal(credit.spend(40), true);
    assert.equal(credit.spend(40), false, "24 bytes left, the message needs 40");
    assert.equal(credit.spend(24), true);
    credit.receive(0, 40); // a grant of bytes alone
    assert.equal(credit.spend(40), true);
    assert.equal(credit.inFlightBytes, 64);
  });

  it("refuses acknowledgements for messages or bytes never sent, and overflowing grants", () => {
    const credit = new SendCredit();
    credit.receive(4, 100);
    credit.spend(10);
    assert.throws(() => credit.receive(2, 0), { name: "FrameError", code: "BAD_FRAME", reason: "credit" });
    assert.throws(() => credit.receive(0, 11), { name: "FrameError", reason: "credit" });
    assert.throws(() => new SendCredit().receive(2 ** 32, 1), { name: "FrameError", reason: "credit" });
    assert.throws(() => new SendCredit().receive(1, 2 ** 32), { name: "FrameError", reason: "credit" });
    assert.throws(
      () => new SendCredit().receive(0, 10),
      { name: "FrameError", reason: "credit" },
      "a first grant of no messages",
    );
  });
});

describe("ReceiveCredit", () => {
  it("grants its window first, then in quarters as messages are read", () => {
    const credit = new ReceiveCredit(8, 1_000_000);
    assert.deepEqual(credit.takeGrant(), { messages: 8, bytes: 1_000_000 });
    assert.equal(credit.takeGrant(), undefined);
    credit.arrive(8, 80);
    assert.equal(credit.consume(1, 10), false);
    assert.equal(credit.consume(1, 10), true, "a quarter of the window (2) was read");
    assert.deepEqual(credit.takeGrant(), { messages: 2, bytes: 20 });
    assert.equal(credit.consume(6, 60), true);
    assert.deepEqual(credit.takeGrant(), { messages: 6, bytes: 60 });
  });

  it("grants as a quarter of its bytes is read, even when few messages were", () => {
    const credit = new ReceiveCredit(1000, 400);
    credit.takeGrant();
    credit.arrive(2, 400);
    assert.equal(credit.consume(1, 99), false);
    assert.equal(credit.consume(1, 301), true, "400 bytes read: past a quarter of the byte window");
    assert.deepEqual(credit.takeGrant(), { messages: 2, bytes: 400 });
  });

  it("refuses messages or bytes beyond the credit granted", () => {
    const credit = new ReceiveCredit(4, 100);
    assert.throws(() => credit.arrive(1, 1), { name: "FrameError", reason: "credit" }, "nothing granted yet");
    credit.takeGrant();
    credit.arrive(3, 30);
    assert.throws(() => credit.arrive(2, 2), { name: "FrameError", reason: "credit" });
    assert.throws(() => credit.arrive(1, 71), { name: "FrameError", reason: "credit" }, "71 bytes, 70 granted");
  });

  it("takes a window from 1 to 1,000,000 messages and 1 to 2^32 - 1 bytes", () => {
    for (const bad of [0, -1, 1.5, 1_000_001, Number.NaN]) {
      assert.throws(() => new ReceiveCredit(bad, 100), RangeError);
      assert.throws(() => new ReceiveCredit(10, bad === 1_000_001 ? 2 ** 32 : bad), RangeError);
    }
    assert.deepEqual(new ReceiveCredit(1, 1).takeGrant(), { messages: 1, bytes: 1 });
  });
});
