/**
 * WebRTC between peers, signalled through circuit-relay-v2 relays: a peer that runs WebRTC
 * reserves a slot on the relays it is connected to (it listens on `/p2p-circuit` and `/webrtc`),
 * and others dial it at `<relay>/p2p/<relay id>/p2p-circuit/webrtc/p2p/<its id>`: the SDP offer
 * and answer go over the relayed connection (a limited one), then the peers talk over their own
 * WebRTC connection (DTLS-encrypted data channels, not the relay). Server nodes are the relays.
 *
 * Only the `@actant/actant/webrtc` sub-path imports this file, so that the packages it needs are
 * loaded (and bundled) only by an app that runs WebRTC. Browsers and Node and Bun (through
 * `node-datachannel`) run WebRTC; Deno has none (denoland/deno#1612).
 *
 * @module
 */
import { circuitRelayServer, circuitRelayTransport } from "@libp2p/circuit-relay-v2";
import { webRTC } from "@libp2p/webrtc";
import { checkWebRtcOptions, type RelaySupport, type WebRtcOptions, type WebRtcSupport } from "./webrtc_options.ts";

/**
 * What a relay keeps: reservations for every peer that asks (up to 1,000) for a day. A relayed
 * connection stays limited, so that no protocol but signalling runs over it (Actant's protocols
 * refuse limited connections: they go over WebRTC), with limits far above what signalling takes
 * (a few KB in a second): 10 minutes and 1 MiB, where the defaults (2 minutes, 128 KiB) can cut a
 * slow exchange.
 */
export const RELAY_RESERVATIONS = {
  maxReservations: 1_000,
  reservationTtl: 24 * 60 * 60 * 1000,
  applyDefaultLimit: true,
  defaultDurationLimit: 10 * 60 * 1000,
  defaultDataLimit: 1n << 20n,
} as const;

/**
 * WebRTC for `createNetNode({ webrtc })`.
 *
 * @example
 * ```ts
 * import { webRtc } from "@actant/actant/webrtc";
 *
 * const support = webRtc({ iceServers: [{ urls: "stun:stun.example.org:3478" }] });
 * ```
 * @throws {TypeError} for options it does not know or of the wrong shape.
 */
export function webRtc(options?: WebRtcOptions): WebRtcSupport {
  const { iceServers = [], bindAddress } = checkWebRtcOptions(options);
  const rtcConfiguration: Record<string, unknown> = { iceServers };
  if (bindAddress !== undefined) rtcConfiguration.bindAddress = bindAddress;
  return {
    kind: "actant-webrtc",
    transports: [webRTC({ rtcConfiguration: rtcConfiguration as RTCConfiguration }), circuitRelayTransport()],
    listen: ["/p2p-circuit", "/webrtc"],
  };
}

/** A circuit-relay-v2 relay for `createNetNode({ relay })` (server nodes), with {@linkcode RELAY_RESERVATIONS}. */
export function webRtcRelay(): RelaySupport {
  return { kind: "actant-relay", service: circuitRelayServer({ reservations: RELAY_RESERVATIONS }) };
}
