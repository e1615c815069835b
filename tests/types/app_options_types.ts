/**
 * Type tests of `new ActantApp()` options: one shape per mode (local, worker, client), so a
 * wrong mix is a compile error. Only type-checked (`tsc -p .`): every `@ts-expect-error` line
 * proves a mistake does not compile; nothing here runs.
 *
 * @module
 */
import {
  ActantApp,
  type ActantAppOptions,
  type ClientAppOptions,
  type LightWorkerAppOptions,
  type LocalAppOptions,
} from "../../mod.ts";

const ADDRESS = "/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";

/** Never called: the constructions only have to type-check (or fail to, where marked). */
export function appOptionTypes(): void {
  // Each mode on its own compiles.
  new ActantApp("local", { durability: "sync", concurrency: 4, dataDir: "./data", keepResults: 10 });
  new ActantApp("worker", { listen: ["/ip4/127.0.0.1/tcp/0/ws"], durability: "batched", concurrency: 8 });
  new ActantApp("client", { address: ADDRESS, reconnect: { retries: 3 }, secret: "s" });
  new ActantApp("found", {
    address: "p2p://12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN",
    bootstrap: [ADDRESS],
  });

  // A client runs nothing and keeps no log: local options are mistakes there.
  // @ts-expect-error: concurrency is the worker's, not a client's
  new ActantApp("c1", { address: ADDRESS, concurrency: 4 });
  // @ts-expect-error: a client keeps no log, so it has no durability
  new ActantApp("c2", { address: ADDRESS, durability: "sync" });
  // @ts-expect-error: a client does not listen
  new ActantApp("c3", { address: ADDRESS, listen: ["/ip4/127.0.0.1/tcp/0/ws"] });
  // @ts-expect-error: reconnect is a client's option
  new ActantApp("l1", { durability: "memory", reconnect: { retries: 3 } });
  // @ts-expect-error: an address is a string
  new ActantApp("c4", { address: 4001 });
  // A light worker is a client that also runs work, within its own concurrency.
  new ActantApp("w1", { address: ADDRESS, worker: true, concurrency: 2 });
  // @ts-expect-error: a light worker keeps no log either
  new ActantApp("w2", { address: ADDRESS, worker: true, durability: "sync" });

  // The union narrows on `address`.
  const options: ActantAppOptions = { address: ADDRESS } as ActantAppOptions;
  if (options.address !== undefined) {
    const client: ClientAppOptions | LightWorkerAppOptions = options;
    void client;
  } else {
    const local: LocalAppOptions | Omit<LocalAppOptions, "address"> = options;
    void local;
  }
}
