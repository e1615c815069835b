// A memory backend that outlives its app: `close()` leaves the data readable, so a test can open
// the event log the app wrote and count its events after the app closed.
import { type Backend, EventLog, MemoryBackend, type RangeOptions, type WriteOp } from "../../src/store/mod.ts";

/** A `MemoryBackend` whose `close()` keeps it open for {@linkcode loggedEvents}. */
export class KeptBackend implements Backend {
  readonly inner = new MemoryBackend();
  get(key: string) {
    return this.inner.get(key);
  }
  range(options?: RangeOptions) {
    return this.inner.range(options);
  }
  write(ops: readonly WriteOp[]) {
    return this.inner.write(ops);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The events the app logged in `backend`, in order (call after the app closed). */
export async function loggedEvents(backend: KeptBackend): Promise<Array<{ type: string; [field: string]: unknown }>> {
  const log = await EventLog.open(backend, { durability: "batched", warn: () => {} });
  try {
    return [...log.read(0)].map(({ event }) => event as { type: string });
  } finally {
    await log.close();
  }
}
