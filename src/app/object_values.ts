/**
 * The object store's part in running tasks (Ray's passing rules): a ref given as a top-level
 * argument is resolved to its value before the task runs, a ref nested in a value stays a ref,
 * and the objects a queued task's arguments carry are kept until the task finishes.
 *
 * @module
 */
import type { ObjectAccess } from "../common/mod.ts";
import { claimArgs, isObjectRef, type ObjectRef, type ObjectStore } from "../objects/mod.ts";
import type { RunValues } from "../task/mod.ts";

/** The scheduler's view of `store`. */
export function objectRunValues(store: ObjectStore): RunValues {
  return {
    hold: claimArgs,
    objects: objectAccess(store),
    prepare(args) {
      // Cheap for the usual call, which passes no ref: one check per argument.
      if (!args.some(isObjectRef)) return args;
      try {
        return args.map((arg) => isObjectRef(arg) ? store.valueOf(arg) : arg);
      } finally {
        // These refs are the attempt's decoded copies: the task sees only the values.
        for (const arg of args) if (isObjectRef(arg)) arg.release();
      }
    },
  };
}

/** `store` as task code reaches it (`this.put`, `this.get`, `this.getStream`). */
export function objectAccess(store: ObjectStore): ObjectAccess {
  return {
    put: (value: unknown) => store.put(value),
    get<T>(ref: unknown): Promise<T> {
      try {
        return Promise.resolve(store.valueOf(ref as ObjectRef<T>));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    getStream: (ref: unknown) => store.streamOf(ref as ObjectRef),
  } as ObjectAccess;
}

/** The `TypeError` of an object-store call on an app that is not in local mode. */
export function objectsLocalOnly(app: string, mode: string): TypeError {
  return new TypeError(
    `App "${app}" is ${mode}: the object store runs in local mode only for now (put/get/getStream/objectStats)`,
  );
}
