/**
 * The hosting side of actors owned by other peers: each owner's channel creates cells whose
 * journal is that owner (events go over the channel; a call's answer waits for the owner's
 * acknowledgement), and relays the owner's calls into them.
 *
 * @module
 */
import type { ActorCell, ActorRecovery } from "../actor/mod.ts";
import { decode, type Encoded } from "../common/mod.ts";
import type { Channel, NetNode } from "../net/mod.ts";
import type { Journal, JournalEvent } from "../store/mod.ts";
import { ACTORS_PROTOCOL, type HostMessage, type OwnerMessage } from "./actor_protocol.ts";
import { errorInfo } from "./protocol.ts";

/** What hosting needs from its peer's actor system. */
export interface ActorHosting {
  host(className: string, identity: { id: string; args: Encoded }, journal: Journal, recovered?: ActorRecovery): Promise<ActorCell>;
}

/** Serves actor hosting on `node`. */
export async function serveActorHosting(node: NetNode, hosting: ActorHosting): Promise<void> {
  await node.handleChannel<OwnerMessage, HostMessage>(ACTORS_PROTOCOL, (channel) => serveOwner(channel, hosting));
}

/** One side of a message pipe. */
export type MessageEnd<In, Out> = Pick<Channel<In, Out>, "readable" | "writable">;

/**
 * Hosting on this very peer, for actors its owner places here: the owner's end of an in-process
 * pipe, served exactly like a remote owner's channel.
 */
export function hostLocally(hosting: ActorHosting): MessageEnd<HostMessage, OwnerMessage> {
  const toHost = new TransformStream<OwnerMessage, OwnerMessage>();
  const toOwner = new TransformStream<HostMessage, HostMessage>();
  void serveOwner({ readable: toHost.readable, writable: toOwner.writable }, hosting);
  return { readable: toOwner.readable, writable: toHost.writable };
}

async function serveOwner(channel: MessageEnd<OwnerMessage, HostMessage>, hosting: ActorHosting): Promise<void> {
  const writer = channel.writable.getWriter();
  const cells = new Map<string, ActorCell>();
  const acks = new Map<number, () => void>();
  let seq = 0;
  let closed = false;
  const send = (message: HostMessage) => writer.write(message).catch(() => {});
  const journal: Journal = {
    record(event: JournalEvent) {
      if (closed) return Promise.reject(new Error("the owner closed the connection"));
      const n = ++seq;
      const acked = new Promise<void>((resolve) => acks.set(n, resolve));
      void send({ op: "record", seq: n, event });
      return acked;
    },
  };
  const answer = (key: number, work: Promise<Encoded | undefined>) =>
    work.then(
      (result) => send(result === undefined ? { op: "done", key, ok: true } : { op: "done", key, ok: true, result }),
      (error) => send({ op: "done", key, ok: false, error: errorInfo(error) }),
    );
  for await (const message of channel.readable) {
    switch (message?.op) {
      case "ack":
        acks.get(message.seq)?.();
        acks.delete(message.seq);
        break;
      case "create":
        void answer(message.key, (async () => {
          const cell = await hosting.host(message.cls, { id: message.actorId, args: message.args }, journal, message.recovered);
          cells.set(message.actorId, cell);
          return undefined;
        })());
        break;
      case "call": {
        const cell = cells.get(message.actorId);
        // The outcome of a call that reaches the actor travels in its logged event; only a call
        // refused before that (no such actor, unknown method, full mailbox) is answered here.
        const call = cell === undefined
          ? Promise.reject(new TypeError(`No actor ${message.actorId} is hosted here for this owner`))
          : cell.call(message.method, decode<unknown[]>(message.args), message.key);
        void answer(message.key, call.then(() => undefined));
        break;
      }
      case "stop":
        void answer(message.key, (async () => {
          await cells.get(message.actorId)?.stop({ drain: message.drain });
          cells.delete(message.actorId);
          return undefined;
        })());
        break;
      default:
        await send({ op: "done", key: 0, ok: false, error: { name: "TypeError", message: 'expected op "create", "call", "stop" or "ack"' } });
    }
  }
  // The owner is gone: its actors here stop without telling anyone (it will re-create them elsewhere).
  closed = true;
  for (const cell of cells.values()) void cell.stop({ drain: false, forget: true }).catch(() => {});
}
