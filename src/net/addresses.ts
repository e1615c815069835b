/**
 * Checking the multiaddrs users give: dial addresses must name the peer (`/p2p/<id>`), listen
 * addresses must be WebSocket addresses (`/ip4/<host>/tcp/<port>/ws`).
 *
 * @module
 */
import { peerIdFromString } from "@libp2p/peer-id";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { describe } from "../common/mod.ts";

const EXAMPLE_PEER = "/ip4/10.0.0.5/tcp/4001/ws/p2p/12D3KooW...";
const EXAMPLE_LISTEN = "/ip4/0.0.0.0/tcp/4001/ws";

/** A dial address with the peer id it names. */
export interface PeerAddress {
  readonly multiaddr: Multiaddr;
  readonly peerId: string;
}

/**
 * Parses `address` as a multiaddr.
 *
 * @throws {TypeError} naming the address when it is not one.
 */
export function parseMultiaddr(address: string, what = "address"): Multiaddr {
  if (typeof address !== "string") throw new TypeError(`${what} must be a multiaddr string, got ${typeof address}`);
  try {
    return multiaddr(address);
  } catch (cause) {
    throw new TypeError(`${what} "${address}" is not a multiaddr (${describe(cause)}); expected e.g. ${EXAMPLE_PEER}`, {
      cause,
    });
  }
}

/**
 * Parses a dial address, which must end in `/p2p/<peer id>` so the peer can be authenticated.
 *
 * @throws {TypeError} naming the address when it is not a multiaddr or has no `/p2p/`.
 */
export function parsePeerAddress(address: string, what = "address"): PeerAddress {
  const parsed = parseMultiaddr(address, what);
  const peerId = parsed.getComponents().findLast((component) => component.name === "p2p")?.value;
  if (peerId === undefined) {
    throw new TypeError(
      `${what} "${address}" has no /p2p/<peer id>, so the peer cannot be authenticated; expected e.g. ${EXAMPLE_PEER}`,
    );
  }
  try {
    peerIdFromString(peerId);
  } catch (cause) {
    throw new TypeError(`${what} "${address}" names "${peerId}", which is not a peer id (${describe(cause)})`, {
      cause,
    });
  }
  return { multiaddr: parsed, peerId };
}

/**
 * Parses a listen address: `/ip4/<host>/tcp/<port>/ws` or `/ip6/<host>/tcp/<port>/ws`.
 *
 * @throws {TypeError} naming the address otherwise.
 */
export function parseListenAddress(address: string): Multiaddr {
  const parsed = parseMultiaddr(address, "listen address");
  const names = parsed.getComponents().map((component) => component.name);
  if (names.length !== 3 || !["ip4", "ip6"].includes(names[0]) || names[1] !== "tcp" || names[2] !== "ws") {
    throw new TypeError(`listen address "${address}" is not a WebSocket address; expected e.g. ${EXAMPLE_LISTEN}`);
  }
  return parsed;
}

/** The TCP port of a multiaddr, if it has one. */
export function tcpPort(address: Multiaddr): number | undefined {
  const value = address.getComponents().find((component) => component.name === "tcp")?.value;
  return value === undefined ? undefined : Number(value);
}

/**
 * The `ws://` / `wss://` URL of a WebSocket multiaddr (`/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>`
 * then `/ws`, `/wss` or `/tls[/sni/<name>]/ws`, optionally `/p2p/<id>`).
 *
 * @throws {TypeError} for any other shape.
 */
export function webSocketUrl(address: Multiaddr): string {
  const components = address.getComponents().filter((component) => component.name !== "p2p");
  const [host, tcp, ...rest] = components;
  const kinds = rest.map((component) => component.name);
  let scheme: string | undefined;
  if (kinds.length === 1 && kinds[0] === "ws") scheme = "ws";
  else if (kinds.length === 1 && kinds[0] === "wss") scheme = "wss";
  else if (kinds[0] === "tls" && kinds.at(-1) === "ws" && kinds.every((kind) => ["tls", "sni", "ws"].includes(kind))) {
    scheme = "wss";
  }
  if (
    scheme === undefined || host === undefined || tcp?.name !== "tcp" ||
    !["ip4", "ip6", "dns", "dns4", "dns6"].includes(host.name)
  ) {
    throw new TypeError(`"${address.toString()}" is not a WebSocket multiaddr; expected e.g. ${EXAMPLE_PEER}`);
  }
  const hostname = host.name === "ip6" ? `[${host.value}]` : host.value;
  return `${scheme}://${hostname}:${tcp.value}`;
}

/**
 * The peer id of a `p2p://<peer id>` address (the seed's form, which names a peer without saying
 * where it listens), or `undefined` for any other string.
 *
 * @throws {TypeError} when it has the form but names no valid peer id.
 */
export function parsePeerUrl(address: string): string | undefined {
  if (typeof address !== "string" || !address.startsWith("p2p://")) return undefined;
  const peerId = address.slice("p2p://".length);
  try {
    peerIdFromString(peerId);
  } catch (cause) {
    throw new TypeError(`address "${address}" names "${peerId}", which is not a peer id (${describe(cause)})`, {
      cause,
    });
  }
  return peerId;
}
