/**
 * The limits a channel holds to, from its options: checked once, where a channel is served or
 * opened, so a bad option fails there rather than on every stream.
 *
 * @module
 */
import { type ChannelOptions, DEFAULT_WINDOW, DEFAULT_WINDOW_BYTES } from "./channel.ts";
import { ReceiveCredit } from "./credit.ts";
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from "./frames.ts";

/** A channel's limits, with the defaults filled in. */
export interface ChannelLimits {
  readonly window: number;
  readonly windowBytes: number;
  readonly maxFrameBytes: number;
}

/**
 * The limits `options` sets, checked: what a channel made with them will hold to.
 *
 * @throws {RangeError} for a window out of range, or a byte window smaller than a frame.
 */
export function channelLimits(options: ChannelOptions = {}): ChannelLimits {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
  const window = options.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < FRAME_HEADER_BYTES + 2) {
    throw new RangeError(
      `maxFrameBytes must be an integer of at least ${FRAME_HEADER_BYTES + 2}, got ${maxFrameBytes}`,
    );
  }
  if (!(windowBytes >= maxFrameBytes)) {
    throw new RangeError(`windowBytes (${windowBytes}) must be at least maxFrameBytes (${maxFrameBytes})`);
  }
  new ReceiveCredit(window, windowBytes); // checks both windows' ranges
  return { window, windowBytes, maxFrameBytes };
}
