/**
 * The hosting side of actors owned by other peers: each owner's channel creates cells whose
 * journal is that owner (events go over the channel; a call's answer waits for the owner's
 * acknowledgement), and relays the owner's calls into them. When the channel ends, or this
 * peer's membership takes the owner as gone (`dropOwner`), its cells here stop without
 * logging anything: the owner, if alive, moves them from its log.
 *
 * @module
 */
import type { ActorCell, ActorRecovery } from "../actor/mod.ts";
import { decode, type Encoded } from "../common/mod.ts";
import { type Channel, messageSize, type NetNode } from "../net/mod.ts";
import type { Journal, JournalEvent } from "../store/mod.ts";
import { ACTORS_PROTOCOL, type HostMessage, type OwnerMessage } from "./actor_protocol.ts";
import { MAX_BATCH_BYTES } from "./batch.ts";
import { errorInfo } from "./protocol.ts";

/** What hosting needs from its peer's actor system. */
export interface ActorHosting {
  host(
    className: string,
    identity: { id: string; args: Encoded },
    journal: Journal,
    recovered?: ActorRecovery,
  ): Promise<ActorCell>;
}

/** Actor hosting as served on a node. */
export interface ActorHostingService {
  /**
   * Lets go of the actors hosted here for `owner`, which this peer's membership takes as gone:
   * their channels are aborted, so they stop here (without logging anything), and the owner, if
   * it is alive after all, sees its channel end and moves them from its log. Without this, an
   * owner that was only stopped or cut off for a while would find its actors still here, running
   * on a history it no longer agrees with.
   */
  dropOwner(owner: string, reason: string): void;
}

/** Serves actor hosting on `node`. */
export async function serveActorHosting(node: NetNode, hosting: ActorHosting): Promise<ActorHostingService> {
  /** The hosting channels served, by owner, so an owner taken as gone can be let go of. */
  const owners = new Map<string, Set<Channel<OwnerMessage, HostMessage>>>();
  await node.handleChannel<OwnerMessage, HostMessage>(ACTORS_PROTOCOL, async (channel, info) => {
    const channels = owners.get(info.peerId) ?? new Set();
    owners.set(info.peerId, channels.add(channel));
    try {
      await serveOwner(channel, hosting);
    } finally {
      channels.delete(channel);
      if (channels.size === 0 && owners.get(info.peerId) === channels) owners.delete(info.peerId);
    }
  });
  return {
    dropOwner(owner, reason) {
      for (const channel of owners.get(owner) ?? []) {
        channel.abort(new Error(`the owner ${owner} was taken as gone: ${reason}`));
      }
    },
  };
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
  const acks = new Map<number, PromiseWithResolvers<void>>();
  let seq = 0;
  let closed = false;
  const send = (message: HostMessage) => writer.write(message).catch(() => {});
  const journal: Journal = {
    record(recorded: JournalEvent) {
      if (closed) return Promise.reject(new Error("the owner closed the connection"));
      const event = fitToFrame(recorded);
      if (event === undefined) return Promise.resolve(); // a checkpoint too big to send: replay covers it
      const n = ++seq;
      const acked = Promise.withResolvers<void>();
      acks.set(n, acked);
      void send({ op: "record", seq: n, event });
      return acked.promise;
    },
  };
  let outstanding = 0;
  let allAnswered: (() => void) | undefined;
  const answer = (key: number, work: Promise<Encoded | undefined>) => {
    outstanding++;
    void work.then(
      (result) => send(result === undefined ? { op: "done", key, ok: true } : { op: "done", key, ok: true, result }),
      (error) => send({ op: "done", key, ok: false, error: errorInfo(error) }),
    ).finally(() => {
      if (--outstanding === 0) allAnswered?.();
    });
  };
  const serve = (message: OwnerMessage) => {
    if (message?.op === "ack") {
      acks.get(message.seq)?.resolve();
      acks.delete(message.seq);
      return;
    }
    if (!Number.isSafeInteger(message?.key)) throw new TypeError("expected a safe integer key");
    switch (message.op) {
      case "create":
        return answer(
          message.key,
          (async () => {
            const cell = await hosting.host(
              String(message.cls),
              { id: String(message.actorId), args: message.args },
              journal,
              message.recovered,
            );
            // The owner may have gone while the actor was starting: then nobody will reach it.
            if (closed) void cell.stop({ drain: false, forget: true }).catch(() => {});
            else cells.set(message.actorId, cell);
            return undefined;
          })(),
        );
      case "call": {
        const cell = cells.get(message.actorId);
        const args = decode<unknown[]>(message.args);
        if (!Array.isArray(args)) throw new TypeError(`The arguments of a call must be a list, got ${typeof args}`);
        // The outcome of a call that reaches the actor travels in its logged event; only a call
        // refused before that (no such actor, unknown method, full mailbox) is answered here.
        const call = cell === undefined
          ? Promise.reject(new TypeError(`No actor ${String(message.actorId)} is hosted here for this owner`))
          : cell.call(String(message.method), args, message.key);
        return answer(message.key, call.then(() => undefined));
      }
      case "stop":
        return answer(
          message.key,
          (async () => {
            await cells.get(message.actorId)?.stop({ drain: message.drain });
            cells.delete(message.actorId);
            return undefined;
          })(),
        );
      default:
        throw new TypeError('expected op "create", "call", "stop" or "ack"');
    }
  };
  try {
    for await (const message of channel.readable) {
      try {
        serve(message);
      } catch (error) {
        // One bad message gets its own error answer; the channel and the actors on it go on.
        const key = (message as { key?: unknown } | null)?.key;
        void send({
          op: "done",
          key: Number.isSafeInteger(key) ? key as number : 0,
          ok: false,
          error: errorInfo(error),
        });
      }
    }
  } catch {
    // A broken channel ends hosting for this owner like a closed one.
  } finally {
    // The owner is gone: its actors here stop without telling anyone (it re-creates them elsewhere),
    // and whatever waits for its acknowledgement learns that none will come.
    closed = true;
    for (const ack of acks.values()) ack.reject(new Error("the owner's connection closed"));
    acks.clear();
    for (const cell of cells.values()) void cell.stop({ drain: false, forget: true }).catch(() => {});
    // Every request still gets its answer (mostly failures now), then our side ends too.
    if (outstanding > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
    await writer.close().catch(() => {});
  }
}

/**
 * `event` as it can travel in one frame: a call whose result is too big is logged with a
 * `SerializationError` in its place (its state change stands, its caller gets the error); a
 * checkpoint too big is not sent at all (`undefined`), the calls since the last one cover it.
 */
function fitToFrame(event: JournalEvent): JournalEvent | undefined {
  if (messageSize({ op: "record", seq: 0, event }) <= MAX_BATCH_BYTES) return event;
  if (event.type === "actor.checkpoint") return undefined;
  if (event.type !== "actor.call" || !("result" in event)) return event;
  const { result: _tooBig, ...rest } = event;
  const message = `the result of ${String(event.method)} does not fit in a frame (at most ${MAX_BATCH_BYTES} bytes)`;
  return { ...rest, type: "actor.call", error: { name: "SerializationError", code: "NOT_SERIALIZABLE", message } };
}
