/**
 * The worker side of the client protocol: a client submits steps, which this peer owns and
 * runs (placing their attempts in the cluster), and creates and calls actors, which this peer
 * owns and places; answers go back on the same channel.
 *
 * @module
 */
import { type Encoded, encode } from "../common/mod.ts";
import type { NetNode } from "../net/mod.ts";
import type { AnyStep, RunHandle } from "../task/mod.ts";
import { type Batch, MessageBatcher, unbatch } from "./batch.ts";
import { type ActorRequest, type ClientMessage, errorInfo, TASKS_PROTOCOL, type WorkerMessage } from "./protocol.ts";

/** What the worker needs from its app: submitting a step under a given id. */
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
  await node.handleChannel<ClientMessage | Batch<ClientMessage>, WorkerMessage | Batch<WorkerMessage>>(TASKS_PROTOCOL, async (channel) => {
    const outbox = new MessageBatcher<WorkerMessage>(channel.writable.getWriter());
    const handles = new Map<string, RunHandle<unknown>>();
    const send = (message: WorkerMessage) => outbox.push(message);
    const fail = (id: string, error: unknown) => send({ op: "done", id, ok: false, error: errorInfo(error) });
    for await (const received of channel.readable) {
      let messages: readonly ClientMessage[];
      try {
        messages = unbatch(received);
      } catch (error) {
        fail("", error);
        continue;
      }
      for (const message of messages) serve(message);
    }
    function serve(message: ClientMessage): void {
      if (typeof message?.id !== "string") {
        send({ op: "done", id: String((message as { id?: unknown })?.id), ok: false, error: { name: "TypeError", message: "expected a message with a string id" } });
        return;
      }
      const op: string = typeof message.op === "string" ? message.op : "";
      if (op === "cancel") {
        handles.get(message.id)?.cancel();
        return;
      }
      if (op.startsWith("actor.")) {
        answerActor(message as ActorRequest, actors).then(
          (result) => send({ op: "done", id: message.id, ok: true, result: result ?? encode(undefined) }),
          (error) => fail(message.id, error),
        );
        return;
      }
      if (op !== "submit") {
        fail(message.id, new TypeError(`expected op "submit", "cancel" or "actor.*", got ${JSON.stringify(message.op)}`));
        return;
      }
      let handle: RunHandle<unknown>;
      try {
        handle = app.submit((message as { step: AnyStep }).step, { id: message.id });
      } catch (error) {
        fail(message.id, error);
        return;
      }
      handles.set(message.id, handle);
      handle.get().then(
        (value) => send({ op: "done", id: message.id, ok: true, result: encode(value, "result") }),
        (error) => fail(message.id, error),
      ).finally(() => handles.delete(message.id));
    }
    outbox.flush();
  });
}

async function answerActor(request: ActorRequest, actors: ActorGateway | undefined): Promise<Encoded | undefined> {
  if (actors === undefined) throw new TypeError("This peer hosts no actors for clients");
  switch (request.op) {
    case "actor.create":
      return encode(await actors.create(String(request.cls), request.args, request.name));
    case "actor.get":
      return encode(actors.find(String(request.cls), String(request.name)));
    case "actor.call":
      return await actors.call(String(request.actor), String(request.method), request.args);
    case "actor.stop":
      await actors.stop(String(request.actor), request.drain !== false);
      return undefined;
    default:
      throw new TypeError(`unknown op ${JSON.stringify((request as { op: unknown }).op)}`);
  }
}
