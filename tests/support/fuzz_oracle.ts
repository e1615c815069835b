// The protocol fuzz tests' oracle: what a worker's channel does with a byte stream, by a local
// model of the rules of `src/net/frames.ts` and `src/net/channel.ts`.
// (Not a test file: no runner picks it up.)
import { DEFAULT_WINDOW, DEFAULT_WINDOW_BYTES, FrameError, readFrames } from "../../src/net/mod.ts";

/**
 * What the worker's channel does with a case (our credit grant, the case's bytes, then a
 * sentinel request):
 *
 * - `bad`: a frame breaks the format or the channel's rules: an error frame `BAD_FRAME`, then close;
 * - `answered`: everything is valid and the sentinel arrives intact: it is answered;
 * - `silent`: we sent an error frame, or ended the stream without an end frame: the worker resets
 *   the stream without a reply;
 * - `ended`: we ended the channel properly before the sentinel could count: the worker answers
 *   what it was asked, then ends its side too (an end frame, no error);
 * - `either`: the outcome depends on timing, so BAD_FRAME and no error are both right: a credit
 *   frame after data (does it acknowledge more than the worker has sent yet?), more messages (or
 *   bytes) than the worker's window over several frames (did it grant more in between?), anything after our
 *   end frame (has the worker answered everything and ended its side, which finishes the channel
 *   so that it ignores what follows?).
 */
export type Verdict = "bad" | "answered" | "silent" | "ended" | "either";

/** What the oracle expects of one case. */
export interface Prediction {
  verdict: Verdict;
  /** Status requests among the case's valid messages (each is answered on the status protocol). */
  statusRequests: number;
}

interface Simulation {
  /** `paused`: every complete frame was fine and the input has not ended. */
  verdict: Verdict | "paused";
  ended: boolean;
  statusRequests: number;
}

class Pause extends Error {}

async function* chunks(bytes: Uint8Array, eof: boolean): AsyncGenerator<Uint8Array> {
  yield bytes;
  if (!eof) throw new Pause();
}

/** Runs the channel's rules over `bytes`, with or without the end of input after them. */
async function simulate(bytes: Uint8Array, eof: boolean): Promise<Simulation> {
  let credits = 0;
  let messages = 0;
  let bytesIn = 0;
  let statusRequests = 0;
  let ended = false;
  const result = (verdict: Simulation["verdict"]): Simulation => ({ verdict, ended, statusRequests });
  try {
    for await (const frame of readFrames(chunks(bytes, eof))) {
      if (ended) return result("either"); // refused, or ignored by a finished channel
      switch (frame.kind) {
        case "data": {
          const count = frame.messages.length;
          const bytes = frame.sizes!.reduce((sum, size) => sum + size, 0);
          // Beyond the credit granted, in messages or in bytes:
          if (messages === 0 && (count > DEFAULT_WINDOW || bytes > DEFAULT_WINDOW_BYTES)) return result("bad");
          // Depends on grants in between:
          if (messages + count > DEFAULT_WINDOW || bytesIn + bytes > DEFAULT_WINDOW_BYTES) return result("either");
          messages += count;
          bytesIn += bytes;
          statusRequests += frame.messages.filter((m) => (m as { op?: unknown })?.op === "status").length;
          break;
        }
        case "credit":
          // The first grant is our window; a later one acknowledges messages the worker sent, and
          // it sends none before our first message; after one, it depends on timing.
          if (credits++ === 0) break;
          return result(messages === 0 ? "bad" : "either");
        case "end":
          ended = true;
          break;
        case "error":
          return result("silent"); // the worker fails the channel and resets, without a reply
      }
    }
  } catch (error) {
    if (error instanceof FrameError) return result(ended ? "either" : "bad");
    if (error instanceof Pause) return result("paused");
    throw error;
  }
  return result(ended ? "ended" : "silent"); // input ended: without an end frame, a reset
}

/**
 * What the worker does with `bytes`, whose last frame is the sentinel's `sentinel`. The sentinel
 * is answered when everything before it is complete, valid frames and the channel is still open;
 * otherwise we end our side and the end of input decides.
 */
export async function predict(bytes: Uint8Array, sentinel: Uint8Array): Promise<Prediction> {
  const open = await simulate(bytes, false);
  if (open.verdict !== "paused") return { verdict: open.verdict, statusRequests: open.statusRequests };
  const before = await simulate(bytes.subarray(0, bytes.length - sentinel.length), true);
  if (before.verdict === "silent" && !before.ended) return { verdict: "answered", statusRequests: open.statusRequests };
  const closed = await simulate(bytes, true);
  return { verdict: closed.verdict as Verdict, statusRequests: closed.statusRequests };
}
