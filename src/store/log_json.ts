/**
 * The text the event log stores for an event or a checkpoint's state, or the `TypeError` an
 * append or a checkpoint of a value JSON cannot carry rejects with (the log itself goes on).
 *
 * @module
 */
import { describe } from "../common/errors.ts";

/** The JSON of `event`, or why it cannot be appended. */
export function eventJSON(event: { readonly type?: unknown } | undefined): string | TypeError {
  try {
    if (typeof event?.type !== "string") throw new TypeError("it has no string `type`");
    return JSON.stringify(event);
  } catch (cause) {
    return new TypeError(`Cannot append event: ${describe(cause)}; events must be JSON-safe objects with a type`, {
      cause,
    });
  }
}

/** The JSON of a checkpoint's `state`, or why it cannot be stored. */
export function stateJSON(state: unknown): string | TypeError {
  let json: string | undefined;
  try {
    json = JSON.stringify(state);
  } catch (cause) {
    return new TypeError(`Cannot checkpoint: ${describe(cause)}; the state must be JSON-safe`, { cause });
  }
  return json ?? new TypeError("Cannot checkpoint: the state must be JSON-safe");
}
