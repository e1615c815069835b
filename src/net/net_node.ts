/**
 * The contract of a libp2p node as Actant uses it: its options, and what the rest of Actant may
 * do with it (dial, ping, serve and open protocols as streams or channels, publish). The node
 * itself, built on libp2p, is in `./node.ts`.
 *
 * @module
 */
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import type { Ping } from "@libp2p/ping";
import type { Clock } from "../common/mod.ts";
import type { BootstrapRetry } from "./bootstrap.ts";
import type { Channel, ChannelOptions } from "./channel.ts";
import type { PubsubMessage } from "./pubsub.ts";
import type { RelaySupport, WebRtcSupport } from "./webrtc_options.ts";

/** Default bound on one dial (connect, encrypt, mux, and for streams, protocol negotiation). */
export const DEFAULT_DIAL_TIMEOUT_MS = 5_000;
/** Default bound on concurrent streams per protocol and connection, each way. */
export const DEFAULT_MAX_STREAMS = 1024;
/**
 * Inbound connections accepted per second from one host. libp2p's default (5) refuses part of a
 * burst of joins on one machine, or behind one NAT; a cluster secret guards who may connect.
 */
export const INBOUND_CONNECTIONS_PER_HOST = 256;

/** Options of {@linkcode createNetNode}. */
export interface NetNodeOptions {
  /** WebSocket addresses to listen on, e.g. `/ip4/0.0.0.0/tcp/4001/ws` (port 0 picks a free port). */
  listen?: string[];
  /** The node's private key, protobuf-encoded (see `generateKey`, `loadOrCreateKey`); new if absent. */
  privateKey?: Uint8Array;
  /**
   * Peers to join, each a multiaddr ending in `/p2p/<id>`. They are dialled at start and kept
   * connected; start fails with {@linkcode PeerUnreachableError} if none of them answers (within
   * `bootstrapRetry.attempts` rounds).
   */
  bootstrap?: string[];
  /** Rounds of bootstrap dials before start fails, and the backoff between them. Default: one round. */
  bootstrapRetry?: BootstrapRetry;
  /** Bound on each dial, in ms. Default {@linkcode DEFAULT_DIAL_TIMEOUT_MS}. */
  dialTimeoutMs?: number;
  /** The cluster secret: only peers with the same secret can connect to this node, or be reached by it. */
  secret?: string | Uint8Array;
  /** Run gossipsub, for {@linkcode NetNode.publish} and {@linkcode NetNode.subscribe} (cluster members do). */
  pubsub?: boolean;
  /** Times the bootstrap retries (a `ManualClock` in tests; libp2p keeps its own timers). Default the system clock. */
  clock?: Clock;
  /**
   * Run WebRTC (`webRtc()` of `@actant/actant/webrtc`): the node reserves a slot on the relays it
   * connects to and can be dialled, and dial others, over WebRTC, signalled through them.
   * Browsers, Node and Bun (not Deno); not with a `secret` (a WebRTC connection does not carry the
   * pre-shared key).
   */
  webrtc?: WebRtcSupport;
  /** Be a circuit-relay-v2 relay for WebRTC signalling (server nodes): `webRtcRelay()`. */
  relay?: RelaySupport;
}

/** Options of calls that dial. */
export interface DialOptions {
  signal?: AbortSignal;
}

/** What a stream handler learns about the stream's origin. */
export interface StreamInfo {
  /** The remote peer's id. */
  readonly peerId: string;
  /** The protocol the stream was opened for. */
  readonly protocol: string;
  /** The underlying libp2p connection. */
  readonly connection: Connection;
}

/** Options of {@linkcode NetNode.handle}. */
export interface HandleOptions {
  /** Most concurrent inbound streams of this protocol per connection. Default {@linkcode DEFAULT_MAX_STREAMS}. */
  maxInboundStreams?: number;
}

/** One open connection of a node, as {@linkcode NetNode.connections} lists it. */
export interface ConnectionInfo {
  /** The remote peer's id. */
  readonly peerId: string;
  /**
   * How it runs: `"websocket"`, `"webrtc"` (a direct WebRTC connection), or `"relayed"` (a
   * limited connection through a relay, for signalling only); `"other"` for anything else.
   */
  readonly transport: "websocket" | "webrtc" | "relayed" | "other";
  /** The remote address. */
  readonly address: string;
  /** Who opened it. */
  readonly direction: "inbound" | "outbound";
}

/** Detail of the `peer:connect` and `peer:disconnect` events. */
export interface PeerEventDetail {
  readonly peerId: string;
}

/** Events a {@linkcode NetNode} dispatches. */
export interface NetNodeEventMap {
  /** The first connection to a peer opened. */
  "peer:connect": CustomEvent<PeerEventDetail>;
  /** The last connection to a peer closed. */
  "peer:disconnect": CustomEvent<PeerEventDetail>;
}

/** A running network node. */
export interface NetNode extends AsyncDisposable {
  /** This node's peer id (the public half of its key). */
  readonly peerId: string;
  /** The libp2p node, for services built on it (gossipsub, kad-dht). */
  readonly libp2p: Libp2p<{ ping: Ping }>;
  /** The addresses other peers can dial, each ending in `/p2p/<peerId>`. */
  addresses(): string[];
  /** Peer ids this node has a connection to. */
  peers(): string[];
  /** The node's open connections: to whom, over which transport. */
  connections(): ConnectionInfo[];
  /** Whether this node dials over WebRTC (it was created with `webrtc`). */
  readonly runsWebRtc: boolean;
  /**
   * Closes the limited (relayed) connections to `peerId`: once a WebRTC connection to it is up,
   * the one that signalled it only holds a slot on the relay.
   */
  closeRelayed(peerId: string): Promise<void>;
  /**
   * Connects to the peer at `address` (which must end in `/p2p/<id>`), or returns the open
   * connection to it.
   *
   * @throws {TypeError} when the address is not a multiaddr or has no `/p2p/`.
   * @throws {PeerUnreachableError} when it does not answer within the dial timeout.
   */
  dial(address: string, options?: DialOptions): Promise<Connection>;
  /** Round-trip time to a peer (address or peer id) in ms, with libp2p's ping protocol. */
  ping(target: string, options?: DialOptions): Promise<number>;
  /** Serves `protocol`: `handler` gets each inbound stream. A throwing handler resets its stream. */
  handle(
    protocol: string,
    handler: (stream: Stream, info: StreamInfo) => void | Promise<void>,
    options?: HandleOptions,
  ): Promise<void>;
  /** Serves `protocol` with {@linkcode Channel}s; an error thrown by `handler` is sent to the peer. */
  handleChannel<In = unknown, Out = unknown>(
    protocol: string,
    handler: (channel: Channel<In, Out>, info: StreamInfo) => void | Promise<void>,
    options?: HandleOptions & ChannelOptions,
  ): Promise<void>;
  /** Stops serving `protocol`. */
  unhandle(protocol: string): Promise<void>;
  /**
   * Opens a stream for `protocol` to `target`: a multiaddr with `/p2p/`, or the peer id of a peer
   * this node knows how to reach.
   *
   * @throws {PeerUnreachableError} when the peer cannot be reached.
   * @throws {ProtocolNotSupportedError} when it does not serve `protocol`.
   */
  openStream(target: string, protocol: string, options?: DialOptions): Promise<Stream>;
  /** {@linkcode openStream} wrapped as a {@linkcode Channel}. */
  openChannel<In = unknown, Out = unknown>(
    target: string,
    protocol: string,
    options?: DialOptions & ChannelOptions,
  ): Promise<Channel<In, Out>>;
  addEventListener<K extends keyof NetNodeEventMap>(type: K, listener: (event: NetNodeEventMap[K]) => void): void;
  removeEventListener<K extends keyof NetNodeEventMap>(type: K, listener: (event: NetNodeEventMap[K]) => void): void;
  /** Publishes `data` to the peers subscribed to `topic` (needs `pubsub: true`). */
  publish(topic: string, data: Uint8Array): Promise<void>;
  /** Receives the messages other peers publish on `topic`; returns the unsubscribe function. */
  subscribe(topic: string, listener: (message: PubsubMessage) => void): () => void;
  /** Closes every connection and listener. Safe to call more than once. */
  stop(): Promise<void>;
}
