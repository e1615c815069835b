/**
 * Actor definitions: a class registered under a name, with its mailbox and supervision options.
 *
 * @module
 */
import { type BackoffOptions, checkOptionKeys, validateBackoff } from "../common/mod.ts";

/** Restarting an actor whose constructor or a fatal method failed. */
export interface SupervisionOptions {
  /** Restarts allowed over the actor's life; beyond them it stops for good. Default 0. */
  maxRestarts?: number;
  /** Delay before each restart. */
  backoff?: BackoffOptions;
  /**
   * Methods whose failure restarts the actor (a fresh instance from the constructor arguments),
   * or `true` for every method. A non-fatal method that throws rejects only that call.
   */
  fatal?: readonly string[] | true;
}

/** Options of an actor class. */
export interface ActorOptions {
  /** Most calls queued in the mailbox. Default 1024. */
  mailboxCapacity?: number;
  /** How long a caller waits for room in a full mailbox before `MailboxFullError`, in ms. Default 30,000. */
  mailboxTimeout?: number;
  supervision?: SupervisionOptions;
  /** With a durable log: checkpoint the actor's state every this many calls (and on stop). Default 100. */
  checkpointEvery?: number;
}

/** Any class. */
// deno-lint-ignore no-explicit-any
export type ActorClass = new (...args: any[]) => object;

/** A registered actor class; `C` is the class, for typed proxies. */
export interface ActorDefinition<C extends ActorClass = ActorClass> {
  readonly name: string;
  readonly cls: C;
  readonly options: Readonly<ActorOptions>;
  /** The public methods of the class, found on its prototype chain. */
  readonly methods: readonly string[];
}

/** Names an actor proxy uses itself; a class cannot have methods with these names. */
export const RESERVED_METHODS: ReadonlySet<string> = new Set(["stop", "actorId", "then", "constructor"]);

/** Builds a definition, checking the class and its options. */
export function defineActor<C extends ActorClass>(
  name: string,
  cls: C,
  options: ActorOptions = {},
): ActorDefinition<C> {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`app.actor() expects a name (a non-empty string) first, got ${String(name)}`);
  }
  if (typeof cls !== "function" || cls.prototype === undefined) {
    throw new TypeError(`app.actor("${name}") expects a class second, got ${typeof cls}`);
  }
  const methods = publicMethods(cls);
  for (const method of methods) {
    if (RESERVED_METHODS.has(method)) {
      throw new TypeError(`Actor "${name}" has a method named "${method}", which actor proxies reserve; rename it`);
    }
  }
  checkOptionKeys(`Actor "${name}" options`, options, [
    "mailboxCapacity",
    "mailboxTimeout",
    "supervision",
    "checkpointEvery",
  ]);
  const { mailboxCapacity, mailboxTimeout, supervision } = options;
  checkOptionKeys(`Actor "${name}": supervision`, supervision, ["maxRestarts", "backoff", "fatal"]);
  if (mailboxCapacity !== undefined && !(Number.isInteger(mailboxCapacity) && mailboxCapacity > 0)) {
    throw new RangeError(`Actor "${name}": mailboxCapacity must be an integer > 0, got ${String(mailboxCapacity)}`);
  }
  if (mailboxTimeout !== undefined && !(typeof mailboxTimeout === "number" && mailboxTimeout >= 0)) {
    throw new RangeError(`Actor "${name}": mailboxTimeout must be a number of ms >= 0, got ${String(mailboxTimeout)}`);
  }
  const { checkpointEvery } = options;
  if (checkpointEvery !== undefined && !(Number.isInteger(checkpointEvery) && checkpointEvery > 0)) {
    throw new RangeError(`Actor "${name}": checkpointEvery must be an integer > 0, got ${String(checkpointEvery)}`);
  }
  const maxRestarts = supervision?.maxRestarts;
  if (maxRestarts !== undefined && !(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
    throw new RangeError(
      `Actor "${name}": supervision.maxRestarts must be an integer >= 0, got ${String(maxRestarts)}`,
    );
  }
  validateBackoff(`Actor "${name}"`, supervision?.backoff);
  if (Array.isArray(supervision?.fatal)) {
    for (const method of supervision.fatal) {
      if (!methods.includes(method)) {
        throw new TypeError(`Actor "${name}": supervision.fatal names "${method}", which is not one of its methods`);
      }
    }
  }
  return { name, cls, options: { ...options }, methods };
}

function publicMethods(cls: ActorClass): string[] {
  const names = new Set<string>();
  for (let proto = cls.prototype; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (key !== "constructor" && typeof descriptor?.value === "function") names.add(key);
    }
  }
  return [...names];
}
