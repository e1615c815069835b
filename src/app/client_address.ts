/**
 * The checks a client's address and WebRTC option get when the app is built, without loading
 * libp2p (the full parse, multiaddr and peer id, comes when the client connects).
 *
 * @module
 */
import { checkWebRtcSupport } from "../net/webrtc_options.ts";
import { runtimeName } from "../runtime/mod.ts";

/** A peer id as text: base58btc (`12D3KooW…`, `Qm…`) or a base32 CID (`bafz…`). */
const PEER_ID_TEXT = /^(?:[1-9A-HJ-NP-Za-km-z]{32,128}|b[a-z2-7]{40,128})$/;
const EXAMPLE = "/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooW…";

/**
 * Checks that `address` can name a peer: a multiaddr ending in `/p2p/<id>`, or `p2p://<id>`
 * (which needs `bootstrap` addresses to be found through).
 *
 * @throws {TypeError} naming the address and what was expected.
 */
export function checkClientAddress(address: unknown, bootstrap: readonly string[] | undefined): string {
  if (typeof address !== "string" || address === "") {
    throw new TypeError(`address must be a multiaddr with /p2p/<peer id> (e.g. ${EXAMPLE}), got ${String(address)}`);
  }
  if (address.startsWith("p2p://")) {
    const peerId = address.slice("p2p://".length);
    if (!PEER_ID_TEXT.test(peerId)) {
      throw new TypeError(`address "${address}" names "${peerId}", which is not a peer id`);
    }
    if (bootstrap === undefined || bootstrap.length === 0) {
      throw new TypeError(
        `address "${address}" names a peer but not where it listens: give bootstrap addresses to find it through`,
      );
    }
    return address;
  }
  if (!address.startsWith("/")) {
    throw new TypeError(`address "${address}" is not a multiaddr (it must start with "/"); expected e.g. ${EXAMPLE}`);
  }
  const peerId = /\/p2p\/([^/]+)\/?$/.exec(address)?.[1];
  if (peerId === undefined) {
    throw new TypeError(
      `address "${address}" has no /p2p/<peer id>, so the peer cannot be authenticated; expected e.g. ${EXAMPLE}`,
    );
  }
  if (!PEER_ID_TEXT.test(peerId)) throw new TypeError(`address "${address}" names "${peerId}", which is not a peer id`);
  return address;
}

/**
 * Checks a client's `webrtc` option: what `webRtc()` returns, on a runtime that has WebRTC, and
 * not beside a `secret` (a WebRTC connection does not carry the cluster's pre-shared key).
 *
 * @throws {TypeError} saying which of those it is not.
 */
export function checkClientWebRtc(webrtc: unknown, secret: unknown): void {
  checkWebRtcSupport(webrtc);
  if (runtimeName() === "deno") {
    throw new TypeError("option webrtc: Deno has no WebRTC (denoland/deno#1612); a Deno app runs on WebSocket only");
  }
  if (secret !== undefined) {
    throw new TypeError(
      "option webrtc cannot be used with a secret: a WebRTC connection does not carry the cluster's pre-shared key",
    );
  }
}
