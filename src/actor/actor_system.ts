/**
 * The actors of one process: their classes by name, the live cells, and names given to
 * instances so they can be found again.
 *
 * @module
 */
import {
  ActorNameTakenError,
  ActorNotFoundError,
  checkOptionKeys,
  type Clock,
  DuplicateNameError,
  encode,
  type Encoded,
  type IdGenerator,
} from "../common/mod.ts";
import { noJournal } from "../store/mod.ts";
import type { ActorJournal } from "./events.ts";
import { ActorCell } from "./actor_cell.ts";
import type { ActorRecovery } from "./actor_recovery.ts";
import { type ActorRef, createActorRef } from "./actor_ref.ts";
import { type ActorClass, type ActorDefinition, type ActorOptions, defineActor } from "./definition.ts";

/** Options of `createActor`. */
export interface CreateActorOptions<C extends ActorClass> {
  /** Constructor arguments (copied through the codec). */
  args?: ConstructorParameters<C>;
  /** A name to find the actor again with `getActor`. */
  name?: string;
}

/**
 * The options argument of `createActor`: optional when the constructor takes no required
 * arguments, required (with `args`) when it does.
 */
export type CreateActorArgs<C extends ActorClass> = [] extends ConstructorParameters<C>
  ? [options?: CreateActorOptions<C>]
  : [options: CreateActorOptions<C> & { args: ConstructorParameters<C> }];

/** An actor as the log remembers it. */
export interface RecoveredActor {
  id: string;
  name?: string;
  args: Encoded;
  recovery: ActorRecovery;
}

/** Classes, cells and names of this process's actors. */
export class ActorSystem {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #journal: ActorJournal;
  readonly #definitions = new Map<string, ActorDefinition>();
  readonly #cells = new Map<string, ActorCell>();
  readonly #named = new Map<string, { cell: ActorCell; ref: ActorRef<ActorClass> }>();
  /** The journal (owner) of each cell hosted for another peer. */
  readonly #hostJournals = new WeakMap<ActorCell, ActorJournal>();
  #sweepAt = 1024;

  constructor(clock: Clock, ids: IdGenerator, journal: ActorJournal = noJournal) {
    this.#clock = clock;
    this.#ids = ids;
    this.#journal = journal;
  }

  /** The registered class named `name`, if any. */
  definition(name: string): ActorDefinition | undefined {
    return this.#definitions.get(name);
  }

  /** The names of the registered classes. */
  names(): string[] {
    return [...this.#definitions.keys()];
  }

  /** Registers `cls` as actor class `name`. */
  define<C extends ActorClass>(name: string, cls: C, options?: ActorOptions): ActorDefinition<C> {
    const definition = defineActor(name, cls, options);
    if (this.#definitions.has(name)) throw new DuplicateNameError("actor", name);
    this.#definitions.set(name, definition);
    return definition;
  }

  /** Starts an actor of `definition`; resolves with its proxy once its constructor ran. */
  async create<C extends ActorClass>(
    definition: ActorDefinition<C>,
    options: CreateActorOptions<C> = {},
  ): Promise<ActorRef<C>> {
    this.#known(definition);
    checkOptionKeys("createActor() options", options, ["args", "name"]);
    const { name } = options;
    if (name !== undefined) {
      if (typeof name !== "string" || name === "") {
        throw new TypeError(`createActor() option name must be a non-empty string, got ${String(name)}`);
      }
      const existing = this.#named.get(name);
      if (existing !== undefined && !isOver(existing.cell)) throw new ActorNameTakenError(name);
    }
    const args = options.args ?? [];
    if (!Array.isArray(args)) {
      throw new TypeError(`createActor() option args must be an array of constructor arguments`);
    }
    const encodedArgs = encode(args, `args of ${definition.name} constructor`);
    const id = this.#ids.next("a");
    // Recorded before the constructor runs, so no call of this actor can reach the log before it.
    const created = this.#journal.record({
      type: "actor.created",
      id,
      actor: definition.name,
      name,
      args: encodedArgs,
    });
    const ref = await this.#start(definition, { id, name, args: encodedArgs });
    await created;
    return ref as unknown as ActorRef<C>;
  }

  /** Brings back an actor from the log after a restart of this process: same id, same name, replayed state. */
  async recover(definition: ActorDefinition, record: RecoveredActor): Promise<void> {
    await this.#start(definition, record, record.recovery);
  }

  /**
   * Starts a cell for an actor another peer owns: its history goes to `journal` (the owner's
   * log, over the network), and it comes back from `recovered` when it moves here after its
   * previous host was lost.
   */
  async host(
    className: string,
    identity: { id: string; args: Encoded },
    journal: ActorJournal,
    recovered?: ActorRecovery,
  ): Promise<ActorCell> {
    const definition = this.#definitions.get(className);
    if (definition === undefined) {
      throw new ActorNotFoundError(
        `Actor class ${className} is not registered on this peer (known: ${this.names().join(", ") || "none"})`,
      );
    }
    const existing = this.#cells.get(identity.id);
    if (existing !== undefined && !isOver(existing)) {
      // Only the owner that placed it here reaches it: another owner's journal is another history.
      if (this.#hostJournals.get(existing) !== journal) {
        throw new TypeError(`Actor id ${identity.id} is hosted here for another owner`);
      }
      return existing;
    }
    await this.#start(definition, identity, recovered, journal);
    const cell = this.#cells.get(identity.id)!;
    this.#hostJournals.set(cell, journal);
    return cell;
  }

  async #start(
    definition: ActorDefinition,
    identity: { id: string; name?: string; args: Encoded },
    recovered?: ActorRecovery,
    journal: ActorJournal = this.#journal,
  ): Promise<ActorRef<ActorClass>> {
    const { id, name, args } = identity;
    const cell = new ActorCell({ id, definition, args, clock: this.#clock, journal, recovered });
    const ref = createActorRef(cell, this.#clock);
    // Claim the name before the constructor runs, so two concurrent creates cannot both get it.
    if (name !== undefined) this.#named.set(name, { cell, ref });
    try {
      await cell.start();
    } catch (error) {
      if (name !== undefined) this.#named.delete(name);
      cell.status = "failed";
      journal.record({ type: "actor.stopped", id })?.catch(() => {}); // a journal that failed says so elsewhere
      throw error;
    }
    this.#cells.set(cell.id, cell);
    if (this.#cells.size >= this.#sweepAt) {
      // Stopped cells are dropped in bulk, not on each stop: the map only serves live lookups.
      for (const [id, old] of this.#cells) if (isOver(old)) this.#cells.delete(id);
      this.#sweepAt = Math.max(1024, this.#cells.size * 2);
    }
    return ref;
  }

  /** The proxy of the live actor named `name` (or with id `name`), of class `definition`. */
  get<C extends ActorClass>(definition: ActorDefinition<C>, name: string): Promise<ActorRef<C>> {
    this.#known(definition);
    // A name first; else an id (`ref.actorId`), which is how an unnamed actor is reached after a restart.
    const byId = this.#cells.get(name);
    const entry = this.#named.get(name) ??
      (byId === undefined ? undefined : { cell: byId, ref: createActorRef(byId, this.#clock) });
    if (entry === undefined || isOver(entry.cell) || entry.cell.status === "starting") {
      return Promise.reject(new ActorNotFoundError(`No live actor named "${name}" (nor with that id)`));
    }
    if (entry.cell.definition !== definition) {
      return Promise.reject(
        new ActorNotFoundError(`Actor "${name}" is a ${entry.cell.definition.name}, not a ${definition.name}`),
      );
    }
    return Promise.resolve(entry.ref as unknown as ActorRef<C>);
  }

  /** The live cell named (or with id) `nameOrId`, whatever its class. */
  live(nameOrId: string): ActorCell | undefined {
    const cell = this.#named.get(nameOrId)?.cell ?? this.#cells.get(nameOrId);
    return cell === undefined || isOver(cell) || cell.status === "starting" ? undefined : cell;
  }

  /** Live cells, for status reports. */
  cells(): ActorCell[] {
    return [...this.#cells.values()].filter((cell) => !isOver(cell));
  }

  /** Stops every actor (draining their mailboxes); with `forget: false` the log keeps them for the next start. */
  async stopAll(options?: { drain?: boolean; forget?: boolean }): Promise<void> {
    await Promise.all([...this.#cells.values()].map((cell) => cell.stop(options)));
    this.#cells.clear();
    this.#named.clear();
  }

  #known(definition: ActorDefinition): void {
    if (this.#definitions.get(definition?.name) !== definition) {
      throw new ActorNotFoundError(
        `Actor class ${
          definition?.name ?? String(definition)
        } is not registered on this app; register it with app.actor()`,
      );
    }
  }
}

function isOver(cell: ActorCell): boolean {
  return cell.status === "stopped" || cell.status === "failed" || cell.status === "stopping";
}
