/**
 * How a node runs WebRTC, as `createNetNode` takes it: the transports and listen addresses, and a
 * relay service, that the `@actant/actant/webrtc` sub-path builds (it loads `@libp2p/webrtc` and
 * `@libp2p/circuit-relay-v2`, optional peer dependencies, so that an app that never runs WebRTC
 * never loads or bundles them), and the checks of their options.
 *
 * @module
 */
import { checkOptionKeys } from "../common/mod.ts";

/** An ICE server (STUN or TURN), as `RTCPeerConnection` takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** How a node runs WebRTC. */
export interface WebRtcOptions {
  /**
   * STUN and TURN servers for real networks (a TURN server for peers behind symmetric NATs).
   * Default none: host candidates only, enough on one machine or one LAN. (`@libp2p/webrtc`'s own
   * default is four public STUN servers; Actant contacts none unless told to.)
   */
  iceServers?: IceServer[];
  /**
   * Node and Bun: the local address ICE gathers candidates on (e.g. `127.0.0.1`, which
   * `node-datachannel` leaves out otherwise). Default: every interface but loopback.
   */
  bindAddress?: string;
}

/** WebRTC for a node: what `webRtc()` of `@actant/actant/webrtc` returns. */
export interface WebRtcSupport {
  readonly kind: "actant-webrtc";
  /** libp2p transports: WebRTC and circuit-relay-v2's (for signalling through a relay). */
  readonly transports: readonly unknown[];
  /** What the node listens on: a relay's slot, and WebRTC through it. */
  readonly listen: readonly string[];
}

/** A relay for WebRTC signalling: what `webRtcRelay()` of `@actant/actant/webrtc` returns. */
export interface RelaySupport {
  readonly kind: "actant-relay";
  /** The libp2p service. */
  readonly service: unknown;
}

/** `value` checked as {@linkcode WebRtcSupport} (built by `webRtc()`, not by hand). */
export function checkWebRtcSupport(value: unknown): WebRtcSupport {
  if ((value as WebRtcSupport | undefined)?.kind !== "actant-webrtc") {
    throw new TypeError('option webrtc must be what webRtc() of "@actant/actant/webrtc" returns');
  }
  return value as WebRtcSupport;
}

/** `value` checked as {@linkcode RelaySupport} (built by `webRtcRelay()`). */
export function checkRelaySupport(value: unknown): RelaySupport {
  if ((value as RelaySupport | undefined)?.kind !== "actant-relay") {
    throw new TypeError('option relay must be what webRtcRelay() of "@actant/actant/webrtc" returns');
  }
  return value as RelaySupport;
}

/** `value` checked as {@linkcode WebRtcOptions}. */
export function checkWebRtcOptions(value: unknown): WebRtcOptions {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`webRtc() options must be { iceServers?, bindAddress? }, got ${typeof value}`);
  }
  checkOptionKeys("webRtc() options", value, ["iceServers", "bindAddress"]);
  const { iceServers, bindAddress } = value as WebRtcOptions;
  if (iceServers !== undefined && !(Array.isArray(iceServers) && iceServers.every(isIceServer))) {
    throw new TypeError("webRtc() option iceServers must be a list of { urls, username?, credential? }");
  }
  if (bindAddress !== undefined && typeof bindAddress !== "string") {
    throw new TypeError("webRtc() option bindAddress must be an IP address as a string");
  }
  return { iceServers, bindAddress };
}

function isIceServer(value: unknown): value is IceServer {
  if (typeof value !== "object" || value === null) return false;
  const urls = (value as IceServer).urls;
  return typeof urls === "string" || (Array.isArray(urls) && urls.every((url) => typeof url === "string"));
}
