/**
 * Credit bookkeeping of a channel, without a stream: a sender spends what the receiver granted
 * and no more, and a receiver grants back in batches as it reads.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReceiveCredit, SendCredit } from "../src/net/credit.ts";

describe("SendCredit", () => {
  it("spends only what was granted and counts what is in flight", () => {
    const credit = new SendCredit();
    assert.equal(credit.spend(), false, "no credit before the first grant");
    credit.receive(3); // the receiver's window
    assert.deepEqual([credit.spend(), credit.spend(), credit.spend(), credit.spend()], [true, true, true, false]);
    assert.equal(credit.inFlight, 3);
    credit.receive(2); // two acknowledged
    assert.equal(credit.inFlight, 1);
    assert.equal(credit.available, 2);
    assert.equal(credit.peakInFlight, 3);
  });

  it("refuses acknowledgements for messages never sent, and overflowing grants", () => {
    const credit = new SendCredit();
    credit.receive(4);
    credit.spend();
    assert.throws(() => credit.receive(2), { name: "FrameError", code: "BAD_FRAME", reason: "credit" });
    assert.throws(() => new SendCredit().receive(2 ** 32), { name: "FrameError", reason: "credit" });
  });
});

describe("ReceiveCredit", () => {
  it("grants its window first, then in quarters as messages are read", () => {
    const credit = new ReceiveCredit(8);
    assert.equal(credit.takeGrant(), 8);
    assert.equal(credit.takeGrant(), 0);
    credit.arrive(8);
    assert.equal(credit.consume(1), false);
    assert.equal(credit.consume(1), true, "a quarter of the window (2) was read");
    assert.equal(credit.takeGrant(), 2);
    assert.equal(credit.consume(6), true);
    assert.equal(credit.takeGrant(), 6);
  });

  it("refuses messages beyond the credit granted", () => {
    const credit = new ReceiveCredit(4);
    assert.throws(() => credit.arrive(1), { name: "FrameError", reason: "credit" }, "nothing granted yet");
    credit.takeGrant();
    credit.arrive(3);
    assert.throws(() => credit.arrive(2), { name: "FrameError", reason: "credit" });
  });

  it("takes a window from 1 to 1,000,000", () => {
    for (const bad of [0, -1, 1.5, 1_000_001, Number.NaN]) assert.throws(() => new ReceiveCredit(bad), RangeError);
    assert.equal(new ReceiveCredit(1).takeGrant(), 1);
  });
});
