// Catching errors in tests without losing the failure when nothing is thrown.
import assert from "node:assert/strict";

/** The error `fn` throws; fails the test if it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error, but nothing was thrown");
}
