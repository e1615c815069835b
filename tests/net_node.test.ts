/**
 * Two libp2p nodes in one process on 127.0.0.1: dialling, channels with batching and credit-based
 * backpressure, and bad frames that close one stream only (errors and keys: net_node_errors.test.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createNetNode,
  DEFAULT_WINDOW,
  encodeFrame,
  type Frame,
  FrameError,
  lengthPrefixed,
  type NetNode,
  readFrames,
} from "../src/net/mod.ts";
import { within } from "./support/async.ts";
import { DOUBLE, ECHO, echoOnce, serveEcho, withNodes } from "./support/net_nodes.ts";

describe("NetNode", () => {
  it("listens on port 0, reports /p2p/ addresses and dials by them", async () => {
    await withNodes(2, async ([server, client]) => {
      const [address, ...more] = server.addresses();
      assert.equal(more.length, 0);
      assert.match(address, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/[1-9]\\d*/ws/p2p/${server.peerId}$`));
      assert.deepEqual(client.addresses(), []);
      const connected = new Promise<string>((resolve) => {
        server.addEventListener("peer:connect", (event) => resolve(event.detail.peerId));
      });
      const connection = await client.dial(address);
      assert.equal(connection.remotePeer.toString(), server.peerId);
      assert.equal(await within(connected, 5_000, "peer:connect"), client.peerId);
      assert.deepEqual(client.peers(), [server.peerId]);
      assert.ok((await client.ping(server.peerId)) >= 0);
      const disconnected = new Promise<string>((resolve) => {
        server.addEventListener("peer:disconnect", (event) => resolve(event.detail.peerId));
      });
      await client.stop();
      assert.equal(await within(disconnected, 5_000, "peer:disconnect"), client.peerId);
    });
  });

  it("joins bootstrap peers at start", async () => {
    await withNodes(1, async ([server]) => {
      const joiner = await createNetNode({ bootstrap: server.addresses() });
      try {
        assert.deepEqual(joiner.peers(), [server.peerId]);
      } finally {
        await joiner.stop();
      }
    });
  });
});

describe("Channel between two nodes", () => {
  it("answers 10,000 requests in order with a bounded number in flight", async () => {
    await withNodes(2, async ([server, client]) => {
      const window = 64;
      const serverChannels: Array<{ stats: { peakBuffered: number; peakInFlight: number } }> = [];
      await server.handleChannel<{ id: number; n: number }, { id: number; doubled: number }>(
        DOUBLE,
        async (channel) => {
          serverChannels.push(channel);
          const writer = channel.writable.getWriter();
          for await (const request of channel.readable) await writer.write({ id: request.id, doubled: request.n * 2 });
          await writer.close();
        },
        { window },
      );
      const channel = await client.openChannel<{ id: number; doubled: number }, { id: number; n: number }>(
        server.addresses()[0],
        DOUBLE,
        { window },
      );
      const total = 10_000;
      const sending = (async () => {
        const writer = channel.writable.getWriter();
        for (let id = 0; id < total; id++) await writer.write({ id, n: id + 1 });
        await writer.close();
      })();
      let expected = 0;
      for await (const reply of channel.readable) {
        assert.deepEqual(reply, { id: expected, doubled: (expected + 1) * 2 });
        expected++;
      }
      await sending;
      await channel.closed;
      assert.equal(expected, total);
      assert.equal(channel.stats.sent, total);
      assert.equal(channel.stats.received, total);
      // Credit bounds what is in flight, in both directions.
      assert.ok(channel.stats.peakInFlight <= window, `client peak in flight ${channel.stats.peakInFlight}`);
      assert.ok(channel.stats.peakBuffered <= window, `client peak buffered ${channel.stats.peakBuffered}`);
      assert.equal(serverChannels.length, 1);
      const serverStats = serverChannels[0].stats;
      assert.ok(serverStats.peakBuffered <= window, `server peak buffered ${serverStats.peakBuffered}`);
      assert.ok(serverStats.peakInFlight <= window, `server peak in flight ${serverStats.peakInFlight}`);
      assert.ok(serverStats.peakBuffered > 1 && serverStats.peakInFlight > 1, "both directions were pipelined");
      assert.ok(channel.stats.peakInFlight > 1, "requests were pipelined");
      // Many messages per frame.
      assert.ok(channel.stats.dataFrames <= total / 4, `${channel.stats.dataFrames} data frames for ${total} messages`);
    });
  });

  it("sends messages written in the same tick as one frame", async () => {
    await withNodes(2, async ([server, client]) => {
      await serveEcho(server);
      const channel = await client.openChannel(server.addresses()[0], ECHO);
      const writer = channel.writable.getWriter();
      const messages = Array.from({ length: 100 }, (_, i) => ({ i, tag: `m${i}` }));
      for (const message of messages) void writer.write(message);
      void writer.close();
      const replies: unknown[] = [];
      for await (const reply of channel.readable) replies.push(reply);
      assert.deepEqual(replies, messages);
      assert.equal(channel.stats.dataFrames, 1);
    });
  });

  it("carries raw bytes and structured values", async () => {
    await withNodes(2, async ([server, client]) => {
      await serveEcho(server);
      const messages = [
        new Uint8Array([1, 2, 3]),
        { when: new Date(7), big: 2n ** 70n, set: new Set(["a"]) },
        undefined,
        null,
      ];
      assert.deepEqual(await echoOnce(client, server.addresses()[0], messages), messages);
    });
  });

  it("holds a sender back when the reader stops reading", async () => {
    await withNodes(2, async ([server, client]) => {
      const window = 16;
      let serverChannel: { stats: { received: number; buffered: number } } | undefined;
      const arrived = Promise.withResolvers<void>();
      await server.handleChannel(ECHO, (channel) => {
        serverChannel = channel; // never reads
        arrived.resolve();
      }, { window });
      const channel = await client.openChannel(server.addresses()[0], ECHO);
      const writer = channel.writable.getWriter();
      const writes = Array.from({ length: 100 }, (_, i) => writer.write(i));
      await within(arrived.promise, 5_000, "the inbound channel");
      // Wait until the window is used up; the 17th message must not be sent.
      for (let round = 0; round < 200 && channel.stats.sent < window; round++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(channel.stats.sent, window);
      assert.equal(channel.stats.inFlight, window);
      assert.ok(serverChannel!.stats.received <= window);
      channel.abort(new Error("done"));
      await Promise.allSettled(writes);
    });
  });

  it("lets a peer finish writing to a reader that cancelled", async () => {
    await withNodes(2, async ([server, client]) => {
      await server.handleChannel(ECHO, async (channel) => {
        await channel.readable.cancel();
        const writer = channel.writable.getWriter();
        await writer.write("not listening");
        await writer.close();
      }, { window: 16 });
      const channel = await client.openChannel(server.addresses()[0], ECHO);
      const writing = (async () => {
        const writer = channel.writable.getWriter();
        for (let i = 0; i < 3_000; i++) await writer.write(i);
        await writer.close();
      })();
      const replies: unknown[] = [];
      for await (const reply of channel.readable) replies.push(reply);
      await writing;
      await channel.closed;
      assert.deepEqual(replies, ["not listening"]);
      assert.equal(channel.stats.sent, 3_000);
      assert.ok(channel.stats.peakInFlight <= 16);
    });
  });

  it("fails the channel on a message that cannot be encoded, and tells the peer", async () => {
    await withNodes(2, async ([server, client]) => {
      const seen = Promise.withResolvers<unknown>();
      await server.handleChannel(ECHO, async (channel) => {
        try {
          for await (const _ of channel.readable) { /* drain */ }
          seen.resolve("ended");
        } catch (error) {
          seen.resolve(error);
        }
      });
      const channel = await client.openChannel(server.addresses()[0], ECHO);
      const writer = channel.writable.getWriter();
      await writer.write("fine");
      await assert.rejects(writer.write({ callback: () => 1 }), {
        name: "SerializationError",
        code: "NOT_SERIALIZABLE",
      });
      await assert.rejects(channel.closed, { name: "SerializationError" });
      const remote = await within(seen.promise, 5_000, "the peer's error") as { name?: string; remoteCode?: string };
      assert.equal(remote.name, "RemoteChannelError");
      assert.equal(remote.remoteCode, "NOT_SERIALIZABLE");
    });
  });

  it("reports an error thrown by a channel handler to the peer", async () => {
    await withNodes(2, async ([server, client]) => {
      await server.handleChannel(ECHO, () => {
        throw new FrameError("malformed", "the handler refused");
      });
      const channel = await client.openChannel(server.addresses()[0], ECHO);
      await assert.rejects(
        (async () => {
          for await (const _ of channel.readable) { /* nothing comes */ }
        })(),
        (error: Error & { code?: string; remoteCode?: string }) => {
          assert.equal(error.name, "RemoteChannelError");
          assert.equal(error.code, "REMOTE_ERROR");
          assert.equal(error.remoteCode, "BAD_FRAME");
          return true;
        },
      );
      await assert.rejects(channel.closed);
    });
  });
});

describe("Bad frames on a stream", () => {
  /** Sends `bytes` on a raw stream and returns the frames the node answers with before the stream ends. */
  async function sendRaw(client: NetNode, address: string, bytes: Uint8Array): Promise<Frame[]> {
    const stream = await client.openStream(address, ECHO);
    stream.send(bytes);
    const frames: Frame[] = [];
    try {
      for await (const frame of readFrames(stream)) frames.push(frame);
    } catch {
      // the node resets the stream after its error reply
    }
    return frames;
  }

  const badInputs: Array<[string, () => Uint8Array]> = [
    ["an unknown frame version", () => lengthPrefixed(new Uint8Array([9, 1, 0, 0, 0, 1, 0, 0])).subarray()],
    ["an oversized frame", () => lengthPrefixed(new Uint8Array(2 * 1024 * 1024)).subarray().subarray(0, 64)],
    ["a malformed body", () => lengthPrefixed(new Uint8Array([1, 1, 0, 0, 0, 1, 0, 3, 0x7b, 0x7b, 0x7b])).subarray()],
    [
      "more messages than the credit granted",
      () =>
        lengthPrefixed(encodeFrame({ kind: "data", messages: Array.from({ length: DEFAULT_WINDOW + 1 }, (_, i) => i) }))
          .subarray(),
    ],
  ];

  for (const [name, input] of badInputs) {
    it(`answers ${name} with an error frame, closes that stream and keeps serving`, async () => {
      await withNodes(2, async ([server, client]) => {
        await serveEcho(server);
        const address = server.addresses()[0];
        // A good channel opened before the bad stream keeps working after it.
        const before = await client.openChannel(address, ECHO);
        const frames = await within(sendRaw(client, address, input()), 10_000, "the error reply and close");
        const errors = frames.filter((frame) => frame.kind === "error");
        assert.equal(errors.length, 1, JSON.stringify(frames));
        assert.equal(errors[0].kind === "error" && errors[0].code, "BAD_FRAME");
        assert.equal(frames.at(-1)!.kind, "error", "nothing follows the error reply");
        assert.deepEqual(client.peers(), [server.peerId], "the connection stays up");
        assert.deepEqual(await echoOnce(client, address, ["still", "serving"]), ["still", "serving"]);
        const writer = before.writable.getWriter();
        void writer.write("before");
        void writer.close();
        const replies: unknown[] = [];
        for await (const reply of before.readable) replies.push(reply);
        assert.deepEqual(replies, ["before"]);
      });
    });
  }
});
