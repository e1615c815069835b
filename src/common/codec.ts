/**
 * The serialization boundary. Every argument and result is encoded when it is handed over and
 * decoded into a fresh copy where it is used, so no caller can mutate a running task's input, an
 * actor's state or a stored result. Structured values go through superjson; primitives are
 * immutable and pass as they are.
 *
 * @module
 */
import SuperJSON from "superjson";
import { SerializationError } from "./errors.ts";
import { copyJson, NOT_PLAIN, plainJsonCopy } from "./plain_json.ts";

/** Actant's own superjson instance, so its class registry is not shared with other libraries. */
const superjson: SuperJSON = new SuperJSON();

type SuperJSONResult = ReturnType<typeof superjson.serialize>;

/** An encoded value: plain data that can be stored or sent, decodable any number of times. */
export type Encoded =
  | { readonly t: "p"; readonly v: JsonPrimitive | undefined }
  | { readonly t: "a"; readonly v: readonly JsonPrimitive[] }
  | { readonly t: "j"; readonly v: JsonValue }
  | { readonly t: "s"; readonly v: SuperJSONResult };

type Primitive = string | number | boolean | null | undefined | bigint;
/** A value JSON carries exactly on its own. */
export type JsonPrimitive = string | number | boolean | null;
/** Plain JSON data: primitives JSON carries exactly, in plain objects and dense arrays. */
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue };

function isPrimitive(value: unknown): value is Primitive {
  const type = typeof value;
  return value === null || (type !== "object" && type !== "function" && type !== "symbol");
}

/** A primitive that JSON carries exactly, so the fast paths stay plain JSON data (no bigint, NaN, -0). */
export function isJsonPrimitive(value: unknown): value is JsonPrimitive {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    default:
      return value === null;
  }
}

function isFlatPrimitiveArray(value: unknown): value is JsonPrimitive[] {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return false;
  for (let i = 0; i < value.length; i++) {
    if (!(i in value) || !isJsonPrimitive(value[i])) return false;
  }
  return true;
}

/**
 * Encodes `value`, or throws a {@linkcode SerializationError} naming the path of the first value
 * that cannot be carried (a function, a symbol, an instance of an unregistered class, a socket).
 *
 * @param path how to name the value in errors, e.g. `args` or `result`
 */
export function encode(value: unknown, path = "value"): Encoded {
  if (value === undefined || isJsonPrimitive(value)) return { t: "p", v: value };
  if (isFlatPrimitiveArray(value)) return { t: "a", v: value.slice() };
  const plain = plainJsonCopy(value);
  if (plain !== NOT_PLAIN) return { t: "j", v: plain };
  assertSerializable(value, path);
  carried = undefined;
  let encoded: Encoded;
  try {
    encoded = { t: "s", v: superjson.serialize(value) };
  } catch (cause) {
    carried = undefined;
    throw new SerializationError(path, "the codec rejected it", { cause });
  }
  const values = carried;
  carried = undefined;
  if (values !== undefined) encodeObserver?.(encoded, values);
  return encoded;
}

/** Decodes a fresh copy of an encoded value. */
export function decode<T = unknown>(encoded: Encoded): T {
  switch (encoded.t) {
    case "p":
      return encoded.v as T;
    case "a":
      return encoded.v.slice() as T;
    case "j":
      return copyJson(encoded.v) as T;
    default:
      return superjson.deserialize(encoded.v) as T;
  }
}

/** Encodes and decodes at once: a deep copy with exactly the codec's semantics. */
export function copy<T>(value: T, path = "value"): T {
  return decode<T>(encode(value, path));
}

/**
 * Lets instances of `cls` cross the boundary (superjson's class registry): they keep their
 * prototype and own fields, not their private `#fields` or closures.
 */
export function registerClass(cls: new (...args: never[]) => unknown, identifier?: string): void {
  superjson.registerClass(cls as never, identifier);
}

const builtinPrototypes: ReadonlySet<object | null> = new Set<object | null>([
  Object.prototype,
  null,
  Array.prototype,
  Date.prototype,
  RegExp.prototype,
  Map.prototype,
  Set.prototype,
  URL.prototype,
  // The typed arrays superjson can rebuild, by exact prototype: it cannot rebuild BigInt64Array,
  // BigUint64Array, Float16Array or subclasses such as Node's Buffer, so those must fail at encode.
  Int8Array.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int16Array.prototype,
  Uint16Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
]);

/** Prototypes of the types registered with {@linkcode registerType}: carried whole, never walked into. */
const customPrototypes = new Set<object>();

/** What {@linkcode registerType} needs to carry instances of one class. */
export interface CustomType<T extends object, J> {
  /** The class; only its exact instances are carried. */
  readonly cls: abstract new (...args: never[]) => T;
  /** A stable name, written with each value, so a decoder finds the type. */
  readonly name: string;
  /** The value as plain JSON data. */
  serialize(value: T): J;
  /** A value rebuilt from what `serialize` wrote (untrusted: it may come from anywhere). */
  deserialize(json: J): T;
  /** Lets go of a value `deserialize` made that no one will see (see {@linkcode decodeFor}). */
  release?(value: T): void;
}

/** What to let go of once the `decodeFor` in progress is done with its value. */
let transient: Array<() => void> | undefined;

/**
 * Decodes `encoded` for a moment: `use` sees the value, then values of registered types the
 * decode made (object refs, which count) are let go. For the engine's own passes over a value
 * (a workflow prepending a result, collecting a group's): whatever `use` encodes holds its own.
 */
export function decodeFor<T, R>(encoded: Encoded, use: (value: T) => R): R {
  if (encoded.t !== "s") return use(decode<T>(encoded));
  return decodingFor(() => decode<T>(encoded), use);
}

/** Runs `decodeAll`, gives what it made to `use`, then lets go of the registered values it decoded. */
function decodingFor<V, R>(decodeAll: () => V, use: (value: V) => R): R {
  const outer = transient;
  const made: Array<() => void> = [];
  transient = made;
  let value: V;
  try {
    value = decodeAll();
  } finally {
    transient = outer;
  }
  try {
    return use(value);
  } finally {
    for (const release of made) release();
  }
}

/**
 * Lets instances of a class cross the boundary in a form of its own (a superjson custom
 * transformer): the objects layer carries its refs so, and counts each one decoded.
 */
export function registerType<T extends object, J>(type: CustomType<T, J>): void {
  const proto = type.cls.prototype as object;
  customPrototypes.add(proto);
  superjson.registerCustom<T, never>({
    isApplicable: (value): value is T =>
      typeof value === "object" && value !== null && Object.getPrototypeOf(value) === proto,
    serialize: (value) => {
      (carried ??= []).push(value);
      return type.serialize(value) as never;
    },
    deserialize: (json) => {
      const value = type.deserialize(json as J);
      const release = type.release;
      if (transient !== undefined && release !== undefined) transient.push(() => release(value));
      return value;
    },
  }, type.name);
}

/** Called after each encode that carried values of a registered type, with what it carried. */
export type EncodeObserver = (encoded: Encoded, values: readonly object[]) => void;

let encodeObserver: EncodeObserver | undefined;
/** The registered values met by the encode in progress (superjson serializes synchronously). */
let carried: object[] | undefined;

/** Sets the one observer of encodes that carry registered values (the objects layer's pins). */
export function observeEncodes(observer: EncodeObserver): void {
  encodeObserver = observer;
}

function isSupportedObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  if (builtinPrototypes.has(proto) || customPrototypes.has(proto)) return true;
  if (value instanceof Error) return true;
  return superjson.classRegistry.getIdentifier(proto.constructor) !== undefined;
}

function kindOf(value: unknown): string {
  if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
  if (typeof value === "symbol") return `a symbol (${value.description ?? ""})`;
  const ctor = Object.getPrototypeOf(value)?.constructor;
  return `an instance of ${ctor?.name || "an unknown class"}`;
}

/** Walks the value like superjson will, so the error can say exactly where the bad value is. */
function assertSerializable(root: unknown, rootPath: string): void {
  const seen = new Set<object>();
  const stack: Array<[unknown, string]> = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (isPrimitive(value)) continue;
    if (typeof value !== "object") {
      throw new SerializationError(path, `${kindOf(value)} cannot be serialized; pass plain data instead`);
    }
    if (seen.has(value)) continue;
    seen.add(value);
    if (customPrototypes.has(Object.getPrototypeOf(value))) continue;
    if (!isSupportedObject(value)) {
      throw new SerializationError(
        path,
        `${kindOf(value)} cannot be serialized; pass plain data, or register the class with registerClass()`,
      );
    }
    if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value) {
        stack.push([k, `${path}.<key ${i}>`], [v, `${path}.get(${i})`]);
        i++;
      }
    } else if (value instanceof Set) {
      let i = 0;
      for (const v of value) stack.push([v, `${path}.<item ${i++}>`]);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value instanceof Error) {
      // superjson carries an error's name, message and (non-enumerable) cause, nothing else: check
      // the cause, and ignore other own keys (Deno's DOMException has enumerable symbol keys).
      if ("cause" in value) stack.push([value.cause, `${path}.cause`]);
    } else if (
      !ArrayBuffer.isView(value) && !(value instanceof Date) && !(value instanceof RegExp) && !(value instanceof URL)
    ) {
      // Leaves for superjson; Deno's URL even has an enumerable own symbol key (its webidl brand).
      for (const key of Object.keys(value)) {
        stack.push([(value as Record<string, unknown>)[key], `${path}.${key}`]);
      }
      for (const sym of Object.getOwnPropertySymbols(value)) {
        if (Object.prototype.propertyIsEnumerable.call(value, sym)) {
          throw new SerializationError(`${path}[${String(sym)}]`, "symbol keys cannot be serialized");
        }
      }
    }
  }
}

/** The encoded array `[first, ...rest]`, without decoding when both sides are primitive. */
export function prepend(first: Encoded, rest: Encoded): Encoded {
  if (first.t === "p" && first.v !== undefined && rest.t === "a") return { t: "a", v: [first.v, ...rest.v] };
  return decodingFor(() => [decode(first), ...decode<unknown[]>(rest)], (args) => encode(args, "arguments"));
}

/** The encoded array of several encoded values. */
export function encodeList(items: readonly Encoded[]): Encoded {
  if (items.every((item) => item.t === "p" && item.v !== undefined)) {
    return { t: "a", v: items.map((item) => item.v as JsonPrimitive) };
  }
  return decodingFor(() => items.map(decode), (values) => encode(values, "results"));
}
