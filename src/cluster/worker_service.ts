/**
 * The worker side of task dispatch: every client channel may submit steps, which this peer runs
 * (and owns) with its own registered tasks; results go back on the same channel.
 *
 * @module
 */
import { encode } from "../common/mod.ts";
import type { NetNode } from "../net/mod.ts";
import type { AnyStep, RunHandle } from "../task/mod.ts";
import { type ClientMessage, errorInfo, TASKS_PROTOCOL, type WorkerMessage } from "./protocol.ts";

/** What the worker needs from its app: submitting a step under a given id. */
export interface LocalSubmitter {
  submit(step: AnyStep, options: { id: string }): RunHandle<unknown>;
}

/** Serves task dispatch on `node` with `app`'s tasks. */
export async function serveTasks(node: NetNode, app: LocalSubmitter): Promise<void> {
  await node.handleChannel<ClientMessage, WorkerMessage>(TASKS_PROTOCOL, async (channel) => {
    const writer = channel.writable.getWriter();
    const handles = new Map<string, RunHandle<unknown>>();
    const send = (message: WorkerMessage) => writer.write(message).catch(() => {});
    for await (const message of channel.readable) {
      if (message?.op === "cancel") {
        handles.get(message.id)?.cancel();
        continue;
      }
      if (message?.op !== "submit" || typeof message.id !== "string") {
        send({ op: "done", id: String((message as { id?: unknown })?.id), ok: false, error: { name: "TypeError", message: "expected { op: \"submit\" | \"cancel\", id }" } });
        continue;
      }
      let handle: RunHandle<unknown>;
      try {
        handle = app.submit(message.step, { id: message.id });
      } catch (error) {
        send({ op: "done", id: message.id, ok: false, error: errorInfo(error) });
        continue;
      }
      handles.set(message.id, handle);
      send({ op: "accepted", id: message.id });
      handle.get().then(
        (value) => send({ op: "done", id: message.id, ok: true, result: encode(value, "result") }),
        (error) => send({ op: "done", id: message.id, ok: false, error: errorInfo(error) }),
      ).finally(() => handles.delete(message.id));
    }
  });
}
