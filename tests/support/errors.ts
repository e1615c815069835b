// Catching errors in tests without losing the failure when nothing is thrown.
// (Not a test file: no runner picks it up.)
import assert from "node:assert/strict";

/** The error `fn` throws synchronously; fails the test if it returns or throws a non-Error. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an error, but nothing was thrown");
}

/** The error `promise` rejects with; fails the test if it resolves or rejects with a non-Error. */
export async function rejection(promise: PromiseLike<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a rejection, but it resolved");
}
