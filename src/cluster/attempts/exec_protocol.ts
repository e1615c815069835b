/**
 * The attempt protocol between an owner and the peers it places attempts on: the owner sends
 * single attempts of named tasks, the peer answers each with its encoded result or its error.
 * Retries, timeouts and the task's record stay with the owner.
 *
 * Keys are unique within the owner's process (never reused across channels), and the owner takes
 * an answer only for a key it sent on that channel and has not had answered: duplicates, answers
 * for keys never sent, late answers after the attempt was lost and placed again, and malformed
 * answers are dropped (a malformed answer to a live key fails that attempt).
 *
 * @module
 */
import type { Encoded, ErrorData } from "../../common/mod.ts";
import { actantProtocol } from "../../net/mod.ts";

/** The protocol id of attempt dispatch. */
export const EXEC_PROTOCOL: string = actantProtocol("exec", "1");

/** What an owner sends: run an attempt (under a key of its choosing), or abort one. */
export type ExecRequest =
  | { op: "run"; key: number; runId: string; task: string; args: Encoded; attempt: number }
  | { op: "cancel"; key: number; reason: string };

/** What the running peer answers, once per attempt. */
export type ExecReply =
  | { op: "done"; key: number; ok: true; result: Encoded }
  | { op: "done"; key: number; ok: false; error: ErrorData };
