/**
 * libp2p's WebSocket transport with the per-runtime fixes Actant needs:
 *
 * - Deno: its native `WebSocket` client leaves Nagle's algorithm on, which costs ~40 ms per small
 *   round trip; outbound connections use the `ws` package instead (it sets TCP_NODELAY).
 * - Bun: `http.Server.close()` on a server that never listened (the transport hands sockets to
 *   one rather than letting it listen) never emits `'close'`, so closing the listener, and with it
 *   `libp2p.stop()`, would hang; we emit it ourselves.
 * - Everywhere: a listen failure is recorded with its original error (libp2p keeps only the
 *   message), so `EADDRINUSE` can become an `AddressInUseError`.
 *
 * In a browser the package's own `browser` mapping leaves the listener (and `node:http`) out.
 *
 * @module
 */
import type { Listener, Transport } from "@libp2p/interface";
import { webSockets, type WebSocketsComponents } from "@libp2p/websockets";
import type { Multiaddr } from "@multiformats/multiaddr";
import { importModule } from "../runtime/import_module.ts";
import { runtimeName } from "../runtime/mod.ts";
import { webSocketUrl } from "./addresses.ts";

/** Listen errors by listen address, filled in as listeners fail. */
export type ListenFailures = Map<string, unknown>;

/** The WebSocket transport factory, with runtime fixes; listen errors are recorded in `failures`. */
export function webSocketTransport(failures: ListenFailures): (components: WebSocketsComponents) => Transport {
  const factory = webSockets();
  const runtime = runtimeName();
  return (components) => {
    const transport = factory(components);
    const createListener = transport.createListener.bind(transport);
    transport.createListener = (options) => recordFailures(createListener(options), failures, runtime === "bun");
    if (runtime === "deno") useWsClient(transport);
    return transport;
  };
}

/** The part of a Node `http.Server` the Bun fix touches. */
interface ClosableServer {
  listening: boolean;
  close(...args: unknown[]): unknown;
  emit(event: string): boolean;
}

function recordFailures(listener: Listener, failures: ListenFailures, bun: boolean): Listener {
  const listen = listener.listen.bind(listener);
  listener.listen = async (address: Multiaddr) => {
    try {
      await listen(address);
    } catch (error) {
      failures.set(address.toString(), error);
      throw error;
    }
  };
  if (bun) {
    const close = listener.close.bind(listener);
    listener.close = () => {
      const servers = listener as unknown as { http?: ClosableServer; https?: ClosableServer };
      for (const server of [servers.http, servers.https]) {
        if (server !== undefined && !server.listening) emitCloseOnClose(server);
      }
      return close();
    };
  }
  return listener;
}

function emitCloseOnClose(server: ClosableServer): void {
  const close = server.close.bind(server);
  server.close = (...args: unknown[]) => {
    const result = close(...args);
    setTimeout(() => server.emit("close"), 0);
    return result;
  };
}

/** The part of the `ws` package's client used here. */
interface WsModule {
  WebSocket: new (url: string, options: { perMessageDeflate: boolean }) => WsClient;
}

interface WsClient {
  binaryType: string;
  addEventListener(type: string, listener: (event: { message?: string }) => void, options?: { once: boolean }): void;
  close(): void;
  terminate(): void;
}

type WsListener = (event: { message?: string }) => void;

/** Replaces the transport's connect step with one that uses the `ws` client. */
function useWsClient(transport: Transport): void {
  const target = transport as unknown as {
    _connect(address: Multiaddr, options: { signal?: AbortSignal }): Promise<unknown>;
  };
  target._connect = async (address, options) => {
    options.signal?.throwIfAborted();
    const { WebSocket } = await importModule<WsModule>("ws");
    const url = webSocketUrl(address);
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.binaryType = "arraybuffer";
    holdEarlyMessages(socket);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        socket.terminate();
        reject(new Error(`Could not connect to ${url}: the dial was aborted`));
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      socket.addEventListener("open", () => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      }, { once: true });
      socket.addEventListener("error", (event) => {
        options.signal?.removeEventListener("abort", onAbort);
        reject(new Error(`Could not connect to ${url}: ${event.message ?? "connection failed"}`));
      }, { once: true });
    });
    return socket;
  };
}

/**
 * Keeps the messages `socket` receives before anyone listens for them, and hands them to the
 * first `message` listener added (then forwards every later message to it as well).
 *
 * The `ws` client can emit a message in the same turn as `open`, before the awaiting dialer has
 * wrapped the socket and added its own listener; an `EventTarget` would drop it. It happens when
 * the server speaks first: with a cluster secret, each side sends its pre-shared-key nonce as
 * soon as the socket opens, and a lost nonce stalls the dial until it times out. (The native
 * `WebSocket` queues each message as a task, after the dialer's continuation, so loses none.)
 */
function holdEarlyMessages(socket: WsClient): void {
  const early: { message?: string }[] = [];
  const listeners: WsListener[] = [];
  socket.addEventListener("message", (event) => {
    if (listeners.length === 0) early.push(event);
    else for (const listener of listeners) listener(event);
  });
  const addEventListener = socket.addEventListener.bind(socket);
  socket.addEventListener = (type, listener, options) => {
    if (type !== "message" || options?.once) return addEventListener(type, listener, options);
    listeners.push(listener);
    if (listeners.length === 1) { for (const event of early.splice(0)) listener(event); }
  };
}
