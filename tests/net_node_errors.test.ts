/**
 * The network layer's clear errors, between libp2p nodes in one process on 127.0.0.1: bad
 * addresses, unreachable peers, ports in use, and the node's key files.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { actantProtocol, createNetNode, KEY_FILE, loadOrCreateKey, peerIdOfKey } from "../src/net/mod.ts";
import { within } from "./support/async.ts";
import { ECHO, expectError, LOCAL, withNodes } from "./support/net_nodes.ts";

describe("NetNode errors", () => {
  it("refuses a dial or bootstrap address without /p2p/ with a TypeError naming it", async () => {
    await withNodes(1, async ([node]) => {
      const bare = node.addresses()[0].replace(/\/p2p\/.*$/, "");
      for (
        const attempt of [
          () => node.dial(bare),
          () => node.openChannel(bare, ECHO),
          () => createNetNode({ bootstrap: [bare] }),
        ]
      ) {
        await assert.rejects(attempt(), (error: Error) => {
          assert.ok(error instanceof TypeError, String(error));
          assert.ok(error.message.includes(bare) && error.message.includes("/p2p/"), error.message);
          return true;
        });
      }
      await assert.rejects(node.dial("not a multiaddr"), TypeError);
      await assert.rejects(createNetNode({ listen: ["/ip4/127.0.0.1/tcp/0"] }), (error: Error) => {
        assert.ok(error instanceof TypeError && error.message.includes("/ip4/127.0.0.1/tcp/0"), String(error));
        return true;
      });
    });
  });

  it("fails with PeerUnreachableError for a closed port", async () => {
    const gone = await createNetNode({ listen: [LOCAL] });
    const address = gone.addresses()[0];
    await gone.stop();
    const client = await createNetNode({ dialTimeoutMs: 3_000 });
    try {
      await assert.rejects(
        within(client.dial(address), 10_000, "the dial"),
        expectError("PeerUnreachableError", "PEER_UNREACHABLE", address),
      );
      await assert.rejects(
        client.openChannel(address, ECHO),
        expectError("PeerUnreachableError", "PEER_UNREACHABLE", address),
      );
    } finally {
      await client.stop();
    }
    await assert.rejects(
      within(createNetNode({ bootstrap: [address], dialTimeoutMs: 3_000 }), 10_000, "the bootstrap"),
      expectError("PeerUnreachableError", "PEER_UNREACHABLE", address),
    );
  });

  it("fails with PeerUnreachableError after the dial timeout when a port never answers", async () => {
    // A TCP server that accepts and then says nothing: the WebSocket upgrade never completes.
    const sockets: Array<{ destroy(): void }> = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const client = await createNetNode({ dialTimeoutMs: 500 });
    try {
      const peer = `/ip4/127.0.0.1/tcp/${port}/ws/p2p/12D3KooWM2xqi2ZUWWLQdYdkj1c5fGTC2MxkWuscne5mPtp7Tu3b`;
      await assert.rejects(
        within(client.dial(peer), 10_000, "the dial"),
        expectError("PeerUnreachableError", "PEER_UNREACHABLE", peer, "500 ms"),
      );
    } finally {
      await client.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("fails with AddressInUseError naming the port when it is taken", async () => {
    await withNodes(1, async ([node]) => {
      const port = Number(node.addresses()[0].split("/")[4]);
      const taken = `/ip4/127.0.0.1/tcp/${port}/ws`;
      await assert.rejects(createNetNode({ listen: [taken] }), (error: Error & { code?: string; port?: number }) => {
        expectError("AddressInUseError", "ADDRESS_IN_USE", port)(error);
        assert.equal(error.port, port);
        return true;
      });
    });
  });

  it("fails with ProtocolNotSupportedError for a protocol the peer does not serve", async () => {
    await withNodes(2, async ([server, client]) => {
      const address = server.addresses()[0];
      await assert.rejects(
        client.openChannel(address, actantProtocol("nothing", "1")),
        expectError("ProtocolNotSupportedError", "PROTOCOL_NOT_SUPPORTED", "/actant/nothing/1"),
      );
    });
  });
});

describe("Node keys", () => {
  it("keeps the peer id across restarts through the key file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "actant-net-key-"));
    try {
      const data = join(dir, "worker-1");
      const first = await loadOrCreateKey(data);
      const again = await loadOrCreateKey(data);
      assert.deepEqual(again, first);
      assert.deepEqual(new Uint8Array(await readFile(join(data, KEY_FILE))), first);
      if (process.platform !== "win32") assert.equal((await stat(join(data, KEY_FILE))).mode & 0o777, 0o600);
      const ids: string[] = [];
      for (const key of [first, again]) {
        const node = await createNetNode({ privateKey: key, listen: [LOCAL] });
        try {
          ids.push(node.peerId);
          assert.ok(node.addresses()[0].endsWith(`/p2p/${node.peerId}`));
        } finally {
          await node.stop();
        }
      }
      assert.equal(ids[0], ids[1]);
      assert.equal(peerIdOfKey(first), ids[0]);
      assert.notEqual(peerIdOfKey(await loadOrCreateKey(join(dir, "worker-2"))), ids[0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a key file that holds no key, and a bad privateKey", async () => {
    const dir = await mkdtemp(join(tmpdir(), "actant-net-key-"));
    try {
      await writeFile(join(dir, KEY_FILE), "not a key");
      await assert.rejects(loadOrCreateKey(dir), expectError("KeyFileError", "BAD_KEY_FILE", KEY_FILE));
      await assert.rejects(createNetNode({ privateKey: new Uint8Array([1, 2, 3]) }), TypeError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
