// The owner's side of the actor hosting protocol for fuzz tests: an owner channel to a real
// worker whose messages are kept in order and waited for by what they are, and message builders.
import assert from "node:assert/strict";
import { decode, encode, type Encoded } from "../../src/common/mod.ts";
import type { MessageEnd } from "../../src/net/mod.ts";
import { within } from "./async.ts";
import { HANG_BOUND_MS } from "./fuzz_worker.ts";
/** Keys of our flush messages, clear of the cases' own. */
export const FLUSH_KEYS = 900_000;
export const typeError = { name: "TypeError" };
export const unknownMethod = { name: "UnknownMethodError", code: "UNKNOWN_METHOD" };
export const actorNotFound = { name: "ActorNotFoundError", code: "ACTOR_NOT_FOUND" };
export const actorInit = { name: "ActorInitError", code: "ACTOR_INIT_FAILED" };

export const create = (key: unknown, actorId: unknown, extra: object = {}) => ({
  op: "create",
  key,
  actorId,
  cls: "Counter",
  args: encode([]),
  ...extra,
});
export const call = (key: unknown, actorId: unknown, method: unknown, args: unknown) => ({
  op: "call",
  key,
  actorId,
  method,
  args,
});

/** A message of the worker, as far as the checks look into it. */
export interface HostReply {
  op?: unknown;
  key?: unknown;
  seq?: unknown;
  ok?: unknown;
  error?: { name?: unknown; message?: unknown };
  event?: { type?: unknown; id?: unknown; n?: unknown; key?: unknown; result?: Encoded; state?: Encoded };
}

export const isRecord = (reply: HostReply, type: string) => reply?.op === "record" && reply.event?.type === type;

/** An owner's end of the hosting protocol: a channel to a worker, or an in-process pipe. */
export interface OwnerEnd extends MessageEnd<unknown, unknown> {
  /** Resets both directions. */
  abort(reason?: unknown): void;
}

/** What serves the hosting protocol to the fuzz: a worker process, or a host in this process. */
export interface HostTarget {
  /** A new owner's end. */
  openOwner(): Promise<OwnerEnd>;
  /** Throws when the host is dead (or its serve loop failed). */
  assertAlive(what: string): void;
}

/** Our end of a hosting channel, as the owner: the worker's messages in order, waited for by what they are. */
export class Owner {
  readonly replies: HostReply[] = [];
  readonly #channel: OwnerEnd;
  readonly #writer: WritableStreamDefaultWriter<unknown>;
  readonly #label: string;
  #arrived = Promise.withResolvers<void>();
  #ended: string | undefined;
  #flushes = 0;

  private constructor(channel: OwnerEnd, options: { label: string; acks: boolean }) {
    this.#channel = channel;
    this.#writer = channel.writable.getWriter();
    this.#label = options.label;
    void this.#read(options.acks);
  }

  /** Opens a hosting channel to `host`; with `acks`, every record is acknowledged as it comes. */
  static async open(host: HostTarget, options: { label: string; acks: boolean }): Promise<Owner> {
    return new Owner(await host.openOwner(), options);
  }

  async #read(acks: boolean): Promise<void> {
    try {
      for await (const received of this.#channel.readable) {
        const reply = received as HostReply;
        this.replies.push(reply);
        if (acks && reply?.op === "record") this.ack(reply.seq);
        this.#arrived.resolve();
        this.#arrived = Promise.withResolvers();
      }
      this.#ended = "the worker ended the channel";
    } catch (error) {
      this.#ended = `the channel failed (${(error as Error).message})`;
    }
    this.#arrived.resolve();
  }

  send(...messages: unknown[]): void {
    for (const message of messages) void this.#writer.write(message).catch(() => {});
  }

  ack(seq: unknown): void {
    this.send({ op: "ack", seq });
  }

  /** Resolves once `ready()` holds (bounded: a worker that never gets there fails the test). */
  async until(ready: () => boolean, what: string): Promise<void> {
    const waiting = (async () => {
      while (!ready()) {
        if (this.#ended !== undefined) throw new Error(`${this.#label}: ${this.#ended} before ${what}`);
        await this.#arrived.promise;
      }
    })();
    await within(waiting, HANG_BOUND_MS, `${this.#label}: ${what}`).catch((error: Error) => {
      throw new Error(`${error.message}; the worker sent ${JSON.stringify(this.replies)}`, { cause: error });
    });
  }

  /** The first message that `matches`, once it came. */
  async reply(matches: (reply: HostReply) => boolean, what: string): Promise<HostReply> {
    await this.until(() => this.replies.some(matches), what);
    return this.replies.find(matches)!;
  }

  /** Every `done` so far under `key`. */
  dones(key: unknown): HostReply[] {
    return this.replies.filter((reply) => reply?.op === "done" && Object.is(reply.key, key));
  }

  done(key: number): Promise<HostReply> {
    return this.reply((reply) => reply?.op === "done" && reply.key === key, `the done of key ${key}`);
  }

  /** The record of the call under `key`: its outcome. */
  callRecord(key: number): Promise<HostReply> {
    return this.reply(
      (reply) => isRecord(reply, "actor.call") && reply.event!.key === key,
      `the record of call ${key}`,
    );
  }

  /** Sends a message the worker refuses at once and waits for the refusal: all we sent before was read. */
  async flush(): Promise<void> {
    const key = FLUSH_KEYS + this.#flushes++;
    this.send({ op: "flush", key });
    await this.done(key);
  }

  /** Ends our side with an end frame, and keeps reading. */
  async end(): Promise<void> {
    await this.#writer.close().catch(() => {});
  }

  /** Resets the channel. */
  abort(): void {
    this.#channel.abort(new Error("case over"));
  }
}

/** Runs `use` with a fresh owner channel to `worker`, resets it afterwards, and checks the worker lives. */
export async function hosting(
  worker: HostTarget,
  options: { label: string; acks: boolean },
  use: (owner: Owner) => Promise<void>,
): Promise<void> {
  const owner = await Owner.open(worker, options);
  try {
    await use(owner);
  } finally {
    owner.abort();
    worker.assertAlive(options.label);
  }
}

/** A Counter is created under `actorId`, and add(2) on it gets 2: the channel serves. */
export async function assertServes(owner: Owner, actorId: string): Promise<void> {
  owner.send(create(FLUSH_KEYS - 2, actorId));
  assert.deepEqual(await owner.done(FLUSH_KEYS - 2), { op: "done", key: FLUSH_KEYS - 2, ok: true });
  owner.send(call(FLUSH_KEYS - 1, actorId, "add", encode([2])));
  assert.equal(decode((await owner.callRecord(FLUSH_KEYS - 1)).event!.result!), 2);
  assert.deepEqual(await owner.done(FLUSH_KEYS - 1), { op: "done", key: FLUSH_KEYS - 1, ok: true });
}
