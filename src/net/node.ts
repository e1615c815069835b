/**
 * A libp2p node as Actant uses it: WebSocket transport (servers listen, every runtime dials),
 * Noise, Yamux, identify and ping, bootstrap peers that are dialled at start and kept connected.
 * Errors from libp2p are converted at this edge into the errors of `./errors.ts`.
 *
 * @module
 */
import { noise, pureJsCrypto } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { identify } from "@libp2p/identify";
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { type Ping, ping } from "@libp2p/ping";
import type { GossipSub } from "@libp2p/gossipsub";
import { preSharedKey } from "@libp2p/pnet";
import { createLibp2p } from "libp2p";
import { describe } from "../common/mod.ts";
import { enableBroadcastChannelUnref } from "../runtime/broadcast_channel.ts";
import { runtimeName } from "../runtime/mod.ts";
import { holdNativeWebRtc } from "../runtime/native_webrtc.ts";
import { parseListenAddress, parseMultiaddr, parsePeerAddress, tcpPort } from "./addresses.ts";
import { type BootstrapRetry, checkBootstrapRetry, dialBootstrap } from "./bootstrap.ts";
import type { Channel, ChannelOptions } from "./channel.ts";
import { channelLimits } from "./channel_limits.ts";
import { createChannel } from "./stream_channel.ts";
import { AddressInUseError, PeerUnreachableError, ProtocolNotSupportedError } from "./errors.ts";

export type { BootstrapRetry };
import { decodeKey } from "./keys.ts";
import { type PubsubMessage, pubsubService, subscribeTopic } from "./pubsub.ts";
import { swarmKeyFromSecret } from "./secret.ts";
import { type ListenFailures, webSocketTransport } from "./websocket_transport.ts";
import { checkRelaySupport, checkWebRtcSupport } from "./webrtc_options.ts";
import {
  type ConnectionInfo,
  DEFAULT_DIAL_TIMEOUT_MS,
  DEFAULT_MAX_STREAMS,
  type DialOptions,
  type HandleOptions,
  INBOUND_CONNECTIONS_PER_HOST,
  type NetNode,
  type NetNodeEventMap,
  type NetNodeOptions,
  type PeerEventDetail,
  type StreamInfo,
} from "./net_node.ts";

export type { Connection, Stream };

/**
 * Creates and starts a node.
 *
 * @example
 * ```ts
 * const server = await createNetNode({ listen: ["/ip4/127.0.0.1/tcp/0/ws"] });
 * const client = await createNetNode({ bootstrap: server.addresses() });
 * ```
 * @throws {TypeError} for a listen or bootstrap address of the wrong shape, or a bad key.
 * @throws {AddressInUseError} when a listen port is taken.
 * @throws {PeerUnreachableError} when no bootstrap peer answers.
 */
export async function createNetNode(options: NetNodeOptions = {}): Promise<NetNode> {
  const listen = (options.listen ?? []).map((address) => parseListenAddress(address).toString());
  const bootstrap = (options.bootstrap ?? []).map((address) => parsePeerAddress(address, "bootstrap address"));
  const dialTimeoutMs = options.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  if (!(Number.isFinite(dialTimeoutMs) && dialTimeoutMs > 0)) {
    throw new RangeError(`dialTimeoutMs must be > 0, got ${dialTimeoutMs}`);
  }
  const retry = checkBootstrapRetry(options.bootstrapRetry);
  const runtime = runtimeName();
  if (listen.length > 0 && runtime === "browser") {
    throw new TypeError("A browser node cannot listen; leave `listen` empty and dial a server node");
  }
  const webrtc = options.webrtc === undefined ? undefined : checkWebRtcSupport(options.webrtc);
  if (webrtc !== undefined && runtime === "deno") {
    throw new TypeError("Deno has no WebRTC (denoland/deno#1612): a Deno node runs on WebSocket only");
  }
  if (webrtc !== undefined && options.secret !== undefined) {
    throw new TypeError(
      "option webrtc cannot be used with a secret: a WebRTC connection does not carry the cluster's pre-shared key",
    );
  }
  const relay = options.relay === undefined ? undefined : checkRelaySupport(options.relay).service;
  const privateKey = options.privateKey === undefined ? undefined : decodeKey(options.privateKey);
  const connectionProtector = options.secret === undefined
    ? undefined
    : preSharedKey({ psk: swarmKeyFromSecret(options.secret) });
  const failures: ListenFailures = new Map();
  enableBroadcastChannelUnref(); // else libp2p's peer-store lock keeps a Deno process alive after stop()
  // Counted from here, so that the last node to stop ends node-datachannel (see holdNativeWebRtc).
  const releaseWebRtc = webrtc === undefined ? undefined : holdNativeWebRtc();
  let libp2p: Libp2p<{ ping: Ping }>;
  try {
    libp2p = await createLibp2p({
      privateKey,
      addresses: { listen: [...listen, ...(webrtc?.listen ?? [])] },
      transports: [webSocketTransport(failures), ...(webrtc?.transports ?? [])] as Array<
        ReturnType<typeof webSocketTransport>
      >,
      // Bun's node:crypto lacks chacha20-poly1305: Noise would drop the connection after ~48 KB.
      connectionEncrypters: [noise(runtime === "bun" ? { crypto: pureJsCrypto } : {})],
      streamMuxers: [yamux()],
      // The browser default refuses ws:// and private addresses, where cluster peers usually are.
      connectionGater: { denyDialMultiaddr: () => false },
      connectionManager: {
        dialTimeout: dialTimeoutMs,
        inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_HOST,
        maxIncomingPendingConnections: INBOUND_CONNECTIONS_PER_HOST,
      },
      connectionProtector,
      services: {
        identify: identify(),
        ping: ping(),
        ...(options.pubsub ? { pubsub: pubsubService() } : {}),
        ...(relay === undefined ? {} : { relay }),
      } as { identify: ReturnType<typeof identify>; ping: ReturnType<typeof ping> },
    }) as Libp2p<{ ping: Ping }>;
  } catch (cause) {
    await releaseWebRtc?.();
    throw startError(cause, failures);
  }
  const node = new Libp2pNetNode(libp2p, dialTimeoutMs, releaseWebRtc);
  try {
    await dialBootstrap(libp2p, bootstrap, { retry, dial: (address) => node.dial(address), clock: options.clock });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

function startError(cause: unknown, failures: ListenFailures): unknown {
  for (const [address, error] of failures) {
    if (
      (error as { code?: string }).code === "EADDRINUSE" || /EADDRINUSE|address already in use/i.test(describe(error))
    ) {
      return new AddressInUseError(address, tcpPort(parseMultiaddr(address)) ?? 0, { cause: error });
    }
  }
  return cause;
}

class Libp2pNetNode implements NetNode {
  readonly peerId: string;
  readonly libp2p: Libp2p<{ ping: Ping }>;
  readonly #dialTimeoutMs: number;
  readonly #events = new EventTarget();
  readonly runsWebRtc: boolean;
  readonly #releaseWebRtc: (() => Promise<void>) | undefined;
  #stopping: Promise<void> | undefined;

  /** `releaseWebRtc`, given for a node that runs WebRTC, is called once it has stopped. */
  constructor(libp2p: Libp2p<{ ping: Ping }>, dialTimeoutMs: number, releaseWebRtc?: () => Promise<void>) {
    this.libp2p = libp2p;
    this.runsWebRtc = releaseWebRtc !== undefined;
    this.#releaseWebRtc = releaseWebRtc;
    this.peerId = libp2p.peerId.toString();
    this.#dialTimeoutMs = dialTimeoutMs;
    for (const type of ["peer:connect", "peer:disconnect"] as const) {
      libp2p.addEventListener(type, (event) => {
        this.#events.dispatchEvent(
          new CustomEvent<PeerEventDetail>(type, { detail: { peerId: event.detail.toString() } }),
        );
      });
    }
  }

  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map(String);
  }

  peers(): string[] {
    return this.libp2p.getPeers().map(String);
  }

  connections(): ConnectionInfo[] {
    return this.libp2p.getConnections().map((connection) => {
      const address = connection.remoteAddr.toString();
      return {
        peerId: connection.remotePeer.toString(),
        transport: transportOf(connection, address),
        address,
        direction: connection.direction,
      };
    });
  }

  async closeRelayed(peerId: string): Promise<void> {
    const relayed = this.libp2p.getConnections().filter((connection) =>
      connection.remotePeer.toString() === peerId && connection.limits !== undefined
    );
    await Promise.all(relayed.map((connection) => connection.close().catch(() => {})));
  }

  async dial(address: string, options?: DialOptions): Promise<Connection> {
    const { multiaddr } = parsePeerAddress(address);
    return await this.#dialing(address, options, (signal) => this.libp2p.dial(multiaddr, { signal }));
  }

  async ping(target: string, options?: DialOptions): Promise<number> {
    const to = this.#target(target);
    return await this.#dialing(target, options, (signal) => this.libp2p.services.ping.ping(to, { signal }));
  }

  async handle(
    protocol: string,
    handler: (stream: Stream, info: StreamInfo) => void | Promise<void>,
    options?: HandleOptions,
  ): Promise<void> {
    await this.libp2p.handle(protocol, async (stream, connection) => {
      try {
        await handler(stream, { peerId: connection.remotePeer.toString(), protocol, connection });
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(describe(error)));
      }
    }, {
      maxInboundStreams: options?.maxInboundStreams ?? DEFAULT_MAX_STREAMS,
      maxOutboundStreams: DEFAULT_MAX_STREAMS,
    });
  }

  async handleChannel<In = unknown, Out = unknown>(
    protocol: string,
    handler: (channel: Channel<In, Out>, info: StreamInfo) => void | Promise<void>,
    options?: HandleOptions & ChannelOptions,
  ): Promise<void> {
    channelLimits(options); // a bad option fails here, not on every stream that comes
    await this.handle(protocol, (stream, info) => {
      const channel = createChannel<In, Out>(stream, options);
      // Not awaited: libp2p need not hold anything while the channel lives.
      void (async () => {
        try {
          await handler(channel, info);
        } catch (error) {
          channel.abort(error);
        }
      })();
    }, options);
  }

  async unhandle(protocol: string): Promise<void> {
    await this.libp2p.unhandle(protocol);
  }

  async openStream(target: string, protocol: string, options?: DialOptions): Promise<Stream> {
    const to = this.#target(target);
    try {
      return await this.#dialing(
        target,
        options,
        (signal) => this.libp2p.dialProtocol(to, protocol, { signal, maxOutboundStreams: DEFAULT_MAX_STREAMS }),
      );
    } catch (error) {
      const cause = (error as { cause?: { name?: string } }).cause;
      if (error instanceof PeerUnreachableError && cause?.name === "UnsupportedProtocolError") {
        throw new ProtocolNotSupportedError(target, protocol, { cause });
      }
      throw error;
    }
  }

  async openChannel<In = unknown, Out = unknown>(
    target: string,
    protocol: string,
    options?: DialOptions & ChannelOptions,
  ): Promise<Channel<In, Out>> {
    channelLimits(options);
    return createChannel<In, Out>(await this.openStream(target, protocol, options), options);
  }

  addEventListener<K extends keyof NetNodeEventMap>(type: K, listener: (event: NetNodeEventMap[K]) => void): void {
    this.#events.addEventListener(type, listener as EventListener);
  }

  removeEventListener<K extends keyof NetNodeEventMap>(type: K, listener: (event: NetNodeEventMap[K]) => void): void {
    this.#events.removeEventListener(type, listener as EventListener);
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    await this.#pubsub().publish(topic, data);
  }

  subscribe(topic: string, listener: (message: PubsubMessage) => void): () => void {
    return subscribeTopic(this.#pubsub(), topic, listener);
  }

  #pubsub(): GossipSub {
    const pubsub = (this.libp2p.services as { pubsub?: GossipSub }).pubsub;
    if (pubsub === undefined) throw new TypeError("This node runs no pubsub: create it with { pubsub: true }");
    return pubsub;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    try {
      await this.libp2p.stop();
    } finally {
      await this.#releaseWebRtc?.();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** A peer address (checked for `/p2p/`) or a bare peer id, as libp2p takes it. */
  #target(target: string) {
    if (target.startsWith("/")) return parsePeerAddress(target).multiaddr;
    try {
      return peerIdFromString(target);
    } catch (cause) {
      throw new TypeError(`"${target}" is neither a multiaddr with /p2p/ nor a peer id`, { cause });
    }
  }

  /** Runs a libp2p call that dials, bounded by the dial timeout, converting its failures. */
  async #dialing<T>(
    address: string,
    options: DialOptions | undefined,
    dial: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.#dialTimeoutMs);
    const signal = options?.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    try {
      return await dial(signal);
    } catch (cause) {
      if (options?.signal?.aborted) throw options.signal.reason;
      const reason = timeout.aborted ? `no answer within ${this.#dialTimeoutMs} ms` : dialFailure(cause);
      throw new PeerUnreachableError(address, reason, { cause });
    }
  }
}

/** How `connection` runs (WebRTC's data channels are its multiplexer; a relayed one is limited). */
function transportOf(connection: Connection, address: string): ConnectionInfo["transport"] {
  if (connection.multiplexer === "/webrtc") return "webrtc";
  if (connection.limits !== undefined || address.includes("/p2p-circuit")) return "relayed";
  if (/\/wss?(\/|$)/.test(address)) return "websocket";
  return "other";
}

/**
 * What went wrong in a dial. libp2p's WebSocket transport rejects with the socket's error `Event`
 * (an `ErrorEvent` with an empty message on Node), not an `Error`.
 */
function dialFailure(cause: unknown): string {
  if (cause instanceof Error) return cause.message === "" ? cause.name : `${cause.name}: ${cause.message}`;
  const event = cause as { message?: unknown; error?: { message?: unknown; cause?: { message?: unknown } } };
  for (const text of [event.message, event.error?.message, event.error?.cause?.message]) {
    if (typeof text === "string" && text !== "") return text;
  }
  return "the WebSocket connection failed (refused, reset or unreachable)";
}
