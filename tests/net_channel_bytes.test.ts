/**
 * A channel's flow control counts bytes as well as messages: a reader that stops reading holds
 * its peer to the byte window however big the messages are, the peer's writer stops being ready,
 * and a message larger than the peer's window fails the channel instead of waiting forever.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { until, within } from "./support/async.ts";
import { ECHO, withNodes } from "./support/net_nodes.ts";
import type { Channel } from "../src/net/mod.ts";

const MiB = 1024 * 1024;

describe("Channel byte credit between two nodes", () => {
  it("holds a sender of large messages to the reader's byte window, then delivers them all in order", async () => {
    await withNodes(2, async ([server, client]) => {
      const windowBytes = MiB;
      const inbound = Promise.withResolvers<Channel<Uint8Array, unknown>>();
      await server.handleChannel<Uint8Array, unknown>(ECHO, (channel) => inbound.resolve(channel), { windowBytes });
      const channel = await client.openChannel<unknown, Uint8Array>(server.addresses()[0], ECHO);
      const writer = channel.writable.getWriter();
      const count = 40;
      const size = 200 * 1024; // 40 × 200 KiB = 8 MiB, eight times the reader's window
      const writes = Array.from({ length: count }, (_, i) => writer.write(new Uint8Array(size).fill(i)));
      const reader = await within(inbound.promise, 5_000, "the inbound channel");
      // The reader reads nothing yet: the sender stops at its window in bytes (5 messages fit, not 6).
      await until(() => channel.stats.sent === Math.floor(windowBytes / (size + 4)), "the byte window filled");
      await until(() => reader.stats.buffered === channel.stats.sent, "what was sent buffered at the reader");
      assert.ok(channel.stats.inFlightBytes <= windowBytes, `${channel.stats.inFlightBytes} bytes in flight`);
      assert.ok(reader.stats.bufferedBytes <= windowBytes, `${reader.stats.bufferedBytes} bytes buffered`);
      assert.ok(writer.desiredSize! <= 0, "the writer's own queue is full: ready waits");
      const received: Uint8Array[] = [];
      for await (const message of reader.readable) {
        received.push(message);
        if (received.length === count) break;
      }
      await Promise.all(writes);
      assert.deepEqual(received.map((message) => [message.length, message[0]]), writes.map((_, i) => [size, i]));
      assert.ok(channel.stats.peakInFlightBytes <= windowBytes, `peak ${channel.stats.peakInFlightBytes} in flight`);
      assert.ok(reader.stats.peakBufferedBytes <= windowBytes, `peak ${reader.stats.peakBufferedBytes} buffered`);
      channel.abort(new Error("done"));
    });
  });

  it("fails the channel with a RangeError on a message larger than the peer's byte window", async () => {
    await withNodes(2, async ([server, client]) => {
      await server.handleChannel(ECHO, async (channel) => {
        for await (const _ of channel.readable) { /* drain */ }
      }, { windowBytes: MiB, maxFrameBytes: MiB });
      const channel = await client.openChannel(server.addresses()[0], ECHO, {
        maxFrameBytes: 2 * MiB,
        windowBytes: 4 * MiB,
      });
      const writer = channel.writable.getWriter();
      await writer.write("fine");
      await assert.rejects(writer.write(new Uint8Array(1.5 * MiB)), (error: Error) => {
        assert.equal(error.name, "RangeError");
        assert.match(error.message, /exceeds the peer's receive window of 1048576 bytes/);
        return true;
      });
      await assert.rejects(channel.closed, { name: "RangeError" });
    });
  });

  it("refuses channel options it cannot hold to, before any stream opens", async () => {
    await withNodes(2, async ([server, client]) => {
      const bad: Array<[string, Record<string, number>, RegExp]> = [
        [
          "a byte window smaller than a frame",
          { windowBytes: 1000 },
          /windowBytes \(1000\) must be at least maxFrameBytes/,
        ],
        ["a window of 0 messages", { window: 0 }, /window must be an integer from 1/],
        ["a byte window past 2^32 - 1", { windowBytes: 2 ** 32, maxFrameBytes: MiB }, /windowBytes must be an integer/],
        ["a frame of 3 bytes", { maxFrameBytes: 3 }, /maxFrameBytes must be an integer of at least 8/],
      ];
      for (const [what, options, message] of bad) {
        await assert.rejects(server.handleChannel(ECHO, () => {}, options), { name: "RangeError", message }, what);
        await assert.rejects(
          client.openChannel(server.addresses()[0], ECHO, options),
          { name: "RangeError", message },
          what,
        );
      }
    });
  });
});
