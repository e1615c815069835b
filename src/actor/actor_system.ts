/**
 * The actors of one process: their classes by name, the live cells, and names given to
 * instances so they can be found again.
 *
 * @module
 */
import {
  ActorNameTakenError,
  ActorNotFoundError,
  type Clock,
  DuplicateNameError,
  encode,
  type IdGenerator,
} from "../common/mod.ts";
import { ActorCell } from "./actor_cell.ts";
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

/** Classes, cells and names of this process's actors. */
export class ActorSystem {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #definitions = new Map<string, ActorDefinition>();
  readonly #cells = new Map<string, ActorCell>();
  readonly #named = new Map<string, { cell: ActorCell; ref: ActorRef<ActorClass> }>();

  constructor(clock: Clock, ids: IdGenerator) {
    this.#clock = clock;
    this.#ids = ids;
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
    const { name } = options;
    if (name !== undefined) {
      if (typeof name !== "string" || name === "") {
        throw new TypeError(`createActor() option name must be a non-empty string, got ${String(name)}`);
      }
      const existing = this.#named.get(name);
      if (existing !== undefined && !isOver(existing.cell)) throw new ActorNameTakenError(name);
    }
    const args = options.args ?? [];
    if (!Array.isArray(args)) throw new TypeError(`createActor() option args must be an array of constructor arguments`);
    const cell = new ActorCell({
      id: this.#ids.next("a"),
      definition,
      args: encode(args, `args of ${definition.name} constructor`),
      clock: this.#clock,
    });
    const ref = createActorRef<C>(cell, this.#clock);
    // Claim the name before the constructor runs, so two concurrent creates cannot both get it.
    if (name !== undefined) this.#named.set(name, { cell, ref: ref as ActorRef<ActorClass> });
    try {
      await cell.start();
    } catch (error) {
      if (name !== undefined) this.#named.delete(name);
      cell.status = "failed";
      throw error;
    }
    this.#cells.set(cell.id, cell);
    return ref;
  }

  /** The proxy of the live actor named `name`, of class `definition`. */
  get<C extends ActorClass>(definition: ActorDefinition<C>, name: string): Promise<ActorRef<C>> {
    this.#known(definition);
    const entry = this.#named.get(name);
    if (entry === undefined || isOver(entry.cell) || entry.cell.status === "starting") {
      return Promise.reject(new ActorNotFoundError(`No live actor named "${name}"`));
    }
    if (entry.cell.definition !== definition) {
      return Promise.reject(
        new ActorNotFoundError(`Actor "${name}" is a ${entry.cell.definition.name}, not a ${definition.name}`),
      );
    }
    return Promise.resolve(entry.ref as unknown as ActorRef<C>);
  }

  /** Live cells, for status reports. */
  cells(): ActorCell[] {
    return [...this.#cells.values()].filter((cell) => !isOver(cell));
  }

  /** Stops every actor (draining their mailboxes). */
  async stopAll(options?: { drain?: boolean }): Promise<void> {
    await Promise.all([...this.#cells.values()].map((cell) => cell.stop(options)));
    this.#cells.clear();
    this.#named.clear();
  }

  #known(definition: ActorDefinition): void {
    if (this.#definitions.get(definition?.name) !== definition) {
      throw new ActorNotFoundError(
        `Actor class ${definition?.name ?? String(definition)} is not registered on this app; register it with app.actor()`,
      );
    }
  }
}

function isOver(cell: ActorCell): boolean {
  return cell.status === "stopped" || cell.status === "failed" || cell.status === "stopping";
}
