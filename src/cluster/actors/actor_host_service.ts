/**
 * The hosting side of actors owned by other peers: each owner's channel creates cells whose
 * journal is that owner (events go over the channel; a call's answer waits for the owner's
 * acknowledgement), and relays the owner's calls into them. When the channel ends, or this
 * peer's membership takes the owner as gone (`dropOwner`), its cells here stop without
 * logging anything: the owner, if alive, moves them from its log.
 *
 * @module
 */
import type { ActorCell, ActorEvent, ActorJournal, ActorRecovery } from "../../actor/mod.ts";
import { decode, type Encoded, errorData, SerializationError } from "../../common/mod.ts";
import {
  type Channel,
  type MessageEnd,
  messagePipe,
  type NetNode,
  type Outcome,
  serveMessages,
  type Serving,
} from "../../net/mod.ts";
import { ACTORS_PROTOCOL, type HostMessage, type OwnerMessage } from "./actor_protocol.ts";
import { HostedActors } from "./hosted_actors.ts";

/** What hosting needs from its peer's actor system. */
export interface ActorHosting {
  host(
    className: string,
    identity: { id: string; args: Encoded },
    journal: ActorJournal,
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
  /** The actors hosted here, whichever owner placed them (for direct calls). */
  readonly hosted: HostedActors;
}

/** Serves actor hosting on `node`. */
export async function serveActorHosting(node: NetNode, hosting: ActorHosting): Promise<ActorHostingService> {
  /** The hosting channels served, by owner, so an owner taken as gone can be let go of. */
  const owners = new Map<string, Set<Channel<OwnerMessage, HostMessage>>>();
  const hosted = new HostedActors();
  await node.handleChannel<OwnerMessage, HostMessage>(ACTORS_PROTOCOL, async (channel, info) => {
    const channels = owners.get(info.peerId) ?? new Set();
    owners.set(info.peerId, channels.add(channel));
    try {
      await serveActorOwner(channel, hosting, hosted);
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
    hosted,
  };
}

/**
 * Hosting on this very peer, for actors its owner places here: the owner's end of an in-process
 * pipe, served exactly like a remote owner's channel.
 */
export function hostLocally(hosting: ActorHosting): MessageEnd<HostMessage, OwnerMessage> {
  const [owner, host] = messagePipe<OwnerMessage, HostMessage>();
  void serveActorOwner(host, hosting);
  return owner;
}

/**
 * Serves one owner's end (a channel, or an in-process pipe) until the owner ends its side; the
 * cells it hosts are also in `hosted` while they live (for direct calls).
 */
export function serveActorOwner(
  end: MessageEnd<OwnerMessage, HostMessage>,
  hosting: ActorHosting,
  hosted: HostedActors = new HostedActors(),
): Promise<void> {
  const cells = new Map<string, ActorCell>();
  const forget = (id: string) => {
    const cell = cells.get(id);
    cells.delete(id);
    if (cell !== undefined) hosted.remove(cell);
  };
  const acks = new Map<number, PromiseWithResolvers<void>>();
  let seq = 0;
  let closed = false;
  const journal: ActorJournal = {
    record(event: ActorEvent) {
      if (closed) return Promise.reject(new Error("the owner closed the connection"));
      // A hosted cell never records its creation: its owner logged that before placing it.
      if (event.type === "actor.created") return undefined;
      const n = ++seq;
      const acked = Promise.withResolvers<void>();
      acks.set(n, acked);
      serving.send({ op: "record", seq: n, event });
      return acked.promise;
    },
  };
  const answered = (key: number) => (outcome: Outcome<unknown>): HostMessage =>
    outcome.ok ? { op: "done", key, ok: true } : { op: "done", key, ok: false, error: errorData(outcome.error) };
  const serving: Serving<HostMessage> = serveMessages<OwnerMessage, HostMessage>(end, {
    handle(message, answers) {
      if (message?.op === "ack") {
        acks.get(message.seq)?.resolve();
        acks.delete(message.seq);
        return;
      }
      if (!Number.isSafeInteger(message?.key)) throw new TypeError("expected a safe integer key");
      switch (message.op) {
        case "create":
          return answers.answer(create(message), answered(message.key));
        case "call": {
          const cell = cells.get(message.actorId);
          const via = typeof message.via === "string" ? message.via : undefined;
          // A direct call sent again through the owner (its caller's connection to here broke):
          // taken here already, it runs once, and its logged event answers the owner's copy too.
          const taken = via === undefined ? undefined : hosted.takenDirect(via);
          if (taken !== undefined) return answers.answer(taken, answered(message.key));
          const args = decode<unknown[]>(message.args);
          if (!Array.isArray(args)) throw new TypeError(`The arguments of a call must be a list, got ${typeof args}`);
          // The outcome of a call that reaches the actor travels in its logged event; only a call
          // refused before that (no such actor, unknown method, full mailbox) is answered here.
          const call = cell === undefined
            ? Promise.reject(new TypeError(`No actor ${String(message.actorId)} is hosted here for this owner`))
            : cell.call(
              String(message.method),
              args,
              via === undefined ? { key: message.key } : { key: message.key, via },
            );
          return answers.answer(call, answered(message.key));
        }
        case "stop":
          return answers.answer(
            (async () => {
              await cells.get(message.actorId)?.stop({ drain: message.drain });
              forget(message.actorId);
            })(),
            answered(message.key),
          );
        default:
          throw new TypeError('expected op "create", "call", "stop" or "ack"');
      }
    },
    refuse(message, error) {
      const key = (message as { key?: unknown } | null)?.key;
      return { op: "done", key: Number.isSafeInteger(key) ? key as number : 0, ok: false, error: errorData(error) };
    },
    unsendable(message, error) {
      if (message.op !== "record") {
        return { op: "done", key: message.key, ok: false, error: errorData(error) };
      }
      const { event, seq } = message;
      if (event.type === "actor.call") {
        // Its result cannot travel: the call is logged with a SerializationError in its place
        // (its state change stands, its caller gets the error).
        const { result: _unsendable, ...rest } = event;
        const refused = new SerializationError(`the result of ${String(event.method)}`, error.message);
        return { op: "record", seq, event: { ...rest, error: errorData(refused) } };
      }
      // A checkpoint too big to send is not sent: the calls since the last one cover it. Any
      // other event fails the actor's step that recorded it.
      const ack = acks.get(seq);
      acks.delete(seq);
      if (event.type === "actor.checkpoint") ack?.resolve();
      else ack?.reject(error);
      return undefined;
    },
    ended() {
      // The owner is gone: its actors here stop without telling anyone (it re-creates them
      // elsewhere), and whatever waits for its acknowledgement learns that none will come.
      closed = true;
      for (const ack of acks.values()) ack.reject(new Error("the owner's connection closed"));
      acks.clear();
      for (const [id, cell] of cells) {
        void cell.stop({ drain: false, forget: true }).catch(() => {});
        forget(id);
      }
    },
  });

  async function create(message: Extract<OwnerMessage, { op: "create" }>): Promise<void> {
    const identity = { id: String(message.actorId), args: message.args };
    const cell = await hosting.host(String(message.cls), identity, journal, message.recovered);
    // The owner may have gone while the actor was starting: then nobody will reach it.
    if (closed) void cell.stop({ drain: false, forget: true }).catch(() => {});
    else {
      cells.set(message.actorId, cell);
      hosted.add(cell);
    }
  }
  return serving.done;
}
