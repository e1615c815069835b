/**
 * How a channel ends a stream on an error: an error frame, a graceful close, a bounded wait for the
 * peer to close its side, then a reset.
 *
 * @module
 */
import type { Stream } from "@libp2p/interface";
import { encodeFrame, lengthPrefixed } from "./frames.ts";

/** How long a peer that was sent an error frame has to close its side before the stream is reset. */
export const REPLY_GRACE_MS = 2_000;

/** Longest error message sent to a peer. */
const MAX_MESSAGE = 4096;

/**
 * Sends `error` to the peer as an error frame (its `code`, or `ABORTED`), closes our side, waits up
 * to {@linkcode REPLY_GRACE_MS} for the peer to close its side, then resets the stream. Resetting at
 * once could discard the reply, or break the peer's protocol negotiation if it is still under way.
 */
export async function replyWithError(stream: Stream, error: Error): Promise<void> {
  const code = (error as { code?: unknown }).code;
  const frame = encodeFrame({
    kind: "error",
    code: typeof code === "string" && code.length > 0 ? code : "ABORTED",
    message: error.message.slice(0, MAX_MESSAGE),
  });
  try {
    stream.send(lengthPrefixed(frame));
    await stream.close({ signal: AbortSignal.timeout(REPLY_GRACE_MS) });
    await closedOrTimeout(stream, REPLY_GRACE_MS);
  } catch {
    // the peer is gone or not reading: the reset below is all we can do
  }
  stream.abort(error);
}

/** Resolves when the stream is closed both ways, or after `ms`; the timer does not outlive it. */
function closedOrTimeout(stream: Stream, ms: number): Promise<void> {
  if (stream.status !== "open" && stream.status !== "closing") return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.removeEventListener("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stream.addEventListener("close", done);
  });
}
