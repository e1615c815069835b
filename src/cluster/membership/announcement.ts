/**
 * What a member announces about itself, and the checks an announcement from the network gets.
 * Every consumer (task placement, actor placement, `actant status`) reads announcements as this
 * file returns them, so the checks live here, at the edge: counts are non-negative safe integers,
 * lists and strings are bounded, and only the known fields are kept.
 *
 * @module
 */
import type { TaskOptions } from "../../task/mod.ts";
import type { PeerStatus } from "./status.ts";

/** Most bytes of one announcement on the wire. */
export const MAX_ANNOUNCEMENT_BYTES = 256 * 1024;
/** Most entries of each announced list (addresses, task names, actor class names, task options). */
export const MAX_ANNOUNCED_NAMES = 4_096;
/** Most addresses one member announces. */
export const MAX_ANNOUNCED_ADDRESSES = 64;
/** Longest announced name (task, actor class, app, node id) or address, in characters. */
export const MAX_ANNOUNCED_NAME_LENGTH = 512;
/** Highest announced concurrency. */
export const MAX_ANNOUNCED_CONCURRENCY = 1_000_000;

/** A member's announcement (and heartbeat). */
export interface MemberAnnouncement {
  /** The app the member runs; members of other apps on the same topic are ignored. */
  app: string;
  /** Its status report (the row `actant status` shows). */
  status: PeerStatus;
  /**
   * The tasks and actor classes it registers, and the options of tasks that have some (so an
   * owner that does not register a task itself still retries and times it out as declared).
   */
  registers: { tasks: string[]; actors: string[]; options?: Record<string, TaskOptions> };
  /** Most attempts it runs at once; `null` for no limit. */
  concurrency: number | null;
  /** Set on the last announcement of a member that shuts down. */
  leaving?: boolean;
  /**
   * Set by a light worker (a browser tab): it keeps no log and owns no work, is reached only over
   * the connections it opened, and runs only what the servers' app registers too.
   */
  light?: boolean;
  /** Set by a server that takes no light workers (`actant worker --no-light-workers`). */
  refusesLight?: boolean;
}

/**
 * `value` checked to be an announcement signed by `from`, rebuilt from its known fields only.
 *
 * @throws {TypeError} naming the first field that is wrong.
 */
export function parseAnnouncement(value: unknown, from: string): MemberAnnouncement {
  const a = value as MemberAnnouncement;
  if (typeof a !== "object" || a === null) throw new TypeError("an announcement must be an object");
  if (!isName(a.app)) throw new TypeError("announcement.app must be a string");
  const status = a.status;
  if (typeof status !== "object" || status === null || status.peerId !== from) {
    throw new TypeError("announcement.status must describe its signer");
  }
  if (!isName(status.nodeId) || status.nodeId === "" || !isName(status.runtime)) {
    throw new TypeError("announcement.status needs nodeId and runtime strings");
  }
  if (!isNameList(status.addresses, MAX_ANNOUNCED_ADDRESSES)) {
    throw new TypeError(`announcement.status.addresses must be at most ${MAX_ANNOUNCED_ADDRESSES} strings`);
  }
  const registers = a.registers;
  if (
    typeof registers !== "object" || registers === null || !isNameList(registers.tasks) || !isNameList(registers.actors)
  ) {
    throw new TypeError(
      `announcement.registers must list tasks and actors (at most ${MAX_ANNOUNCED_NAMES} names each)`,
    );
  }
  const options = registers.options;
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new TypeError("announcement.registers.options must map task names to options");
  }
  if (options !== undefined && Object.keys(options).length > MAX_ANNOUNCED_NAMES) {
    throw new TypeError(`announcement.registers.options must have at most ${MAX_ANNOUNCED_NAMES} entries`);
  }
  const concurrency = a.concurrency;
  if (
    !(concurrency === null ||
      (Number.isInteger(concurrency) && concurrency > 0 && concurrency <= MAX_ANNOUNCED_CONCURRENCY))
  ) {
    throw new TypeError(`announcement.concurrency must be an integer in 1..${MAX_ANNOUNCED_CONCURRENCY} or null`);
  }
  for (const flag of ["leaving", "light", "refusesLight"] as const) {
    if (a[flag] !== undefined && typeof a[flag] !== "boolean") {
      throw new TypeError(`announcement.${flag} must be a boolean`);
    }
  }
  return {
    app: a.app,
    status: parseStatus(status),
    registers: {
      tasks: [...registers.tasks],
      actors: [...registers.actors],
      ...(options === undefined ? {} : { options }),
    },
    concurrency,
    ...(a.leaving === undefined ? {} : { leaving: a.leaving }),
    ...(a.light === undefined ? {} : { light: a.light }),
    ...(a.refusesLight === undefined ? {} : { refusesLight: a.refusesLight }),
  };
}

/**
 * The first of `names` (tasks, then actor classes) that `knows` does not know, as an error message
 * names it (`task "fetch"`, `actor class "Counter"`), or `undefined` when it knows them all: what a
 * server and a light worker check of each other.
 */
export function firstUnknownName(
  names: { readonly tasks: readonly string[]; readonly actors: readonly string[] },
  knows: { task(name: string): boolean; actor(name: string): boolean },
): string | undefined {
  const task = names.tasks.find((name) => !knows.task(name));
  if (task !== undefined) return `task "${task}"`;
  const actor = names.actors.find((name) => !knows.actor(name));
  return actor === undefined ? undefined : `actor class "${actor}"`;
}

/** The status row of an announcement, with every count checked to be a non-negative safe integer. */
function parseStatus(status: PeerStatus): PeerStatus {
  const tasks = status.tasks;
  if (typeof tasks !== "object" || tasks === null) throw new TypeError("announcement.status.tasks must be counts");
  for (const field of ["queued", "running", "succeeded", "failed", "cancelled"] as const) {
    if (!isCount(tasks[field])) throw new TypeError(`announcement.status.tasks.${field} must be a safe integer >= 0`);
  }
  if (!isCount(status.actors)) throw new TypeError("announcement.status.actors must be a safe integer >= 0");
  // Above 1 for a while after a member lowers its concurrency: tolerated, shown as it is.
  if (!(typeof status.load === "number" && Number.isFinite(status.load) && status.load >= 0)) {
    throw new TypeError("announcement.status.load must be a finite number >= 0");
  }
  if (!(typeof status.uptimeMs === "number" && Number.isFinite(status.uptimeMs) && status.uptimeMs >= 0)) {
    throw new TypeError("announcement.status.uptimeMs must be a finite number >= 0");
  }
  return {
    peerId: status.peerId,
    nodeId: status.nodeId,
    addresses: [...status.addresses],
    runtime: status.runtime,
    tasks: {
      queued: tasks.queued,
      running: tasks.running,
      succeeded: tasks.succeeded,
      failed: tasks.failed,
      cancelled: tasks.cancelled,
    },
    actors: status.actors,
    load: status.load,
    uptimeMs: status.uptimeMs,
  };
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isName(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_ANNOUNCED_NAME_LENGTH;
}

function isNameList(value: unknown, max = MAX_ANNOUNCED_NAMES): value is string[] {
  return Array.isArray(value) && value.length <= max && value.every(isName);
}
