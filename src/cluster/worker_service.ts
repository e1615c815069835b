/**
 * The worker side of the client protocol: a client submits steps, which this peer owns and
 * runs (placing their attempts in the cluster), and creates and calls actors, which this peer
 * owns and places; answers go back on the same channel.
 *
 * @module
 */
import { encode, type Encoded } from "../common/mod.ts";
import type { NetNode } from "../net/mod.ts";
import { type AnyStep, encodedResultOf, type RunHandle } from "../task/mod.ts";
import { type Batch, MessageBatcher, unbatch } from "./batch.ts";
import {
  type ActorRequest,
  type AnswerOp,
  type ClientMessage,
  errorInfo,
  TASKS_PROTOCOL,
  type WorkerMessage,
} from "./protocol.ts";

/**
 * What the worker needs from its app: submitting a step under a given id. An id the app already
 * holds must give that run's handle (`ActantApp.submit` does), so a client re-attaching after a
 * reconnect gets the run it submitted, and a second submit on one channel is answered with it too.
 */
export interface LocalSubmitter {
  submit(step: AnyStep, options: { id: string }): RunHandle<unknown>;
}

/** The actors clients reach through this peer (it owns them). */
export interface ActorGateway {
  create(cls: string, args: Encoded, name?: string): Promise<string>;
  find(cls: string, nameOrId: string): string;
  call(actorId: string, method: string, args: Encoded): Promise<Encoded | undefined>;
  stop(actorId: string, drain: boolean): Promise<void>;
}

/** Serves the client protocol on `node`: work goes to `app`, actor requests to `actors`. */
export async function serveTasks(node: NetNode, app: LocalSubmitter, actors?: ActorGateway): Promise<void> {
  await node.handleChannel<ClientMessage | Batch<ClientMessage>, WorkerMessage | Batch<WorkerMessage>>(
    TASKS_PROTOCOL,
    async (channel) => {
      const outbox: MessageBatcher<WorkerMessage> = new MessageBatcher<WorkerMessage>(channel.writable.getWriter(), {
        // An answer too big for a frame becomes an error answer: the channel and the rest go on.
        onRefused: (reply, error) =>
          outbox.push({
            op: reply.op,
            id: reply.id,
            ok: false,
            error: {
              name: "SerializationError",
              code: "NOT_SERIALIZABLE",
              message: `Cannot send the answer to "${reply.id}": ${error.message}`,
            },
          }),
      });
      const handles = new Map<string, RunHandle<unknown>>();
      let outstanding = 0;
      let allAnswered: (() => void) | undefined;
      const send = (message: WorkerMessage) => outbox.push(message);
      const fail = (id: string, error: unknown, op: AnswerOp = "done") =>
        send({ op, id, ok: false, error: errorInfo(error) });
      /** Answers `id` once `work` settles; the channel closes only after every answer went out. */
      const answer = (id: string, work: Promise<Encoded>, op: AnswerOp = "done") => {
        outstanding++;
        work.then((result) => send({ op, id, ok: true, result }), (error) => fail(id, error, op)).finally(() => {
          if (--outstanding === 0) allAnswered?.();
        });
      };
      const serve = (message: ClientMessage) => {
        if (typeof message?.id !== "string") {
          return fail(
            describeValue((message as { id?: unknown })?.id),
            new TypeError("expected a message with a string id"),
          );
        }
        const { id } = message;
        const op = typeof message.op === "string" ? message.op : "";
        if (op === "cancel") return void handles.get(id)?.cancel();
        if (op.startsWith("actor.")) return answer(id, answerActor(message as ActorRequest, actors), "reply");
        if (op !== "submit") {
          return fail(
            id,
            new TypeError(`expected op "submit", "cancel" or "actor.*", got ${describeValue(message.op)}`),
          );
        }
        const handle = app.submit((message as { step: AnyStep }).step, { id });
        handles.set(id, handle);
        // The result goes on as the run encoded it: the owner neither decodes nor re-encodes it.
        answer(id, encodedResultOf(handle).finally(() => handles.delete(id)));
      };
      for await (const received of channel.readable) {
        let messages: readonly ClientMessage[];
        try {
          messages = unbatch(received);
        } catch (error) {
          fail("", error);
          continue;
        }
        for (const message of messages) {
          try {
            serve(message);
          } catch (error) {
            // One bad message gets its own error answer; the channel and the rest go on.
            fail(typeof message?.id === "string" ? message.id : "", error);
          }
        }
        // Replies go out as fast as the client takes them: stop reading while they cannot.
        await outbox.ready();
      }
      // The client ended its side: finish answering, then end ours.
      if (outstanding > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
      await outbox.close().catch(() => {});
    },
  );
}

/** An untrusted value named in an error message (never throws, whatever the value is). */
function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  return typeof value;
}

async function answerActor(request: ActorRequest, actors: ActorGateway | undefined): Promise<Encoded> {
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
    case "actor.call":
      return (await actors.call(text("actor", request.actor), text("method", request.method), request.args)) ??
        encode(undefined);
    case "actor.stop":
      await actors.stop(text("actor", request.actor), request.drain !== false);
      return encode(undefined);
    default:
      throw new TypeError(`unknown op ${describeValue((request as { op: unknown }).op)}`);
  }
}
