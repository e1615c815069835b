/**
 * WebRTC for Actant's network, as a sub-path (`@actant/actant/webrtc`): `webRtc()` for a node
 * that talks WebRTC (signalled through a relay), `webRtcRelay()` for a server node that relays.
 * It needs `@libp2p/webrtc` and `@libp2p/circuit-relay-v2` (optional peer dependencies: install
 * them to use it); nothing else in Actant loads them.
 *
 * @example
 * ```ts
 * import { webRtc, webRtcRelay } from "@actant/actant/webrtc";
 *
 * const tab = webRtc(); // host candidates only; give iceServers (STUN/TURN) for real networks
 * const server = webRtcRelay();
 * ```
 *
 * @module
 */

/** WebRTC and its relay. */
export { RELAY_RESERVATIONS, webRtc, webRtcRelay } from "./src/net/webrtc.ts";
export type { IceServer, RelaySupport, WebRtcOptions, WebRtcSupport } from "./src/net/webrtc_options.ts";
