// Shared by the event log suites: stores that outlive their backends (memory and LMDB), event
// helpers, and backends that fail or commit on command. (Not a test file.)
import assert from "node:assert/strict";
import { settle, within } from "./async.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Backend,
  type EventLog,
  type EventLogOptions,
  type LogEvent,
  MemoryBackend,
  openLmdbBackend,
  type WriteOp,
  type WriteResult,
} from "../../src/store/mod.ts";

/** A store that outlives the backend objects opened on it, as a data directory does. */
export interface Store {
  open(): Promise<Backend>;
  dispose(): Promise<void>;
}

/** Hands out a memory backend whose `close` leaves the data in place, so a log can be reopened. */
export function memoryStore(): Store {
  const inner = new MemoryBackend();
  const view: Backend = {
    get: (key) => inner.get(key),
    range: (options) => inner.range(options),
    write: (ops) => inner.write(ops),
    close: async () => {},
  };
  return { open: async () => view, dispose: () => inner.close() };
}

export async function lmdbStore(): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), "actant-log-"));
  const opened: Backend[] = [];
  return {
    async open() {
      opened.push(await openLmdbBackend(join(dir, "log")));
      return opened.at(-1)!;
    },
    async dispose() {
      for (const backend of opened) await backend.close(); // a no-op for the ones already closed
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const STORES: { name: string; make: () => Promise<Store> }[] = [
  { name: "memory", make: async () => memoryStore() },
  { name: "LMDB", make: lmdbStore },
];

export const BATCHED: EventLogOptions = { durability: "batched", warn: () => assert.fail("unexpected warning") };
export const ev = (n: number): LogEvent => ({ type: "test.event", n });

export function recordKeys(backend: Backend, prefix = "r/"): string[] {
  return [...backend.range({ start: prefix, end: prefix.slice(0, -1) + "0" })].map((entry) => entry.key);
}

export const seqKey = (prefix: string, seq: number) => prefix + seq.toString(16).padStart(16, "0");

/** Appends one synchronous stretch per group, waiting for each, so each group becomes one record. */
export async function appendGroups(log: EventLog, groups: number[][]): Promise<void> {
  for (const group of groups) await Promise.all(group.map((n) => log.append(ev(n))));
}

export function seqs(log: EventLog, afterSeq: number): number[] {
  return [...log.read(afterSeq)].map((entry) => entry.seq);
}

export async function withStore(make: () => Promise<Store>, test: (store: Store) => Promise<void>): Promise<void> {
  const store = await make();
  try {
    await test(store);
  } finally {
    await store.dispose();
  }
}

export function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] ^= 0xff;
  return copy;
}

/** A backend whose writes start failing like a full disk once armed. */
export class FaultyBackend implements Backend {
  writes = 0;
  #failing = false;
  readonly #inner: Backend;
  readonly #mode: "rejects" | "throws";
  constructor(inner: Backend, mode: "rejects" | "throws") {
    this.#inner = inner;
    this.#mode = mode;
  }
  failNextWrites(): void {
    this.#failing = true;
  }
  get(key: string) {
    return this.#inner.get(key);
  }
  range(options?: Parameters<Backend["range"]>[0]) {
    return this.#inner.range(options);
  }
  write(ops: readonly WriteOp[]): WriteResult {
    this.writes++;
    if (!this.#failing) return this.#inner.write(ops);
    const error = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    if (this.#mode === "throws") throw error;
    const rejected = Promise.reject(error);
    rejected.catch(() => {});
    return { committed: rejected, durable: rejected };
  }
  close() {
    return this.#inner.close();
  }
}

/** A memory backend whose writes (after `holdWrites`) are acknowledged only when the test says so. */
export class ManualBackend extends MemoryBackend {
  /** Every held write, in the order the log issued them. */
  held: { ops: readonly WriteOp[]; commit(): void; makeDurable(): void }[] = [];
  #holding = false;
  #taken = 0;
  #waiter: (() => void) | undefined;
  holdWrites(): void {
    this.#holding = true;
  }
  /** The next held write not yet returned by this method, once the log has issued it. */
  async nextWrite(): Promise<ManualBackend["held"][number]> {
    while (this.held.length <= this.#taken) await new Promise<void>((resolve) => (this.#waiter = resolve));
    return this.held[this.#taken++];
  }
  /**
   * Commits the held writes one at a time, as the log issues them, until `done()` holds after one
   * (bounded: each write must come within 10 s); `each` sees every write before it commits.
   * Returns how many it committed.
   */
  async commitUntil(done: () => boolean, each?: (write: ManualBackend["held"][number]) => void): Promise<number> {
    let count = 0;
    while (!done()) {
      const write = await within(this.nextWrite(), 10_000, "the next write");
      each?.(write);
      write.commit();
      count++;
      await settle();
    }
    return count;
  }

  override write(ops: readonly WriteOp[]): WriteResult {
    const applied = super.write(ops);
    if (!this.#holding) return applied;
    const committed = Promise.withResolvers<void>();
    const durable = Promise.withResolvers<void>();
    // Copies, as a backend makes them (the caller may free or reuse its buffers once this returns).
    const copies = ops.map((op) => (op.type === "put" ? { ...op, value: op.value.slice() } : op));
    this.held.push({ ops: copies, commit: () => committed.resolve(), makeDurable: () => durable.resolve() });
    this.#waiter?.();
    return { committed: committed.promise, durable: committed.promise.then(() => durable.promise) };
  }
}
