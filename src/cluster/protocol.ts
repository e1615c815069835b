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
  /**
   * The error's own plain fields, e.g. a `TaskError`'s `task`, `taskId` and `attempts`, or an
   * `UnknownTaskError`'s `known` (a list of names).
   */
  fields?: Record<string, ErrorField>;
  cause?: ErrorInfo;
}

/** A field of an error that crosses the wire: a primitive, or a list of strings. */
export type ErrorField = string | number | boolean | readonly string[];

/** `value` if it can travel as an error's field (a list is copied), else `undefined`. */
function errorField(value: unknown): ErrorField | undefined {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return [...value];
  return undefined;
}

/**
 * What a client sends: work to own and run, and the actors it creates and calls. A `submit` under
 * an id the worker already holds (running, queued, or finished and kept in its log) is answered
 * with that run's outcome and its `step` is ignored: that is how a client re-attaches its pending
 * handles after reconnecting to a restarted worker, without running anything twice.
 */
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

/**
 * What a worker answers, once per submission (`done`) or actor request (`reply`). The two kinds
 * of id are apart: a run id the user chose may read like a request's (`"r1"`).
 */
export type WorkerMessage =
  | { op: AnswerOp; id: string; ok: true; result: Encoded }
  | { op: AnswerOp; id: string; ok: false; error: ErrorInfo };

/** `done` answers a submission, `reply` an actor request. */
export type AnswerOp = "done" | "reply";

/** The wire form of an error: its name, code, message, plain fields (`task`, `attempts`, …) and cause. */
export function errorInfo(error: unknown, depth = 0): ErrorInfo {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const info: ErrorInfo = { name: error.name, message: error.message };
  if (error instanceof ActantError) info.code = error.code;
  const fields: Record<string, ErrorField> = {};
  for (const [key, value] of Object.entries(error)) {
    const field = key === "code" ? undefined : errorField(value);
    if (field !== undefined) fields[key] = field;
  }
  if (Object.keys(fields).length > 0) info.fields = fields;
  // A cause chain is kept a few levels deep: enough for TaskError → the task's own error.
  if (error.cause !== undefined && depth < 3) info.cause = errorInfo(error.cause, depth + 1);
  return info;
}

/**
 * An error rebuilt from its wire form: an `ActantError` with the remote `name`, `code`, fields
 * (`task`, `attempts`, `known`, …) and cause. The
 * kinds the scheduler acts on come back as their own classes: `NonRetryableError` (no retry),
 * `PeerLostError` (placed again).
 */
export function rebuildError(info: ErrorInfo, depth = 0): ActantError {
  if (info.code === "NON_RETRYABLE") return new NonRetryableError(info.message);
  if (info.code === "PEER_LOST") return new PeerLostError((info as { peerId?: string }).peerId ?? "?", info.message);
  // Answers come from other peers: a cause chain is followed only as deep as errorInfo writes it.
  const cause = typeof info.cause !== "object" || info.cause === null || depth >= 3
    ? undefined
    : rebuildError(info.cause, depth + 1);
  const error = new ActantError(info.code ?? "REMOTE_ERROR", info.message, cause === undefined ? undefined : { cause });
  error.name = info.name;
  if (typeof info.fields === "object" && info.fields !== null) {
    for (const [key, value] of Object.entries(info.fields)) {
      // From another peer: only what errorInfo writes (primitives, lists of strings) is taken.
      const field = errorField(value);
      if (field !== undefined && !(key in error)) Object.defineProperty(error, key, { value: field, enumerable: true });
    }
  }
  return error;
}
