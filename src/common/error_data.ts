/**
 * An error as plain data: the one shape errors take in the event log (a failed task, a failed
 * workflow, a failed actor call) and on the wire (an attempt's or a request's answer). Built
 * with {@linkcode errorData}, rebuilt with {@linkcode rebuildError}, which gives back Actant's
 * own class when the name is one of them, so `instanceof` works on an error that came from the
 * log or from another peer as it does on one thrown here.
 *
 * @module
 */
import * as errors from "./errors.ts";
import { ActantError } from "./errors.ts";

/** An error as data: JSON-safe, so it goes into the log and through the codec as it is. */
export interface ErrorData {
  name: string;
  /** The error's `code`, when it has a string one (every `ActantError` has). */
  code?: string;
  message: string;
  /**
   * The error's own plain fields, e.g. a `TaskError`'s `task`, `taskId` and `attempts`, or an
   * `UnknownTaskError`'s `known` (a list of names).
   */
  fields?: Record<string, ErrorField>;
  /** What caused it, a few levels deep. */
  cause?: ErrorData;
}

/** A field of an error kept as data: a primitive, or a list of strings. */
export type ErrorField = string | number | boolean | readonly string[];

/** How many causes deep an error is kept: enough for `TaskError` → the task's error → its cause. */
const MAX_CAUSE_DEPTH = 3;

/** The properties every error has: kept apart from `fields`, never taken from them. */
const OWN = new Set(["name", "code", "message", "stack", "cause"]);

/** `value` if it can be kept as an error's field (a list is copied), else `undefined`. */
function errorField(value: unknown): ErrorField | undefined {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return [...value];
  return undefined;
}

/**
 * `error` as data: its name, code, message, plain fields (`task`, `attempts`, `known`, …) and
 * cause chain. Anything thrown that is not an `Error` becomes `{ name: "Error", message }`.
 */
export function errorData(error: unknown, depth = 0): ErrorData {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const code = (error as { code?: unknown }).code;
  const data: ErrorData = typeof code === "string"
    ? { name: error.name, code, message: error.message }
    : { name: error.name, message: error.message };
  let fields: Record<string, ErrorField> | undefined;
  for (const [key, value] of Object.entries(error)) {
    const field = OWN.has(key) ? undefined : errorField(value);
    if (field !== undefined) (fields ??= {})[key] = field;
  }
  if (fields !== undefined) data.fields = fields;
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) data.cause = errorData(error.cause, depth + 1);
  return data;
}

/** An Actant error class, as the rebuild table holds it (its constructor is never called). */
type ErrorClass = abstract new (...args: never[]) => ActantError;

/** Actant's error classes by the name their instances carry. */
const classes = new Map<string, ErrorClass>();

/**
 * Makes `rebuildError` give back instances of these classes, keyed by the `name` their instances
 * carry (`{ PeerUnreachableError }`: the key is the name). Each layer that defines error classes
 * registers them where it defines them; those of `common/` are registered here.
 */
export function registerErrorClasses(table: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(table)) {
    if (typeof value === "function" && value.prototype instanceof ActantError) classes.set(name, value as ErrorClass);
  }
}

// An export's name is its class's `name` (tests/error_names.test.ts checks it), and survives minification.
registerErrorClasses(errors);

/**
 * The error `data` describes, with its `name`, `code`, message, fields and cause. When the name
 * is one of Actant's error classes the error is an instance of that class (so `instanceof
 * TaskError`, `instanceof NonRetryableError` hold); otherwise an `ActantError` with that name.
 * Its `code` is the data's, or `"REMOTE_ERROR"` when it has none (a plain error, or a log record
 * written before codes were kept). Data from another peer is not trusted: only what
 * `errorData` writes is taken (strings, primitive fields, lists of strings, a bounded cause chain).
 */
export function rebuildError(data: ErrorData, depth = 0): ActantError {
  if (typeof data !== "object" || data === null) return new ActantError("REMOTE_ERROR", String(data));
  const cause = typeof data.cause !== "object" || data.cause === null || depth >= MAX_CAUSE_DEPTH
    ? undefined
    : rebuildError(data.cause, depth + 1);
  const name = typeof data.name === "string" ? data.name : "Error";
  const code = typeof data.code === "string" ? data.code : "REMOTE_ERROR";
  const message = typeof data.message === "string" ? data.message : String(data.message);
  const args = [code, message, cause === undefined ? undefined : { cause }];
  // The class's own constructor computes its message from its parameters: it is not called. The
  // instance is made by ActantError's, with the class's prototype, and given the data's fields.
  const error: ActantError = Reflect.construct(ActantError, args, classes.get(name) ?? ActantError);
  error.name = name;
  if (typeof data.fields === "object" && data.fields !== null) {
    for (const [key, value] of Object.entries(data.fields)) {
      const field = errorField(value);
      if (field !== undefined && !OWN.has(key) && !(key in error)) {
        Object.defineProperty(error, key, { value: field, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return error;
}
