/**
 * The client protocol between a client and a worker: the client submits work (a compiled
 * workflow graph, plain data) under ids it chooses, and creates and calls actors; the worker, which
 * then owns the work, answers each once, when it is done. An error travels as `common/`'s
 * `ErrorData`, the shape the log keeps too.
 *
 * @module
 */
import type { Encoded, ErrorData } from "../../common/mod.ts";
import { actantProtocol } from "../../net/mod.ts";
import type { WorkflowGraph } from "../../workflow/mod.ts";

/** The protocol id of task dispatch. */
export const TASKS_PROTOCOL: string = actantProtocol("tasks", "1");

/**
 * What a client sends: work to own and run, and the actors it creates and calls. Work is a
 * compiled `graph` (the client compiled it; the worker checks it and never compiles it again).
 * A `submit` under an id the worker already
 * holds (running, queued, or finished and kept in its log) is answered with that run's outcome and
 * its work is ignored: that is how a client re-attaches its pending handles after reconnecting to
 * a restarted worker, without running anything twice.
 */
export type ClientMessage =
  | Submission
  | { op: "cancel"; id: string }
  | ActorRequest
  | StatusRequest;

/** Work a client submits: a workflow as its compiled graph, or a standalone task. */
export type Submission = { op: "submit"; id: string; graph: WorkflowGraph } | TaskSubmission;

/**
 * A standalone task (a signature submitted on its own), as its name and encoded arguments: what
 * its one-node graph would hold, in a fraction of the bytes for its owner to parse. The owner
 * checks it as it would that graph's task node.
 */
export type TaskSubmission = { op: "task"; id: string; task: string; args: Encoded };

/**
 * Where a run the client submitted stands on its owner (`queued`, `running`, …), answered with
 * `reply` and the status word; a run this channel no longer holds (finished, its answer sent) is
 * refused, and the client has its answer already.
 */
export type StatusRequest = { op: "status"; id: string; run: string };

/** A client's actor requests; each is answered with `done` (an actor id, or a call's result). */
export type ActorRequest =
  | { op: "actor.create"; id: string; cls: string; args: Encoded; name?: string }
  | { op: "actor.get"; id: string; cls: string; name: string }
  /** `via`: the key of a direct call whose connection to the actor's host broke (answered once). */
  | { op: "actor.call"; id: string; actor: string; method: string; args: Encoded; via?: number }
  | { op: "actor.stop"; id: string; actor: string; drain: boolean }
  /** Where the actor is hosted (`ActorHostInfo`, or `null`), for a caller that can reach it directly. */
  | { op: "actor.host"; id: string; actor: string };

/**
 * What a worker answers, once per submission (`done`) or actor request (`reply`). The two kinds
 * of id are apart: a run id the user chose may read like a request's (`"r1"`).
 */
export type WorkerMessage =
  | { op: AnswerOp; id: string; ok: true; result: Encoded }
  | { op: AnswerOp; id: string; ok: false; error: ErrorData };

/** `done` answers a submission, `reply` an actor request. */
export type AnswerOp = "done" | "reply";
