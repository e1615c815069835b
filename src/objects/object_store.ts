/**
 * The object store of one app in local mode: objects held in memory by the app that put them,
 * each counted by what keeps it (see {@linkcode PinKind}) and reclaimed when nothing does.
 * Bytes are stored as bytes and read back zero-copy; structured values are stored encoded and
 * decoded fresh on each read, with the codec's copy semantics.
 *
 * @module
 */
import { decode, encode, type Encoded, IdGenerator } from "../common/mod.ts";
import { readAll, streamBytes } from "./byte_streams.ts";
import { ObjectNotFoundError } from "./errors.ts";
import {
  addHolder,
  assertLive,
  dropCarried,
  isObjectRef,
  newRef,
  type ObjectRef,
  type PinKind,
  type RefHolder,
  removeHolder,
} from "./object_ref.ts";

/** What `put` accepts as bytes, stored and read back as bytes. */
export type ByteSource = Uint8Array | ReadableStream<Uint8Array>;

/** Counts of an object store, to watch reclamation (`app.objectStats()`). */
export interface ObjectStats {
  /** Objects held. */
  count: number;
  /** Bytes held: the stored bytes, and a structured value's encoded (JSON) size. */
  bytes: number;
  /** How many holds of each kind keep the objects, summed over them. */
  pinned: { by: Record<PinKind, number> };
}

/** One stored object and what keeps it. */
interface Entry {
  /** The bytes of a bytes object, or the encoded value of a structured one. */
  readonly data: Uint8Array | Encoded;
  readonly size: number;
  readonly pins: Record<PinKind, number>;
  total: number;
}

function noPins(): Record<PinKind, number> {
  return { refs: 0, args: 0, encoded: 0, streams: 0 };
}

/** Streams never read to their end nor cancelled: the collector releases their objects. */
const droppedStreams = new FinalizationRegistry<() => void>((close) => close());

/** Holds one app's objects in memory. */
export class ObjectStore implements RefHolder {
  /** The owner id its refs carry: unique per store, so refs of two apps in one process never mix. */
  readonly id: string;
  readonly #ids = new IdGenerator();
  readonly #objects = new Map<string, Entry>();
  #bytes = 0;
  #closed = false;

  constructor() {
    this.id = new IdGenerator().next("store");
    addHolder(this);
  }

  /**
   * Stores `value` and returns the first ref of it. A `Uint8Array` is copied in (later changes
   * by the caller do not reach the object) and a stream is read to its end; anything else is
   * encoded (a `SerializationError` names what cannot be carried).
   */
  async put(value: unknown): Promise<ObjectRef> {
    this.#assertOpen();
    let data: Uint8Array | Encoded;
    let size: number;
    if (value instanceof ReadableStream) {
      data = await readAll(value);
      this.#assertOpen();
      size = data.byteLength;
    } else if (value instanceof Uint8Array) {
      data = new Uint8Array(value);
      size = data.byteLength;
    } else {
      const encoded = encode(value, "value");
      data = encoded;
      size = encodedSize(encoded);
    }
    const id = this.#ids.next("obj");
    const pins = noPins();
    pins.refs = 1;
    this.#objects.set(id, { data, size, pins, total: 1 });
    this.#bytes += size;
    return newRef(this, id);
  }

  /**
   * The value `ref` stands for: a view of the stored bytes for a bytes object (zero-copy: do not
   * mutate it), a fresh decoded copy for a structured one.
   */
  valueOf<T>(ref: ObjectRef<T>): T {
    const data = this.#entryOf(ref, "get").data;
    if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as T;
    return decode<T>(data);
  }

  /**
   * The bytes of `ref` as a stream of views, `CHUNK_BYTES` at a time. An unknown or released ref,
   * or a structured value, errors the stream on its first read. The object is kept while the
   * stream is open: read it to its end or cancel it.
   */
  streamOf(ref: ObjectRef<unknown>): ReadableStream<Uint8Array> {
    checkRef(ref, "getStream");
    let bytes: Uint8Array | undefined;
    let failure: unknown;
    try {
      const data = this.#entryOf(ref, "getStream").data;
      if (!(data instanceof Uint8Array)) {
        throw new TypeError(`getStream(): object ${ref.id} holds a structured value, not bytes; use get()`);
      }
      bytes = data;
      this.pin([ref.id], "streams");
    } catch (error) {
      failure = error;
    }
    const close = () => {
      if (bytes === undefined) return;
      bytes = undefined;
      this.unpin(ref.id, "streams");
    };
    const stream = streamBytes({
      open: () => {
        if (bytes === undefined) throw failure;
        return bytes;
      },
      close,
    });
    if (bytes !== undefined) droppedStreams.register(stream, close);
    return stream;
  }

  #entryOf(ref: ObjectRef<unknown>, method: string): Entry {
    checkRef(ref, method);
    assertLive(ref);
    if (ref.owner !== this.id) {
      throw new ObjectNotFoundError(ref.id, "it is owned by another app (objects do not move between apps yet)");
    }
    const entry = this.#objects.get(ref.id);
    if (entry === undefined) throw new ObjectNotFoundError(ref.id);
    return entry;
  }

  borrow(objectId: string): boolean {
    const entry = this.#objects.get(objectId);
    if (entry === undefined) return false;
    entry.pins.refs++;
    entry.total++;
    return true;
  }

  pin(objectIds: readonly string[], kind: PinKind): void {
    for (const id of objectIds) {
      const entry = this.#objects.get(id);
      if (entry === undefined) continue;
      entry.pins[kind]++;
      entry.total++;
    }
  }

  unpin(objectId: string, kind: PinKind): void {
    const entry = this.#objects.get(objectId);
    // Gone already: reclaimed, or the store closed (every hold ends with it).
    if (entry === undefined || entry.pins[kind] === 0) return;
    entry.pins[kind]--;
    if (--entry.total > 0) return;
    this.#objects.delete(objectId);
    this.#bytes -= entry.size;
    // A structured value may carry refs: they go with it now, not when the collector runs.
    if (!(entry.data instanceof Uint8Array)) dropCarried(entry.data);
  }

  /** Counts of the objects held now. */
  stats(): ObjectStats {
    const by = noPins();
    for (const entry of this.#objects.values()) {
      for (const kind of Object.keys(by) as PinKind[]) by[kind] += entry.pins[kind];
    }
    return { count: this.#objects.size, bytes: this.#bytes, pinned: { by } };
  }

  /** Drops every object; refs of this store find nothing from now on. */
  close(): void {
    this.#closed = true;
    this.#objects.clear();
    this.#bytes = 0;
    removeHolder(this);
  }

  #assertOpen(): void {
    if (this.#closed) throw new TypeError("put(): the app is closed");
  }
}

/** Throws a `TypeError` unless `ref` is an object ref (what `get` and `getStream` take). */
export function checkRef(ref: unknown, method: string): asserts ref is ObjectRef<unknown> {
  if (!isObjectRef(ref)) {
    const got = ref === null ? "null" : typeof ref === "object" ? "a plain object" : typeof ref;
    throw new TypeError(`${method}() expects an ObjectRef (from put()), got ${got}`);
  }
}

/** The JSON size of an encoded value, which is what it would take on the wire or on disk. */
function encodedSize(encoded: Encoded): number {
  return JSON.stringify(encoded.v ?? null).length;
}
