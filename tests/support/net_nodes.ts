// Shared by the net suites: libp2p nodes in one process on 127.0.0.1, an echo protocol, and an
// error matcher. (Not a test file.)
import assert from "node:assert/strict";
import { ActantError } from "../../src/common/mod.ts";
import { actantProtocol, createNetNode, type NetNode } from "../../src/net/mod.ts";

export const LOCAL = "/ip4/127.0.0.1/tcp/0/ws";
export const ECHO = actantProtocol("echo", "1");
export const DOUBLE = actantProtocol("double", "1");

/** Runs `test` with `count` nodes (the first listening), stopping all of them afterwards. */
export async function withNodes(count: number, test: (nodes: NetNode[]) => Promise<void>): Promise<void> {
  const nodes: NetNode[] = [];
  try {
    nodes.push(await createNetNode({ listen: [LOCAL] }));
    while (nodes.length < count) nodes.push(await createNetNode({}));
    await test(nodes);
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

/** Matches an `ActantError` by name and code whose message names each of `mentions`. */
export function expectError(name: string, code: string, ...mentions: (string | number)[]) {
  return (error: Error & { code?: string }) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.code, code);
    assert.ok(error instanceof ActantError);
    for (const mention of mentions) {
      assert.ok(error.message.includes(String(mention)), `"${error.message}" names ${mention}`);
    }
    return true;
  };
}

/** Serves the echo protocol on `node`. */
export async function serveEcho(node: NetNode): Promise<void> {
  await node.handleChannel(ECHO, (channel) => channel.readable.pipeTo(channel.writable));
}

/** Sends `messages` over one echo channel and collects the replies. */
export async function echoOnce(client: NetNode, address: string, messages: unknown[]): Promise<unknown[]> {
  const channel = await client.openChannel(address, ECHO);
  const writer = channel.writable.getWriter();
  for (const message of messages) void writer.write(message);
  void writer.close();
  const replies: unknown[] = [];
  for await (const reply of channel.readable) replies.push(reply);
  await channel.closed;
  return replies;
}
