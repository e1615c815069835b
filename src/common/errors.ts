/**
 * Every error Actant raises on purpose is an {@linkcode ActantError}: it has a stable `code` to
 * switch on, a `name` equal to its class, and a message saying what was wrong and what was expected.
 *
 * Each class writes its `name` as a string literal, never `new.target.name` or `constructor.name`:
 * a minified bundle (the browser's) renames classes, and an error would report `Ls`. A subclass
 * of `ActantError` outside this module should do the same (`override name = "MyError"`).
 *
 * @module
 */

/** Options accepted by every Actant error constructor. */
export interface ActantErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of all errors raised by Actant. */
export class ActantError extends Error {
  // A field, so each subclass's own literal replaces it once `super()` returns (see the module doc).
  override name = "ActantError";
  /** A stable, machine-readable code, e.g. `"UNKNOWN_TASK"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ActantErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A task name that is not registered on this app. */
export class UnknownTaskError extends ActantError {
  override name = "UnknownTaskError";
  /** The name asked for. */
  readonly task: string;
  /** The task names that are registered: on this app, and on the members of its cluster when it has joined one. */
  readonly known: readonly string[];
  constructor(task: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(", ") : "none registered";
    super("UNKNOWN_TASK", `Cannot find task "${task}": it is not registered (known: ${list})`);
    this.task = task;
    this.known = [...known];
  }
}

/** A task or actor class registered twice under one name. */
export class DuplicateNameError extends ActantError {
  override name = "DuplicateNameError";
  readonly kind: "task" | "actor";
  readonly duplicate: string;
  constructor(kind: "task" | "actor", name: string) {
    super(
      kind === "task" ? "DUPLICATE_TASK" : "DUPLICATE_ACTOR",
      `Cannot register ${kind} "${name}": a ${kind} with that name is already registered; choose another name`,
    );
    this.kind = kind;
    this.duplicate = name;
  }
}

/** A signature whose argument count cannot match its task's function. */
export class TaskArgumentsError extends ActantError {
  override name = "TaskArgumentsError";
  readonly task: string;
  constructor(task: string, message: string) {
    super("BAD_ARGUMENTS", `Bad arguments for task "${task}": ${message}`);
    this.task = task;
  }
}

/** A workflow structure that cannot run: an empty chain, a cycle, a bad option. */
export class InvalidWorkflowError extends ActantError {
  override name = "InvalidWorkflowError";
  constructor(message: string) {
    super("INVALID_WORKFLOW", `Invalid workflow: ${message}`);
  }
}

/** A value that cannot cross the serialization boundary; `path` locates it. */
export class SerializationError extends ActantError {
  override name = "SerializationError";
  /** Where the offending value sits, e.g. `args[0].socket`. */
  readonly path: string;
  constructor(path: string, message: string, options?: ActantErrorOptions) {
    super("NOT_SERIALIZABLE", `Cannot serialize ${path}: ${message}`, options);
    this.path = path;
  }
}

/**
 * Thrown by task code to stop retries: the task fails at once with this error.
 *
 * @example
 * ```ts
 * import { ActantApp, NonRetryableError } from "@actant/actant";
 *
 * const app = new ActantApp("pages");
 * app.task("fetch", async (url: string) => {
 *   const response = await fetch(url);
 *   if (response.status === 404) throw new NonRetryableError("no such page"); // retrying will not help
 *   return await response.text();
 * }, { retries: 3 });
 * ```
 */
export class NonRetryableError extends ActantError {
  override name = "NonRetryableError";
  constructor(message: string, options?: ActantErrorOptions) {
    super("NON_RETRYABLE", message, options);
  }
}

/** One attempt of a task ran longer than its `timeout` option. */
export class TaskTimeoutError extends ActantError {
  override name = "TaskTimeoutError";
  readonly task: string;
  readonly timeoutMs: number;
  constructor(task: string, timeoutMs: number) {
    super("TASK_TIMEOUT", `Task "${task}" did not finish within its timeout of ${timeoutMs} ms`);
    this.task = task;
    this.timeoutMs = timeoutMs;
  }
}

/** `get({ timeout })` gave up waiting; the work itself goes on. */
export class ResultTimeoutError extends ActantError {
  override name = "ResultTimeoutError";
  readonly id: string;
  constructor(id: string, timeoutMs: number) {
    super("RESULT_TIMEOUT", `No result for "${id}" within ${timeoutMs} ms (the work is still running)`);
    this.id = id;
  }
}

/** The task or workflow was cancelled before it produced a result. */
export class CancelledError extends ActantError {
  override name = "CancelledError";
  readonly id: string;
  constructor(id: string, reason = "it was cancelled") {
    super("CANCELLED", `"${id}" has no result: ${reason}`);
    this.id = id;
  }
}

/** A task failed for good (after its retries); `cause` is what its function threw. */
export class TaskError extends ActantError {
  override name = "TaskError";
  readonly task: string;
  readonly taskId: string;
  readonly attempts: number;
  constructor(task: string, taskId: string, attempts: number, cause: unknown) {
    super(
      "TASK_FAILED",
      `Task "${task}" (${taskId}) failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describe(cause)}`,
      { cause },
    );
    this.task = task;
    this.taskId = taskId;
    this.attempts = attempts;
  }
}

/** Where in a workflow a failure happened. */
export interface WorkflowFailurePoint {
  /** The id of the failing node in the compiled graph, e.g. `n3` (with `[i]`/`#i` for map and loop rounds). */
  node: string;
  /** The failing node's task name, or its kind (`map`, `branch`, `loop`) for a structural node. */
  task: string;
  /** Attempts the failing task made (0 for a structural node). */
  attempts: number;
}

/** A workflow failed because one of its nodes failed; the other branches were cancelled. */
export class WorkflowError extends ActantError {
  override name = "WorkflowError";
  readonly workflowId: string;
  readonly node: string;
  readonly task: string;
  readonly attempts: number;
  constructor(workflowId: string, point: WorkflowFailurePoint, cause: unknown) {
    const root = cause instanceof TaskError ? cause.cause : cause;
    super(
      "WORKFLOW_FAILED",
      `Workflow ${workflowId} failed at node ${point.node} (${
        point.attempts > 0 ? `task "${point.task}", attempt ${point.attempts}` : point.task
      }): ${describe(root)}`,
      { cause: root },
    );
    this.workflowId = workflowId;
    this.node = point.node;
    this.task = point.task;
    this.attempts = point.attempts;
  }
}

/** A `loop` with an `until` condition reached `maxIterations` without the condition holding. */
export class LoopLimitError extends ActantError {
  override name = "LoopLimitError";
  constructor(maxIterations: number) {
    super("LOOP_LIMIT", `Loop reached maxIterations (${maxIterations}) before its until condition held`);
  }
}

/** A call on an actor that was stopped (or failed for good). */
export class ActorStoppedError extends ActantError {
  override name = "ActorStoppedError";
  readonly actor: string;
  constructor(actor: string, reason = "it was stopped", options?: ActantErrorOptions) {
    super("ACTOR_STOPPED", `Actor ${actor} cannot take calls: ${reason}`, options);
    this.actor = actor;
  }
}

/** A call to a method the actor's class does not have. */
export class UnknownMethodError extends ActantError {
  override name = "UnknownMethodError";
  readonly actor: string;
  readonly method: string;
  constructor(actor: string, method: string, known: readonly string[]) {
    super(
      "UNKNOWN_METHOD",
      `Actor ${actor} has no method "${method}" (methods: ${known.length > 0 ? known.join(", ") : "none"})`,
    );
    this.actor = actor;
    this.method = method;
  }
}

/** The actor's mailbox stayed full past the caller's deadline. */
export class MailboxFullError extends ActantError {
  override name = "MailboxFullError";
  readonly actor: string;
  constructor(actor: string, capacity: number, waitedMs: number) {
    super(
      "MAILBOX_FULL",
      `Mailbox of actor ${actor} stayed full (${capacity} messages) for ${waitedMs} ms; slow down or raise mailboxCapacity`,
    );
    this.actor = actor;
  }
}

/** An actor class or a named actor instance that does not exist. */
export class ActorNotFoundError extends ActantError {
  override name = "ActorNotFoundError";
  constructor(message: string) {
    super("ACTOR_NOT_FOUND", message);
  }
}

/** `createActor` with a name that a live actor already has. */
export class ActorNameTakenError extends ActantError {
  override name = "ActorNameTakenError";
  constructor(name: string) {
    super(
      "ACTOR_NAME_TAKEN",
      `An actor named "${name}" already exists; use getActor() to reach it or pick another name`,
    );
  }
}

/** The actor's constructor threw (after any supervised restarts). */
export class ActorInitError extends ActantError {
  override name = "ActorInitError";
  constructor(actor: string, attempts: number, cause: unknown) {
    super(
      "ACTOR_INIT_FAILED",
      `Actor ${actor} could not be constructed (${attempts} attempt${attempts === 1 ? "" : "s"}): ${describe(cause)}`,
      { cause },
    );
  }
}

/**
 * No peer could take an actor: each one that registers its class was tried, and each either
 * could not be reached on the hosting protocol, left, or refused it. `cause` is the last failure.
 */
export class ActorPlacementError extends ActantError {
  override name = "ActorPlacementError";
  /** The actor, as `Class` (a new one) or `Class(id)` (one that was moving). */
  readonly actor: string;
  /** How many peers were tried. */
  readonly tried: number;
  constructor(actor: string, failures: ReadonlyArray<{ peerId: string; error: unknown }>) {
    const list = failures.map(({ peerId, error }) => `${peerId}: ${describe(error)}`).join("; ");
    const message = `Cannot place actor ${actor}: no peer could host it (tried ${list})`;
    super("ACTOR_PLACEMENT_FAILED", message, { cause: failures.at(-1)?.error });
    this.actor = actor;
    this.tried = failures.length;
  }
}

/** A short description of any thrown value, for messages. */
export function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A log record that fails its checksum in the middle of the log: recovery stops rather than skip it. */
export class LogCorruptedError extends ActantError {
  override name = "LogCorruptedError";
  /** The first sequence number of the bad record. */
  readonly seq: number;
  constructor(seq: number, detail: string) {
    super("LOG_CORRUPTED", `Event log record at sequence ${seq} is corrupted (${detail}); refusing to skip it`);
    this.seq = seq;
  }
}

/** A log written by a newer Actant whose event schema this version cannot read. */
export class SchemaVersionError extends ActantError {
  override name = "SchemaVersionError";
  /** The schema version the log was written with. */
  readonly found: number;
  /** The newest schema version this Actant reads. */
  readonly supported: number;
  constructor(found: number, supported: number, where: string) {
    super(
      "SCHEMA_VERSION",
      `${where} uses event schema version ${found}, but this Actant reads versions up to ${supported}; upgrade Actant`,
    );
    this.found = found;
    this.supported = supported;
  }
}

/** The storage under the event log failed (disk full, I/O error): new work is refused, durable work is kept. */
export class StorageError extends ActantError {
  override name = "StorageError";
  constructor(message: string, options?: ActantErrorOptions) {
    super("STORAGE_FAILED", message, options);
  }
}

/**
 * The data directory cannot be used. `code` says why: `DATA_DIR_UNUSABLE` (not creatable or not
 * writable), `DATA_DIR_LOCKED` (another live process holds it), `LOG_FILE_DAMAGED` (the LMDB
 * file is truncated or structurally damaged), `LOG_FILE_REPLACED` (the file is empty, missing,
 * another log's or older than what this node acknowledged), `LOG_SEAL_DAMAGED` (the record of
 * what must be there is unreadable), `DATA_DIR_GONE` (the directory, its lock or its log file
 * vanished while the node ran: it stopped acknowledging).
 */
export class DataDirError extends ActantError {
  override name = "DataDirError";
  /** The data directory, as given. */
  readonly path: string;
  /** The file inside it that is wrong, when one is. */
  readonly file: string | undefined;
  constructor(path: string, reason: string, options?: ActantErrorOptions & { code?: string; file?: string }) {
    super(options?.code ?? "DATA_DIR_UNUSABLE", `Cannot use data directory ${path}: ${reason}`, options);
    this.path = path;
    this.file = options?.file;
  }
}

/** `getResult` / `getWorkflow` for an id this app has no record of. */
export class ResultNotFoundError extends ActantError {
  override name = "ResultNotFoundError";
  /** The task or workflow id asked for. */
  readonly id: string;
  constructor(id: string, reason: string) {
    super("RESULT_NOT_FOUND", `No record of "${id}": ${reason}`);
    this.id = id;
  }
}

/**
 * The peer running an attempt left the cluster (its connection dropped or its heartbeats
 * stopped) before answering. The owner places the attempt again elsewhere; it does not count
 * as a failed attempt.
 */
export class PeerLostError extends ActantError {
  override name = "PeerLostError";
  /** The peer that left. */
  readonly peerId: string;
  constructor(peerId: string, reason: string) {
    super("PEER_LOST", `Lost peer ${peerId}: ${reason}`);
    this.peerId = peerId;
  }
}
