/**
 * WebRTC between peers, signalled through circuit-relay-v2 relays: a peer that runs WebRTC
 * reserves a slot on the relays it is connected to (it listens on `/p2p-circuit` and `/webrtc`),
 * and others dial it at `<relay>/p2p/<relay id>/p2p-circuit/webrtc/p2p/<its id>`: the SDP offer
 * and answer go over the relayed connection (a limited one), then the peers talk over their own
 * WebRTC connection (DTLS-encrypted data channels, not the relay). Server nodes are the relays.
 * The modules load only for a node that runs WebRTC or relays.
 *
 * Browsers and Node and Bun (through `node-datachannel`) run WebRTC; Deno has none
 * (denoland/deno#1612).
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

/** The transports and listen addresses of a node that runs WebRTC. */
export async function webRtcTransports(options: WebRtcOptions): Promise<{ transports: unknown[]; listen: string[] }> {
  const [{ webRTC }, { circuitRelayTransport }] = await Promise.all([
    import("@libp2p/webrtc"),
    import("@libp2p/circuit-relay-v2"),
  ]);
  const rtcConfiguration: Record<string, unknown> = { iceServers: options.iceServers ?? [] };
  if (options.bindAddress !== undefined) rtcConfiguration.bindAddress = options.bindAddress;
  return {
    transports: [webRTC({ rtcConfiguration: rtcConfiguration as RTCConfiguration }), circuitRelayTransport()],
    listen: ["/p2p-circuit", "/webrtc"],
  };
}

/** The relay service of a server node. */
export async function relayService(): Promise<unknown> {
  const { circuitRelayServer } = await import("@libp2p/circuit-relay-v2");
  return circuitRelayServer({ reservations: RELAY_RESERVATIONS });
}

/** `value` checked as {@linkcode WebRtcOptions}. */
export function checkWebRtcOptions(value: unknown): WebRtcOptions {
  if (value === true) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`option webrtc must be true or { iceServers?, bindAddress? }, got ${typeof value}`);
  }
  checkOptionKeys("webrtc options", value, ["iceServers", "bindAddress"]);
  const { iceServers, bindAddress } = value as WebRtcOptions;
  if (iceServers !== undefined && !(Array.isArray(iceServers) && iceServers.every(isIceServer))) {
    throw new TypeError("option webrtc.iceServers must be a list of { urls, username?, credential? }");
  }
  if (bindAddress !== undefined && typeof bindAddress !== "string") {
    throw new TypeError("option webrtc.bindAddress must be an IP address as a string");
  }
  return { iceServers, bindAddress };
}

function isIceServer(value: unknown): value is IceServer {
  if (typeof value !== "object" || value === null) return false;
  const urls = (value as IceServer).urls;
  return typeof urls === "string" || (Array.isArray(urls) && urls.every((url) => typeof url === "string"));
}
