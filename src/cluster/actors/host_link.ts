/**
 * The owner's connection to one peer hosting its actors (`/actant/actors/1`, or an in-process
 * pipe when the owner hosts an actor itself). Messages go out in the order they are sent; what
 * the host sends back is checked and handed on as it arrives, in order. Once the owner lets go
 * of a link (its host was lost), nothing more is read from it or written to it: the link is
 * aborted, which also tells the host to drop the actors it holds for this owner.
 *
 * @module
 */
import { describe, type ErrorData } from "../../common/mod.ts";
import type { EncodedMessage, MessageEnd, NetNode } from "../../net/mod.ts";
import { type ActorHosting, hostLocally } from "./actor_host_service.ts";
import { ACTORS_PROTOCOL, type HostEvent, hostEvent, type HostMessage, type OwnerMessage } from "./actor_protocol.ts";

/** What a link reports to its owner, as it happens. */
export interface HostLinkEvents {
  /** An event of an actor's history, numbered `seq` on this link, for the owner to log and acknowledge. */
  record(link: HostLink, event: HostEvent, seq: number): void;
  /** The answer to the request (or refused call) under `key`: `error` when it failed. */
  done(link: HostLink, key: number, error: ErrorData | undefined): void;
  /** The link ended by itself (the host closed it, or it broke) while the owner still used it. */
  ended(link: HostLink, reason: string): void;
}

/** One owner-to-host connection. */
export class HostLink {
  /** The host's peer id. */
  readonly peerId: string;
  readonly #writer: WritableStreamDefaultWriter<OwnerMessage | EncodedMessage<OwnerMessage>>;
  readonly #events: HostLinkEvents;
  #lost = false;

  private constructor(peerId: string, end: MessageEnd<HostMessage, OwnerMessage>, events: HostLinkEvents) {
    this.peerId = peerId;
    this.#writer = end.writable.getWriter();
    this.#events = events;
    void this.#read(end.readable);
  }

  /**
   * Opens the hosting protocol on `peerId` (an in-process pipe to `hosting` when it is `node`
   * itself).
   *
   * @throws {ProtocolNotSupportedError} when the peer does not serve `/actant/actors/1`.
   * @throws {PeerUnreachableError} when the peer cannot be dialled within the node's dial timeout.
   */
  static async open(node: NetNode, hosting: ActorHosting, peerId: string, events: HostLinkEvents): Promise<HostLink> {
    const end = peerId === node.peerId
      ? hostLocally(hosting)
      : await node.openChannel<HostMessage, OwnerMessage>(peerId, ACTORS_PROTOCOL);
    return new HostLink(peerId, end, events);
  }

  /** Whether the owner let go of this link, or it ended. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Sends `message` (in order after those sent before); a link that is lost drops it. */
  send(message: OwnerMessage | EncodedMessage<OwnerMessage>): void {
    if (this.#lost) return;
    this.#writer.write(message).catch((error: unknown) => this.#end(`a write to it failed (${describe(error)})`));
  }

  /** Lets go of the link: nothing more is read or sent, and the host drops what it holds for us. */
  abort(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#writer.abort(new Error(reason)).catch(() => {});
  }

  async #read(readable: ReadableStream<HostMessage>): Promise<void> {
    try {
      for await (const message of readable) {
        if (this.#lost) continue; // drained, not read: a link the owner let go of says nothing
        this.#dispatch(message);
      }
    } catch {
      // A broken channel: ended below like a closed one.
    }
    this.#end("its hosting channel closed");
  }

  #dispatch(message: HostMessage): void {
    const m = message as { op?: unknown; seq?: unknown; event?: unknown; key?: unknown; ok?: unknown; error?: unknown };
    if (m?.op === "record") {
      const event = hostEvent(m.event);
      if (!Number.isSafeInteger(m.seq) || event === undefined) return;
      this.#events.record(this, event, m.seq as number);
    } else if (m?.op === "done" && Number.isSafeInteger(m.key)) {
      const error = m.ok === true
        ? undefined
        : (typeof m.error === "object" && m.error !== null ? m.error : { name: "Error", message: "failed" });
      this.#events.done(this, m.key as number, error as ErrorData | undefined);
    }
  }

  #end(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#writer.abort(new Error(reason)).catch(() => {});
    this.#events.ended(this, reason);
  }
}
