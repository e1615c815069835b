// Helpers for tests of a multi-process cluster: status through an in-test node (no process per
// poll), bounded waits for membership, and the client's typed view of the fixture app.
import type { ActantApp } from "../../mod.ts";
import { requestStatus } from "../../src/cluster/mod.ts";
import { createNetNode } from "../../src/net/mod.ts";

/** Polls (bounded: 300 × 100 ms) until every peer in `addresses` knows `count` members, itself included. */
export async function waitForMembers(addresses: string[], count: number): Promise<void> {
  const node = await createNetNode();
  try {
    for (const address of addresses) {
      for (let i = 0;; i++) {
        const peers = await requestStatus(node, address).catch(() => []);
        if (peers.length === count) break;
        if (i === 300) throw new Error(`${address} knows ${peers.length} members, expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await node.stop();
  }
}

/** Polls (bounded) until the peer at `address` runs at least one attempt. */
export async function waitUntilRunning(address: string): Promise<void> {
  const node = await createNetNode();
  try {
    for (let i = 0; i < 500; i++) {
      const [self] = await requestStatus(node, address);
      if (self.tasks.running > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${address} never ran anything`);
  } finally {
    await node.stop();
  }
}

/** The fixture app's tasks and actor classes as a client registers them (for types; the workers run them). */
export function clusterClient(client: ActantApp) {
  return {
    fetch: client.task("fetch", (_url: string): string => ""),
    analyze: client.task("analyze", (_data: string) => ({ sentiment: 0, topics: [] as string[] })),
    report: client.task("report", (_result: { sentiment: number }): string => ""),
    ModelRegistry: client.actor(
      "ModelRegistry",
      class {
        register(_name: string, _version: string): string {
          return "";
        }
        list(): Record<string, string> {
          return {};
        }
      },
    ),
    Counter: client.actor(
      "Counter",
      class {
        add(_n: number): number {
          return 0;
        }
        slowAdd(_n: number, _ms: number): number {
          return 0;
        }
        host(): number {
          return 0;
        }
      },
    ),
    Unregistered: client.actor("Unregistered", class {}),
  };
}
