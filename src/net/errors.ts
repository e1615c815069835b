/**
 * Errors of the network layer. libp2p's own errors (and the bare `Event`s its WebSocket transport
 * rejects with) are converted into these at the edge of `net/`, with the original kept as `cause`.
 *
 * @module
 */
import { registerErrorClasses } from "../common/error_data.ts";
import { ActantError, type ActantErrorOptions } from "../common/errors.ts";

/** A peer address that did not answer: refused, timed out, or not the peer its `/p2p/` names. */
export class PeerUnreachableError extends ActantError {
  override name = "PeerUnreachableError";
  /** The multiaddr (or peer id) that was dialled. */
  readonly address: string;
  constructor(address: string, reason: string, options?: ActantErrorOptions) {
    super("PEER_UNREACHABLE", `Cannot reach peer at ${address}: ${reason}`, options);
    this.address = address;
  }
}

/** A peer that answered but does not serve the protocol asked for. */
export class ProtocolNotSupportedError extends ActantError {
  override name = "ProtocolNotSupportedError";
  /** The peer (multiaddr or peer id) as given. */
  readonly address: string;
  readonly protocol: string;
  constructor(address: string, protocol: string, options?: ActantErrorOptions) {
    super(
      "PROTOCOL_NOT_SUPPORTED",
      `Peer ${address} does not serve ${protocol}; is it an Actant node of a compatible version?`,
      options,
    );
    this.address = address;
    this.protocol = protocol;
  }
}

/** A listen address whose port another socket already holds. */
export class AddressInUseError extends ActantError {
  override name = "AddressInUseError";
  /** The listen multiaddr as given. */
  readonly address: string;
  /** The TCP port that is taken. */
  readonly port: number;
  constructor(address: string, port: number, options?: ActantErrorOptions) {
    super(
      "ADDRESS_IN_USE",
      `Cannot listen on ${address}: port ${port} is already in use; stop the process holding it or choose another port (0 picks a free one)`,
      options,
    );
    this.address = address;
    this.port = port;
  }
}

/** Why a frame was refused. */
export type FrameErrorReason =
  | "truncated"
  | "oversized"
  | "version"
  | "kind"
  | "malformed"
  | "credit";

/**
 * A frame that breaks the wire format: truncated, oversized, of an unknown version or kind, with a
 * body that does not parse, or sent beyond the credit the receiver granted. The channel that reads
 * it answers with an error frame and closes that stream; the node keeps serving.
 */
export class FrameError extends ActantError {
  override name = "FrameError";
  /** Which rule the frame broke. */
  readonly reason: FrameErrorReason;
  constructor(reason: FrameErrorReason, detail: string, options?: ActantErrorOptions) {
    super("BAD_FRAME", `Bad frame (${reason}): ${detail}`, options);
    this.reason = reason;
  }
}

/** The peer at the other end of a channel answered with an error frame, then closed the stream. */
export class RemoteChannelError extends ActantError {
  override name = "RemoteChannelError";
  /** The code the peer sent, e.g. `BAD_FRAME`. */
  readonly remoteCode: string;
  constructor(remoteCode: string, message: string) {
    super("REMOTE_ERROR", `The peer closed the channel with ${remoteCode}: ${message}`);
    this.remoteCode = remoteCode;
  }
}

/** A channel whose stream ended or was reset before both sides finished. */
export class ChannelClosedError extends ActantError {
  override name = "ChannelClosedError";
  constructor(reason: string, options?: ActantErrorOptions) {
    super("CHANNEL_CLOSED", `Channel closed: ${reason}`, options);
  }
}

/** A key file in a data directory that cannot be read, written or decoded. */
export class KeyFileError extends ActantError {
  override name = "KeyFileError";
  /** The key file's path. */
  readonly path: string;
  constructor(path: string, reason: string, options?: ActantErrorOptions) {
    super("BAD_KEY_FILE", `Cannot use the peer key file ${path}: ${reason}`, options);
    this.path = path;
  }
}

// An error of these that comes back as data (from another peer) is rebuilt as its own class.
registerErrorClasses({
  PeerUnreachableError,
  ProtocolNotSupportedError,
  AddressInUseError,
  FrameError,
  RemoteChannelError,
  ChannelClosedError,
  KeyFileError,
});
