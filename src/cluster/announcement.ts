/**
 * What a member announces about itself, and the checks an announcement from the network gets.
 *
 * @module
 */
import type { TaskOptions } from "../task/mod.ts";
import type { PeerStatus } from "./status.ts";

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
}

/**
 * `value` checked to be an announcement signed by `from`.
 *
 * @throws {TypeError} naming the first field that is wrong.
 */
export function parseAnnouncement(value: unknown, from: string): MemberAnnouncement {
  const a = value as MemberAnnouncement;
  if (typeof a !== "object" || a === null) throw new TypeError("an announcement must be an object");
  if (typeof a.app !== "string") throw new TypeError("announcement.app must be a string");
  const status = a.status;
  if (typeof status !== "object" || status === null || status.peerId !== from) {
    throw new TypeError("announcement.status must describe its signer");
  }
  if (typeof status.nodeId !== "string" || typeof status.runtime !== "string") {
    throw new TypeError("announcement.status needs nodeId and runtime strings");
  }
  if (!isStringList(status.addresses)) throw new TypeError("announcement.status.addresses must be strings");
  if (typeof status.tasks !== "object" || status.tasks === null) throw new TypeError("announcement.status.tasks must be counts");
  if (typeof a.registers !== "object" || a.registers === null || !isStringList(a.registers.tasks) || !isStringList(a.registers.actors)) {
    throw new TypeError("announcement.registers must list tasks and actors");
  }
  if (a.registers.options !== undefined && (typeof a.registers.options !== "object" || a.registers.options === null)) {
    throw new TypeError("announcement.registers.options must map task names to options");
  }
  if (!(a.concurrency === null || (Number.isInteger(a.concurrency) && a.concurrency > 0))) {
    throw new TypeError("announcement.concurrency must be a positive integer or null");
  }
  return a;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
