/**
 * `ObjectRef`: the handle of an object in an app's object store. Each ref counts once with the
 * object's owner, from the `put` (or the decode) that made it until it is released; a ref that
 * crosses the codec arrives as a new ref with the same id, counted again. Refs are carried by the
 * codec as `{ id, owner }` under the superjson custom type `actant.ObjectRef`.
 *
 * @module
 */
import { type Encoded, type HeldRef, observeEncodes, registerType } from "../common/mod.ts";
import type { REF_VALUE } from "../common/mod.ts";
import { InvalidObjectRefError, ObjectReleasedError } from "./errors.ts";

/** What a ref needs of the store that owns its object: counting. */
export interface RefHolder {
  /** The store's id, as refs name their owner. */
  readonly id: string;
  /** Counts one more ref of `objectId`; false when the object is not held (nothing counted). */
  borrow(objectId: string): boolean;
  /** Counts one pin fewer of `kind` on `objectId`; the object is reclaimed at zero. */
  unpin(objectId: string, kind: PinKind): void;
  /** Counts one pin more of `kind` on each of `objectIds` (those not held are skipped). */
  pin(objectIds: readonly string[], kind: PinKind): void;
}

/**
 * What keeps an object: live refs handed out, the arguments of pending tasks, encoded values
 * that carry a ref (a task's result, a queued actor call) while they are reachable, open streams.
 */
export type PinKind = "refs" | "args" | "encoded" | "streams";

/** The stores of this process by id, so a decoded ref finds its owner (weakly: a dropped app goes). */
const holders = new Map<string, WeakRef<RefHolder>>();

/** Lets refs decoded from now on find `holder` by its id. */
export function addHolder(holder: RefHolder): void {
  holders.set(holder.id, new WeakRef(holder));
}

/** Refs that name `holder` find nothing from now on (its app closed). */
export function removeHolder(holder: RefHolder): void {
  if (holders.get(holder.id)?.deref() === holder) holders.delete(holder.id);
}

/** The backup for refs dropped without `release()`: the garbage collector's word. */
const droppedRefs = new FinalizationRegistry<{ holder: RefHolder; id: string }>(({ holder, id }) =>
  holder.unpin(id, "refs")
);

/** Only this module makes refs: a ref made by hand would count nothing. */
const MAKE = Symbol("ObjectRef.make");

/**
 * A typed handle of an object put in an app (`app.put(value)` gives `ObjectRef<typeof value>`).
 * Release it when done (`ref.release()`, or `using ref = await app.put(x)`); the object is
 * reclaimed once no ref, pending task argument or carried copy holds it.
 *
 * @example
 * ```ts
 * import { ActantApp } from "@actant/actant";
 *
 * const app = new ActantApp("objects", { durability: "memory" });
 * {
 *   using ref = await app.put({ rows: [1, 2, 3] });
 *   console.log(await app.get(ref)); // { rows: [1, 2, 3] }
 * } // released here
 * await app.close();
 * ```
 */
export class ObjectRef<T = unknown> implements HeldRef<T> {
  /** The object's id, unique within its owner. */
  readonly id: string;
  /** The id of the store (the app) that owns the object. */
  readonly owner: string;
  declare readonly [REF_VALUE]?: T;

  /** @internal Refs come from `app.put()` and the codec only. */
  constructor(make: typeof MAKE, id: string, owner: string, holder: RefHolder | undefined) {
    if (make !== MAKE) throw new TypeError("ObjectRef cannot be constructed: refs come from app.put()");
    this.id = id;
    this.owner = owner;
    if (holder === undefined) return;
    countedWith.set(this, holder);
    droppedRefs.register(this, { holder, id }, this);
  }

  /** Whether `release()` was called. */
  get released(): boolean {
    return releasedRefs.has(this);
  }

  /** Stops counting this ref (once; later calls do nothing). Other refs of the object are unaffected. */
  release(): void {
    if (releasedRefs.has(this)) return;
    releasedRefs.add(this);
    const holder = countedWith.get(this);
    if (holder === undefined) return;
    countedWith.delete(this);
    droppedRefs.unregister(this);
    holder.unpin(this.id, "refs");
  }

  /** `using ref = await app.put(x)` releases it at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }
}

// A ref's state lives outside it, not in `#private` fields: so the ref is plain in shape, and a
// task's `this.put()` (typed `HeldRef<T>` where `objects/` is out of reach) gives an `ObjectRef<T>`.
/** The owner each counted ref counts with (none once released, or when the owner did not hold the object). */
const countedWith = new WeakMap<ObjectRef<unknown>, RefHolder>();
const releasedRefs = new WeakSet<ObjectRef<unknown>>();

/** Throws `ObjectReleasedError` if `ref` was released. */
export function assertLive(ref: ObjectRef<unknown>): void {
  if (releasedRefs.has(ref)) throw new ObjectReleasedError(ref.id);
}

/** A new ref of an object `holder` has just stored (its first count is the caller's). */
export function newRef<T>(holder: RefHolder, id: string): ObjectRef<T> {
  return new ObjectRef<T>(MAKE, id, holder.id, holder);
}

/** Whether `value` is an object ref (of this copy of the library). */
export function isObjectRef(value: unknown): value is ObjectRef {
  return value instanceof ObjectRef;
}

/** The refs decoded in the `collectRefs` call in progress (decoding is synchronous). */
let collected: ObjectRef[] | undefined;

/** Runs `decode` and says which refs it made (each one counted: its holder must release it). */
export function collectRefs<T>(decode: () => T): { value: T; refs: ObjectRef[] } {
  const outer = collected;
  const refs: ObjectRef[] = [];
  collected = refs;
  try {
    return { value: decode(), refs };
  } finally {
    collected = outer;
    outer?.push(...refs);
  }
}

/** A decoded ref: counted with its owner if the owner is here and holds the object. */
function decodeRef(json: unknown): ObjectRef {
  if (typeof json !== "object" || json === null) throw new InvalidObjectRefError(`got ${typeof json}`);
  const { id, owner } = json as { id?: unknown; owner?: unknown };
  if (typeof id !== "string" || id === "" || typeof owner !== "string" || owner === "") {
    throw new InvalidObjectRefError(`id and owner must be non-empty strings, got ${JSON.stringify(json)}`);
  }
  const holder = holders.get(owner)?.deref();
  const ref = new ObjectRef(MAKE, id, owner, holder?.borrow(id) ? holder : undefined);
  collected?.push(ref);
  return ref;
}

registerType<ObjectRef, { id: string; owner: string }>({
  cls: ObjectRef,
  name: "actant.ObjectRef",
  serialize(ref) {
    // A released ref stands for nothing: passing it on is a bug at the sender, caught here.
    assertLive(ref);
    return { id: ref.id, owner: ref.owner };
  },
  deserialize: decodeRef,
  release: (ref) => ref.release(),
});

/** Who pinned which ids for one encoded value. */
interface CarriedPins {
  readonly holder: RefHolder;
  readonly ids: string[];
}

/** The refs one encoded value carries, and whether the collector still holds their `encoded` pins. */
interface Carried {
  readonly pins: CarriedPins[];
  collected: boolean;
}

/** What each encoded value that carries refs pinned. */
const carriedBy = new WeakMap<Encoded, Carried>();
const droppedEncoded = new FinalizationRegistry<CarriedPins[]>((pins) => {
  for (const { holder, ids } of pins) for (const id of ids) holder.unpin(id, "encoded");
});

// An encoded copy of a ref can be decoded later (a stored result, a queued actor call): while the
// copy is reachable, its objects stay. The collector says when it is not; tasks' arguments are
// released sooner, when the task finishes (`claimArgs`).
observeEncodes((encoded, values) => {
  const pins: CarriedPins[] = [];
  for (const value of values) {
    const ref = value as ObjectRef;
    const holder = holders.get(ref.owner)?.deref();
    if (holder === undefined) continue;
    let entry = pins.find((pin) => pin.holder === holder);
    if (entry === undefined) pins.push(entry = { holder, ids: [] });
    entry.ids.push(ref.id);
  }
  if (pins.length === 0) return;
  for (const { holder, ids } of pins) holder.pin(ids, "encoded");
  carriedBy.set(encoded, { pins, collected: true });
  droppedEncoded.register(encoded, pins, encoded);
});

/**
 * Lets go at once of what `encoded` carries, as the collector would once it is unreachable: for
 * a stored value whose object was just reclaimed (nothing can decode it again).
 */
export function dropCarried(encoded: Encoded): void {
  const carried = carriedBy.get(encoded);
  if (carried === undefined || !carried.collected) return;
  carried.collected = false;
  droppedEncoded.unregister(encoded);
  for (const { holder, ids } of carried.pins) for (const id of ids) holder.unpin(id, "encoded");
}

/**
 * Pins the objects that the encoded arguments `args` carry as a task's arguments, until the
 * returned function is called (when the task finishes); nothing to release gives `undefined`.
 * The first claim takes over the pins of the encoded copy, so they no longer wait for the
 * collector; a later claim of the same copy (another run of it) pins again.
 */
export function claimArgs(args: Encoded): (() => void) | undefined {
  // Only a superjson encoding can carry a ref: the usual list of primitives costs one comparison.
  if (args.t !== "s") return undefined;
  const carried = carriedBy.get(args);
  if (carried === undefined) return undefined;
  const { pins } = carried;
  // Pinned as arguments before the copy's pins go, so no count passes through zero between.
  for (const { holder, ids } of pins) holder.pin(ids, "args");
  if (carried.collected) {
    carried.collected = false;
    droppedEncoded.unregister(args);
    for (const { holder, ids } of pins) for (const id of ids) holder.unpin(id, "encoded");
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const { holder, ids } of pins) for (const id of ids) holder.unpin(id, "args");
  };
}
