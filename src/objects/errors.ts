/**
 * The errors of the object store, in the house style (see `common/errors.ts`): a literal `name`,
 * a stable `code` and the fields a caller switches on.
 *
 * @module
 */
import { ActantError, type ActantErrorOptions, registerErrorClasses } from "../common/mod.ts";

/** A ref to an object this app does not hold: never put here, already reclaimed, or owned elsewhere. */
export class ObjectNotFoundError extends ActantError {
  override name = "ObjectNotFoundError";
  /** The object's id. */
  readonly objectId: string;
  constructor(objectId: string, reason = "no object with this id is held here (it was reclaimed, or never put)") {
    super("OBJECT_NOT_FOUND", `Cannot get object ${objectId}: ${reason}`);
    this.objectId = objectId;
  }
}

/** A ref that its holder released (`release()`, or the end of its `using` scope) and then used. */
export class ObjectReleasedError extends ActantError {
  override name = "ObjectReleasedError";
  /** The object's id. */
  readonly objectId: string;
  constructor(objectId: string) {
    super(
      "OBJECT_RELEASED",
      `Cannot use ref ${objectId}: it was released; keep the ref (or a copy) until done with it`,
    );
    this.objectId = objectId;
  }
}

/** Something decoded as an object ref that does not have a ref's shape (`{ id, owner }`, two strings). */
export class InvalidObjectRefError extends ActantError {
  override name = "InvalidObjectRefError";
  constructor(detail: string) {
    super("BAD_OBJECT_REF", `Invalid object ref: ${detail}; refs come from put(), never made by hand`);
  }
}

/**
 * The owner of an object is gone (its peer left, or a restart lost an in-memory object).
 * Reserved: local mode raises `ObjectNotFoundError`; the cluster slice raises this one.
 */
export class ObjectLostError extends ActantError {
  override name = "ObjectLostError";
  /** The object's id. */
  readonly objectId: string;
  /** The peer that owned it, as the ref names it. */
  readonly owner: string;
  constructor(objectId: string, owner: string, options?: ActantErrorOptions) {
    super("OBJECT_LOST", `Object ${objectId} is lost: its owner ${owner} is gone`, options);
    this.objectId = objectId;
    this.owner = owner;
  }
}

/** A stream given to `put` failed before its end: nothing was stored; `cause` is the stream's error. */
export class ObjectStreamError extends ActantError {
  override name = "ObjectStreamError";
  /** Bytes read before the stream failed (all dropped). */
  readonly bytesRead: number;
  constructor(bytesRead: number, cause: unknown) {
    super("OBJECT_STREAM_FAILED", `Cannot put a stream that failed after ${bytesRead} bytes: nothing was stored`, {
      cause,
    });
    this.bytesRead = bytesRead;
  }
}

// So an object error recorded as a task's failure (in the log, or from a peer) comes back as its class.
registerErrorClasses({
  InvalidObjectRefError,
  ObjectLostError,
  ObjectNotFoundError,
  ObjectReleasedError,
  ObjectStreamError,
});
