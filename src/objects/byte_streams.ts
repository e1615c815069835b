/**
 * Bytes in and out of the object store as Web Streams: a stream read whole into one buffer (this
 * slice stores objects whole), and stored bytes handed out as a stream of views, never copies.
 *
 * @module
 */
import { ObjectStreamError } from "./errors.ts";

/** The size of the views `streamBytes` hands out: big enough to be cheap, small enough to pace a consumer. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Reads `stream` to its end into one fresh buffer. A chunk that is not a `Uint8Array` cancels the
 * stream and rejects with a `TypeError`; a stream that errors rejects with `ObjectStreamError`
 * (its `cause` the stream's error). Either way nothing is kept.
 */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new ObjectStreamError(size, error);
      }
      if (next.done) break;
      const chunk: unknown = next.value;
      if (!(chunk instanceof Uint8Array)) {
        const error = new TypeError(`put() reads streams of Uint8Array chunks, got ${describeChunk(chunk)}`);
        await reader.cancel(error).catch(() => {});
        throw error;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  // One chunk is copied too: the stream's source may reuse or change its buffer after handing it over.
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function describeChunk(chunk: unknown): string {
  if (chunk === null) return "null";
  if (typeof chunk !== "object") return typeof chunk;
  return `an instance of ${Object.getPrototypeOf(chunk)?.constructor?.name ?? "an unknown class"}`;
}

/** What a stream of stored bytes tells its store: when it is done with them. */
export interface StreamSource {
  /** The bytes, or the error the stream ends with (read when the consumer first pulls). */
  open(): Uint8Array;
  /** The stream ended, was cancelled or failed: the bytes are no longer needed. */
  close(): void;
}

/** A stream of views of `source`'s bytes, `CHUNK_BYTES` at a time, pulled by its consumer. */
export function streamBytes(source: StreamSource): ReadableStream<Uint8Array> {
  let bytes: Uint8Array | undefined;
  let offset = 0;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    source.close();
  };
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      try {
        bytes ??= source.open();
      } catch (error) {
        close();
        return controller.error(error);
      }
      if (offset >= bytes.byteLength) {
        close();
        return controller.close();
      }
      const end = Math.min(offset + CHUNK_BYTES, bytes.byteLength);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
    },
    cancel: close,
  }, { highWaterMark: 0 });
}
