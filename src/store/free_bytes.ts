/**
 * Frees large buffers as soon as they are done with, rather than at the next garbage collection.
 *
 * A burst (a million tasks submitted at once) turns into hundreds of megabyte-sized records, each
 * copied once on its way to the disk. Left to the collector, the dead ones pile up between
 * collections, and the allocator keeps the memory they took after they are gone: the process's
 * resident size grows by the pile's high-water mark. Detaching a buffer (transferring it to a
 * zero-length one) hands its memory back at once on V8 (Node, Deno); where the runtime does not,
 * it is collected as before.
 *
 * @module
 */

/** Buffers smaller than this are left to the collector: the point is the megabyte-sized ones. */
const FREE_AT_BYTES = 64 << 10;

/**
 * Frees the memory behind `bytes` (the whole buffer it views) now. Only for a buffer nothing else
 * views or reads any more: every view of it becomes empty.
 */
export function freeBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (buffer.byteLength < FREE_AT_BYTES || !(buffer instanceof ArrayBuffer)) return;
  buffer.transfer?.(0);
}
