/**
 * The object store's part in running tasks (Ray's passing rules): a ref given as a top-level
 * argument is resolved to its value before the task runs, a ref nested in a value stays a ref,
 * and the objects a queued task's arguments carry are kept until the task finishes.
 *
 * @module
 */
import { claimArgs, collectRefs, isObjectRef, type ObjectRef, type ObjectStore } from "../objects/mod.ts";
import type { AttemptObjects, RunValues } from "../task/mod.ts";

/** The scheduler's view of `store`. */
export function objectRunValues(store: ObjectStore): RunValues {
  return {
    hold: claimArgs,
    objects: objectAccess(store),
    prepare(decode, attempt) {
      const { value: args, refs } = collectRefs(decode);
      // The usual call passes no ref: nothing more to do.
      if (refs.length === 0) return args;
      for (const ref of refs) if (!args.includes(ref)) attempt.held.push(ref);
      try {
        return args.map((arg) => isObjectRef(arg) ? store.valueOf(arg) : arg);
      } finally {
        // Top-level refs are the attempt's decoded copies: the task sees only their values.
        for (const arg of args) if (isObjectRef(arg)) arg.release();
      }
    },
  };
}

/** `store` as task code reaches it (`this.put`, `this.get`, `this.getStream`). */
function objectAccess(store: ObjectStore): AttemptObjects {
  return {
    put: (value) => store.put(value),
    get(ref, held) {
      try {
        const { value, refs } = collectRefs(() => store.valueOf(ref as ObjectRef));
        held?.push(...refs);
        return Promise.resolve(value);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    getStream: (ref) => store.streamOf(ref as ObjectRef),
  };
}

/** The `TypeError` of an object-store call on an app that is not in local mode. */
export function objectsLocalOnly(app: string, mode: string): TypeError {
  return new TypeError(
    `App "${app}" is ${mode}: the object store runs in local mode only for now (put/get/getStream/objectStats)`,
  );
}
