/**
 * The worker side of the client protocol: a client submits work, which this peer owns and
 * runs (placing their attempts in the cluster), and creates and calls actors, which this peer
 * owns and places; answers go back on the same channel.
 *
 * @module
 */
import { encode, type Encoded, errorData, SerializationError } from "../../common/mod.ts";
import { type MessageEnd, type NetNode, type Outcome, serveMessages, type Serving } from "../../net/mod.ts";
import { encodedResultOf, type RunHandle } from "../../task/mod.ts";
import { type ActorHostInfo, directCallId } from "../actors/direct_protocol.ts";
import {
  type ActorRequest,
  type AnswerOp,
  type ClientMessage,
  type StatusRequest,
  TASKS_PROTOCOL,
  type TaskSubmission,
  type WorkerMessage,
} from "./protocol.ts";

/**
 * What the worker needs from its app: submitting a client's compiled workflow under a given id
 * (untrusted: the app checks it, and never compiles it again). An id the app already holds must
 * give that run's handle, so a client re-attaching after a reconnect gets the run it submitted,
 * and a second submit on one channel is answered with it too.
 */
export interface LocalSubmitter {
  submitGraph(graph: unknown, options: { id: string }): RunHandle<unknown>;
  /** Submits one task by its name and encoded arguments (as untrusted as a graph). */
  submitTask(task: unknown, args: unknown, options: { id: string }): RunHandle<unknown>;
}

/** The actors clients reach through this peer (it owns them). */
export interface ActorGateway {
  create(cls: string, args: Encoded, name?: string): Promise<string>;
  find(cls: string, nameOrId: string): string;
  /** `via`: the id of a direct call its caller sends again through the owner (answered once). */
  call(actorId: string, method: string, args: Encoded, via?: string): Promise<Encoded | undefined>;
  stop(actorId: string, drain: boolean): Promise<void>;
  /** Where a live actor is hosted: its host's peer id and the addresses it announces (else `null`). */
  host?(actorId: string): ActorHostInfo | null;
}

/** Serves the client protocol on `node`: work goes to `app`, actor requests to `actors`. */
export async function serveTasks(node: NetNode, app: LocalSubmitter, actors?: ActorGateway): Promise<void> {
  await node.handleChannel<ClientMessage, WorkerMessage>(
    TASKS_PROTOCOL,
    (channel, info) => serveClient(channel, app, actors, info.peerId).done,
  );
}

/**
 * Serves one client's end (a channel, or an in-process pipe in tests) until the client ends its
 * side; `client` is its peer id (what the ids of the direct calls it sends again are built on).
 */
export function serveClient(
  end: MessageEnd<ClientMessage, WorkerMessage>,
  app: LocalSubmitter,
  actors?: ActorGateway,
  client = "in-process",
): Serving<WorkerMessage> {
  const handles = new Map<string, RunHandle<unknown>>();
  const fail = (id: string, error: unknown, op: AnswerOp = "done"): WorkerMessage => ({
    op,
    id,
    ok: false,
    error: errorData(error),
  });
  const reply = (id: string, op: AnswerOp) => (outcome: Outcome<Encoded>): WorkerMessage =>
    outcome.ok ? { op, id, ok: true, result: outcome.value } : fail(id, outcome.error, op);
  const statusOf = async ({ run }: StatusRequest): Promise<Encoded> => {
    const handle = typeof run === "string" ? handles.get(run) : undefined;
    if (handle === undefined) throw new TypeError(`status: no run ${describeValue(run)} is pending on this channel`);
    return encode(await handle.status());
  };
  return serveMessages<ClientMessage, WorkerMessage>(end, {
    handle(message, answers) {
      if (typeof message?.id !== "string") {
        throw new TypeError(
          `expected a message with a string id, got ${describeValue((message as { id?: unknown })?.id)}`,
        );
      }
      const { id } = message;
      const op = typeof message.op === "string" ? message.op : "";
      if (op === "cancel") return void handles.get(id)?.cancel();
      if (op === "status") return answers.answer(statusOf(message as StatusRequest), reply(id, "reply"));
      if (op.startsWith("actor.")) {
        return answers.answer(answerActor(message as ActorRequest, actors, client), reply(id, "reply"));
      }
      if (op !== "submit" && op !== "task") {
        throw new TypeError(
          `expected op "submit", "task", "cancel", "status" or "actor.*", got ${describeValue(message.op)}`,
        );
      }
      const handle = op === "task"
        ? app.submitTask((message as Partial<TaskSubmission>).task, (message as Partial<TaskSubmission>).args, { id })
        : app.submitGraph((message as { graph?: unknown }).graph, { id });
      handles.set(id, handle);
      // The result goes on as the run encoded it: the owner neither decodes nor re-encodes it.
      answers.answer(encodedResultOf(handle).finally(() => handles.delete(id)), reply(id, "done"));
    },
    refuse: (message, error) => {
      const id = (message as { id?: unknown } | null)?.id;
      return fail(typeof id === "string" ? id : describeValue(id), error);
    },
    // An answer too big for a frame becomes an error answer: the channel and the rest go on.
    unsendable: (answer, error) =>
      fail(answer.id, new SerializationError(`the answer to "${answer.id}"`, error.message), answer.op),
    // A result is an op, the client's id (a string) and an encoded value: plain JSON. An error's
    // fields come from the error itself, so error answers are checked as any message is.
    isPlainJson: (answer) => answer.ok === true && typeof answer.id === "string",
  });
}

/** An untrusted value named in an error message (never throws, whatever the value is). */
function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  return typeof value;
}

async function answerActor(request: ActorRequest, actors: ActorGateway | undefined, client: string): Promise<Encoded> {
  if (actors === undefined) throw new TypeError("This peer hosts no actors for clients");
  const text = (field: string, value: unknown): string => {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(`${request.op}: ${field} must be a non-empty string, got ${describeValue(value)}`);
    }
    return value;
  };
  switch (request.op) {
    case "actor.create": {
      const name = request.name === undefined ? undefined : text("name", request.name);
      return encode(await actors.create(text("cls", request.cls), request.args, name));
    }
    case "actor.get":
      return encode(actors.find(text("cls", request.cls), text("name", request.name)));
    case "actor.call": {
      const { via } = request;
      if (via !== undefined && !Number.isSafeInteger(via)) {
        throw new TypeError(`actor.call: via must be a safe integer (a direct call's key), got ${describeValue(via)}`);
      }
      const id = via === undefined ? undefined : directCallId(client, via);
      return (await actors.call(text("actor", request.actor), text("method", request.method), request.args, id)) ??
        encode(undefined);
    }
    case "actor.stop":
      await actors.stop(text("actor", request.actor), request.drain !== false);
      return encode(undefined);
    case "actor.host":
      return encode(actors.host?.(text("actor", request.actor)) ?? null);
    default:
      throw new TypeError(`unknown op ${describeValue((request as { op: unknown }).op)}`);
  }
}
