/**
 * Publish/subscribe over gossipsub (`@libp2p/gossipsub`), which spreads a message to every peer
 * subscribed to its topic through the peers each one knows: the carrier of membership
 * announcements and heartbeats. Messages are signed by their sender.
 *
 * @module
 */
import { type GossipSub, gossipsub } from "@libp2p/gossipsub";

/** The gossipsub service as a node that sets `pubsub: true` runs it. */
export function pubsubService(): ReturnType<typeof gossipsub> {
  return gossipsub({
    // A lone peer (the first of a cluster) still announces itself; nobody hears it yet.
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    // Membership announcements are small and few: send each one to every subscribed peer at once.
    floodPublish: true,
    emitSelf: false,
  });
}

/** What a subscriber receives. */
export interface PubsubMessage {
  readonly data: Uint8Array;
  /** The signing sender's peer id. */
  readonly from: string;
}

/** Subscribes `listener` to `topic` on `pubsub`; returns the unsubscribe function. */
export function subscribeTopic(
  pubsub: GossipSub,
  topic: string,
  listener: (message: PubsubMessage) => void,
): () => void {
  const onMessage = (
    event: CustomEvent<{ type: string; topic: string; data: Uint8Array; from?: { toString(): string } }>,
  ) => {
    const message = event.detail;
    if (message.topic !== topic || message.type !== "signed" || message.from === undefined) return;
    listener({ data: message.data, from: message.from.toString() });
  };
  pubsub.addEventListener("message", onMessage as never);
  pubsub.subscribe(topic);
  return () => {
    pubsub.removeEventListener("message", onMessage as never);
    pubsub.unsubscribe(topic);
  };
}
