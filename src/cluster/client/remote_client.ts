/**
 * The client side of task dispatch: a pure client submits to the worker at an address (its
 * owner) and waits for its answers on one channel. When that channel breaks (the owner was
 * killed, restarted, or the network failed), the client dials the owner again with bounded
 * retries and backoff, and re-attaches every pending submission by id: it sends each one again
 * under the same id, and the owner, which recovered those runs from its log, answers with the
 * run it holds (a finished one from the log) instead of running the work twice.
 *
 * Actor requests that were in flight when the channel broke are not sent again: the owner may
 * have applied and logged them, and nothing on the client can tell. They fail with
 * `RequestInterruptedError`; requests made while reconnecting wait and go out once it is back.
 *
 * @module
 */
import {
  backoffDelay,
  type Clock,
  decode,
  type Encoded,
  rebuildError,
  SerializationError,
  sleep,
} from "../../common/mod.ts";
import { type Channel, ChannelClosedError, type MessageEnd, MessageSender } from "../../net/mod.ts";
import { EncodedResultHandle, type RunHandle, type RunStatus } from "../../task/mod.ts";
import type { WorkflowGraph } from "../../workflow/mod.ts";
import { OwnerUnreachableError, RequestInterruptedError } from "./client_errors.ts";
import type { ActorRequest, ClientMessage, StatusRequest, Submission, WorkerMessage } from "./protocol.ts";
import { DEFAULT_RECONNECT, type ReconnectPolicy } from "./reconnect.ts";

/** The channel of the client protocol, seen from the client (or an in-process pipe's end). */
export type ClientChannel = MessageEnd<WorkerMessage, ClientMessage> & Pick<Channel, "abort">;

/** A submitted run the owner has not answered yet: kept (with its submission) to re-attach after a reconnect. */
interface RunPending {
  kind: "run";
  status: RunStatus;
  done: PromiseWithResolvers<Encoded>;
  submission: Submission;
  cancelled: boolean;
}

/** An actor request not answered yet; `sent` once it went to a channel (it is then never sent again). */
interface RequestPending {
  kind: "request";
  done: PromiseWithResolvers<Encoded>;
  message: ActorRequest | StatusRequest;
  sent: boolean;
}

type Pending = RunPending | RequestPending;

/** The words an owner may answer a status request with (another peer's word: checked). */
const RUN_STATUSES: ReadonlySet<RunStatus> = new Set(["queued", "running", "succeeded", "failed", "cancelled"]);

/** One channel to the owner and its writer. */
interface Link {
  channel: ClientChannel;
  outbox: MessageSender<ClientMessage>;
}

/** Options of {@linkcode RemoteClient.connect}. */
export interface RemoteClientOptions {
  /** The owner's address as the user gave it (for error messages). */
  address: string;
  /** Opens a new channel to the owner: called once to connect, and again for each reconnection attempt. */
  dial: () => Promise<ClientChannel>;
  clock: Clock;
  /** Reconnection bounds. Default {@linkcode DEFAULT_RECONNECT}. */
  reconnect?: ReconnectPolicy;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/** A connection to one worker (the owner of what it submits), kept across the owner's restarts. */
export class RemoteClient {
  readonly #options: RemoteClientOptions;
  readonly #clock: Clock;
  /** Runs and actor requests by id: apart, as a run id the user chose may read like a request's. */
  readonly #runs = new Map<string, RunPending>();
  readonly #requests = new Map<string, RequestPending>();
  #link: Link | undefined;
  /** Set once reconnecting gave up (or the client closed): every pending and later call fails with it. */
  #failure: Error | undefined;
  #closing = false;
  /** Aborted by `close`: a reconnection waiting out its backoff stops at once and leaves no timer behind. */
  readonly #closed = new AbortController();
  #nextRequest = 1;

  private constructor(channel: ClientChannel, options: RemoteClientOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#attach(channel);
  }

  /** Connects to the owner through `options.dial`; fails as the first dial does (no retries here). */
  static async connect(options: RemoteClientOptions): Promise<RemoteClient> {
    return new RemoteClient(await options.dial(), options);
  }

  /**
   * Sends the compiled `graph` to run under `id`; the handle settles with the owner's answer, and
   * its status is the owner's word until then. An id this client is still waiting on gives
   * another handle on the same run (`graph` is ignored); an id the owner already holds is answered
   * by the owner with that run.
   */
  submit<T>(id: string, graph: WorkflowGraph): RunHandle<T> {
    return this.#submit<T>({ op: "submit", id, graph });
  }

  /** Sends one task, by its name and encoded arguments, to run under `id`; otherwise as `submit`. */
  submitTask<T>(id: string, task: string, args: Encoded): RunHandle<T> {
    return this.#submit<T>({ op: "task", id, task, args });
  }

  #submit<T>(submission: Submission): RunHandle<T> {
    if (this.#failure !== undefined) throw this.#failure;
    const { id } = submission;
    let pending = this.#runs.get(id);
    if (pending === undefined) {
      pending = {
        kind: "run",
        status: "running",
        done: Promise.withResolvers<Encoded>(),
        submission,
        cancelled: false,
      };
      pending.done.promise.catch(() => {});
      this.#runs.set(id, pending);
      // While reconnecting there is no channel: the submission goes out with the re-attached ones.
      // Built of ids, task names and encoded values: plain JSON, sent without walking it.
      this.#link?.outbox.send(submission, true);
    }
    const run = pending;
    return new RemoteHandle<T>(id, run, this.#clock, () => this.#statusOf(id, run), () => {
      if (this.#runs.get(id) !== run) return Promise.resolve(false);
      run.cancelled = true;
      this.#link?.outbox.send({ op: "cancel", id });
      return Promise.resolve(true);
    });
  }

  /** Sends an actor (or status) request; resolves with the owner's encoded answer. */
  request(message: DistributiveOmit<ActorRequest | StatusRequest, "id">): Promise<Encoded> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = `r${this.#nextRequest++}`;
    const request = { ...message, id } as ActorRequest | StatusRequest;
    const pending: RequestPending = {
      kind: "request",
      done: Promise.withResolvers<Encoded>(),
      message: request,
      sent: false,
    };
    this.#requests.set(id, pending);
    if (this.#link !== undefined) {
      pending.sent = true;
      this.#link.outbox.send(request);
    }
    return pending.done.promise;
  }

  /**
   * Where run `id` stands: its owner's word while it is pending (`"queued"` or `"running"`), else
   * how it ended. When the owner cannot say (the channel broke, the answer crossed the
   * question), the client's own view: `"running"` until the answer.
   */
  async #statusOf(id: string, run: RunPending): Promise<RunStatus> {
    if (this.#runs.get(id) !== run) return run.status; // answered: the client knows how it ended
    if (this.#link === undefined) return run.status; // reconnecting: nobody to ask, and no waiting
    try {
      const status = decode(await this.request({ op: "status", run: id }));
      return this.#runs.get(id) === run && RUN_STATUSES.has(status as RunStatus) ? status as RunStatus : run.status;
    } catch {
      return run.status;
    }
  }

  /** Closes the channel; a reconnection under way stops, and what it waited for fails. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#closed.abort(new ChannelClosedError("the client was closed while reconnecting to its owner"));
    const link = this.#link;
    if (link === undefined) {
      this.#failure ??= new ChannelClosedError("the client was closed while reconnecting to its owner");
      this.#failAll(this.#failure);
      return;
    }
    await link.outbox.close().catch(() => {});
  }

  /** Starts using `channel`: reads its answers, and sends every pending submission and unsent request on it. */
  #attach(channel: ClientChannel): void {
    const outbox = new MessageSender<ClientMessage>(channel.writable, {
      onError: (error) => this.#lost(link, error),
      // A submission too big for a frame fails on its own; the channel and the rest go on.
      refused: (message, error) => {
        const pendings = message.op.startsWith("actor.") ? this.#requests : this.#runs;
        const pending = pendings.get(message.id);
        if (pending === undefined) return undefined;
        const refused = new SerializationError(`the submission "${message.id}"`, error.message);
        this.#settle(pendings, message.id, () => pending.done.reject(refused));
        return undefined;
      },
    });
    const link: Link = { channel, outbox };
    this.#link = link;
    for (const [id, pending] of this.#runs) {
      outbox.send(pending.submission, true);
      if (pending.cancelled) outbox.send({ op: "cancel", id });
    }
    for (const pending of this.#requests.values()) {
      if (pending.sent) continue;
      pending.sent = true;
      outbox.send(pending.message);
    }
    this.#read(link).then(
      () => this.#lost(link, new ChannelClosedError("the worker closed the connection")),
      (error) => this.#lost(link, error),
    );
  }

  async #read(link: Link): Promise<void> {
    // A reader rather than `for await`: the async iterator adds promises per message.
    const reader = link.channel.readable.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const message = next.value;
      const pendings: Map<string, Pending> = message?.op === "reply" ? this.#requests : this.#runs;
      const pending = pendings.get(message?.id);
      if (pending === undefined) continue;
      if (message.ok) {
        this.#settle(pendings, message.id, () => {
          if (pending.kind === "run") pending.status = "succeeded";
          pending.done.resolve(message.result);
        });
      } else {
        const error = rebuildError(message.error);
        if (pending.kind === "run") pending.status = error.code === "CANCELLED" ? "cancelled" : "failed";
        this.#settle(pendings, message.id, () => pending.done.reject(error));
      }
    }
  }

  /** `link` broke (read or write): reconnect, unless it is not the current one or the client is closing. */
  #lost(link: Link, error: unknown): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    link.channel.abort(error);
    if (this.#closing) {
      this.#failure ??= error instanceof Error ? error : new ChannelClosedError(String(error));
      return this.#failAll(this.#failure);
    }
    const { address } = this.#options;
    for (const [id, pending] of this.#requests) {
      if (!pending.sent) continue;
      const interrupted = new RequestInterruptedError(pending.message.op, address, describeRequest(pending.message), {
        cause: error,
      });
      this.#settle(this.#requests, id, () => pending.done.reject(interrupted));
    }
    this.#reconnect(error).catch((failure) => this.#giveUp(failure));
  }

  /** Dials again with backoff until a channel opens, the client closes or the retries run out. */
  async #reconnect(cause: unknown): Promise<void> {
    const { retries, backoff } = this.#options.reconnect ?? DEFAULT_RECONNECT;
    const started = this.#clock.now();
    let last = cause;
    for (let retry = 1; retry <= retries; retry++) {
      await sleep(this.#clock, backoffDelay(retry, backoff, this.#options.random), this.#closed.signal);
      try {
        const channel = await this.#options.dial();
        if (this.#closing) {
          return void channel.abort(new ChannelClosedError("the client was closed while reconnecting to its owner"));
        }
        return this.#attach(channel);
      } catch (error) {
        last = error;
      }
    }
    throw new OwnerUnreachableError(this.#options.address, retries, this.#clock.now() - started, { cause: last });
  }

  #giveUp(failure: unknown): void {
    if (this.#closing) return; // close() failed what was pending already
    // Reconnecting throws OwnerUnreachableError; anything else thrown there still gets a class and a code.
    this.#failure = failure instanceof Error
      ? failure
      : new ChannelClosedError(`reconnecting to the owner failed: ${String(failure)}`);
    this.#failAll(this.#failure);
  }

  #settle(pendings: Map<string, Pending>, id: string, settle: () => void): void {
    pendings.delete(id);
    settle();
  }

  #failAll(error: unknown): void {
    for (const [id, pending] of this.#runs) {
      pending.status = "failed";
      this.#settle(this.#runs, id, () => pending.done.reject(error));
    }
    for (const [id, pending] of this.#requests) this.#settle(this.#requests, id, () => pending.done.reject(error));
  }
}

/** What an actor request was, in an error message. */
function describeRequest(request: ActorRequest | StatusRequest): string {
  switch (request.op) {
    case "status":
      return `asking for the status of run ${request.run}`;
    case "actor.call":
      return `the call ${request.method}() on actor ${request.actor}`;
    case "actor.create":
      return `createActor(${request.cls}${request.name === undefined ? "" : `, "${request.name}"`})`;
    case "actor.get":
      return `getActor(${request.cls}, "${request.name}")`;
    case "actor.stop":
      return `stopping actor ${request.actor}`;
    case "actor.host":
      return `asking where actor ${request.actor} is hosted`;
  }
}

/** The handle of work submitted to a worker: its outcome is the worker's answer. */
class RemoteHandle<T> extends EncodedResultHandle<T> {
  readonly id: string;
  protected readonly clock: Clock;
  readonly #pending: RunPending;
  readonly #status: () => Promise<RunStatus>;
  readonly #cancel: () => Promise<boolean>;

  constructor(
    id: string,
    pending: RunPending,
    clock: Clock,
    status: () => Promise<RunStatus>,
    cancel: () => Promise<boolean>,
  ) {
    super();
    this.id = id;
    this.#pending = pending;
    this.clock = clock;
    this.#status = status;
    this.#cancel = cancel;
  }

  protected outcome(): Promise<Encoded> {
    return this.#pending.done.promise;
  }

  /** The owner's word while the run is pending (one round trip), else how it ended. */
  status(): Promise<RunStatus> {
    return this.#status();
  }

  cancel(): Promise<boolean> {
    return this.#cancel();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
