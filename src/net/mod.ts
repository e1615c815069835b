/**
 * The network layer: a libp2p node per runtime (WebSocket transport, Noise, Yamux, identify,
 * ping), Actant's length-prefixed frames, and message channels over libp2p streams exposed as
 * Web Streams with batching and credit-based backpressure.
 *
 * The client half bundles for browsers; listening needs a server runtime.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./frames.ts";
export * from "./channel.ts";
export { createChannel } from "./stream_channel.ts";
export * from "./keys.ts";
export * from "./addresses.ts";
export * from "./net_node.ts";
export * from "./node.ts";
export * from "./secret.ts";
export * from "./pubsub.ts";
export { EncodedMessage, encodeForChannel } from "./encoded_message.ts";
export { MessageSender, type MessageSenderOptions } from "./message_sender.ts";
export * from "./serve.ts";
export * from "./webrtc_options.ts";
export * from "./webrtc_address.ts";
