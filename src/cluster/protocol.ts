/**
 * The client protocol between a client and a worker: the client submits steps (a signature or a
 * workflow tree, plain data) under ids it chooses, and creates and calls actors; the worker, which
 * then owns the work, answers each once, when it is done. Messages written in one tick travel
 * as one batch (`./batch.ts`).
 *
 * @module
 */
import { ActantError, type Encoded, NonRetryableError, PeerLostError } from "../common/mod.ts";
import { actantProtocol } from "../net/mod.ts";
import type { AnyStep } from "../task/mod.ts";

/** The protocol id of task dispatch. */
export const TASKS_PROTOCOL: string = actantProtocol("tasks", "1");

/** An error as it crosses the wire. */
export interface ErrorInfo {
  name: string;
  code?: string;
  message: string;
}

/** What a client sends: work to own and run, and the actors it creates and calls. */
export type ClientMessage =
  | { op: "submit"; id: string; step: AnyStep }
  | { op: "cancel"; id: string }
  | ActorRequest;

/** A client's actor requests; each is answered with `done` (an actor id, or a call's result). */
export type ActorRequest =
  | { op: "actor.create"; id: string; cls: string; args: Encoded; name?: string }
  | { op: "actor.get"; id: string; cls: string; name: string }
  | { op: "actor.call"; id: string; actor: string; method: string; args: Encoded }
  | { op: "actor.stop"; id: string; actor: string; drain: boolean };

/** What a worker answers, once per submission or request. */
export type WorkerMessage =
  | { op: "done"; id: string; ok: true; result: Encoded }
  | { op: "done"; id: string; ok: false; error: ErrorInfo };

/** The wire form of an error. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof ActantError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/**
 * An error rebuilt from its wire form: an `ActantError` with the remote `name` and `code`. The
 * kinds the scheduler acts on come back as their own classes: `NonRetryableError` (no retry),
 * `PeerLostError` (placed again).
 */
export function rebuildError(info: ErrorInfo): ActantError {
  if (info.code === "NON_RETRYABLE") return new NonRetryableError(info.message);
  if (info.code === "PEER_LOST") return new PeerLostError((info as { peerId?: string }).peerId ?? "?", info.message);
  const error = new ActantError(info.code ?? "REMOTE_ERROR", info.message);
  error.name = info.name;
  return error;
}
