/**
 * The host's side of direct calls (see `./direct_protocol.ts`): a caller's call goes into the
 * mailbox of the actor hosted here, and its answer goes back once the actor's owner has logged
 * it (the cell answers a hosted call only after its owner's acknowledgement). A call for an actor
 * not hosted here, or one stopping as it moves, is answered `elsewhere`, without running.
 *
 * @module
 */
import { ActorStoppedError, decode, encode, errorData, SerializationError } from "../../common/mod.ts";
import { type MessageEnd, type NetNode, type Outcome, serveMessages, type Serving } from "../../net/mod.ts";
import { DIRECT_CALLS_PROTOCOL, type DirectAnswer, type DirectCall, directCallId } from "./direct_protocol.ts";
import type { HostedActors } from "./hosted_actors.ts";

/** Serves direct calls on `node` to the actors in `hosted`. */
export async function serveDirectCalls(node: NetNode, hosted: HostedActors): Promise<void> {
  await node.handleChannel<DirectCall, DirectAnswer>(
    DIRECT_CALLS_PROTOCOL,
    (channel, info) => serveDirectCaller(channel, hosted, info.peerId).done,
  );
}

/**
 * Serves the end of the caller `caller` (a peer id: a channel, or an in-process pipe in tests)
 * until the caller ends its side. Each call is logged under its id, `<caller>:<key>`.
 */
export function serveDirectCaller(
  end: MessageEnd<DirectCall, DirectAnswer>,
  hosted: HostedActors,
  caller: string,
): Serving<DirectAnswer> {
  const failed = (key: number, error: unknown): DirectAnswer => {
    // A stopped cell ran none of the calls it refuses: the owner can place them where it is now.
    const elsewhere = error instanceof ActorStoppedError ? { elsewhere: true as const } : {};
    return { op: "done", key, ok: false, error: errorData(error), ...elsewhere };
  };
  const answered = (key: number) => (outcome: Outcome<unknown>): DirectAnswer => {
    if (!outcome.ok) return failed(key, outcome.error);
    return { op: "done", key, ok: true, result: encode(outcome.value) };
  };
  return serveMessages<DirectCall, DirectAnswer>(end, {
    handle(message, answers) {
      if (message?.op !== "call") throw new TypeError('expected op "call"');
      const { key, actorId, method } = message;
      if (!Number.isSafeInteger(key)) throw new TypeError("expected a safe integer key");
      if (typeof actorId !== "string" || typeof method !== "string") {
        throw new TypeError("expected a call with string actorId and method");
      }
      const args = decode<unknown[]>(message.args);
      if (!Array.isArray(args)) throw new TypeError(`The arguments of a call must be a list, got ${typeof args}`);
      answers.answer(hosted.callDirect(actorId, method, args, directCallId(caller, key)), answered(key));
    },
    refuse(message, error) {
      const key = (message as { key?: unknown } | null)?.key;
      return failed(Number.isSafeInteger(key) ? key as number : 0, error);
    },
    unsendable: (answer, error) =>
      failed(answer.key, new SerializationError(`the answer to call ${answer.key}`, error.message)),
  });
}
