/**
 * Typed actor proxies: every public method of the class becomes a call that returns an
 * awaitable result with `.get()`.
 *
 * @module
 */
import { type Clock, type GetOptions, type Pending, pending, UnknownMethodError, waitFor } from "../common/mod.ts";
import type { ActorClass } from "./definition.ts";

/** What a proxy talks to: a local cell, or an actor hosted on another peer. */
export interface ActorEndpoint {
  readonly id: string;
  readonly definition: { readonly name: string; readonly methods: readonly string[] };
  call(method: string, args: unknown[]): Promise<unknown>;
  stop(options?: { drain?: boolean }): Promise<void>;
}

/** What every proxy has besides the actor's methods. */
export interface ActorControl {
  /** The actor's id. */
  readonly actorId: string;
  /** Stops the actor: `drain` (default true) handles queued calls first, else they are rejected. */
  stop(options?: { drain?: boolean }): Promise<void>;
}

// deno-lint-ignore no-explicit-any
type MethodKeys<T> = { [K in keyof T]: T[K] extends (...args: any[]) => any ? K : never }[keyof T];

/** The typed proxy of an actor of class `C`. */
export type ActorRef<C extends ActorClass> =
  & {
    readonly [K in MethodKeys<InstanceType<C>>]: InstanceType<C>[K] extends (...args: infer A) => infer R
      ? (...args: A) => Pending<Awaited<R>> & Promise<Awaited<R>>
      : never;
  }
  & ActorControl;

/** Makes the proxy of `cell`. Known methods are own properties (fast); any other name gets a clear error. */
export function createActorRef<C extends ActorClass>(cell: ActorEndpoint, clock: Clock): ActorRef<C> {
  const label = `${cell.definition.name}(${cell.id})`;
  const unknown = new Proxy(Object.create(null), {
    get(_target, key) {
      if (typeof key !== "string" || key === "then" || key === "toJSON") return undefined;
      return () => {
        const error = new UnknownMethodError(label, key, cell.definition.methods);
        return pending(Promise.reject(error), label, clock);
      };
    },
  });
  const ref = Object.create(unknown) as Record<string, unknown>;
  // One `get` for every call of this actor, reading the call from `this` (a method, as `then` is):
  // a closure per call would keep two more objects alive for every call in flight, which a burst
  // of 10,000 calls pays for on every young-generation collection.
  function get(this: unknown, options?: GetOptions): Promise<unknown> {
    if (!(this instanceof Promise)) {
      return Promise.reject(new TypeError(`get() must be called on the result of a call to ${label}, as a method`));
    }
    return waitFor(this, label, clock, options);
  }
  for (const method of cell.definition.methods) {
    ref[method] = (...args: unknown[]) => {
      const result = cell.call(method, args) as Promise<unknown> & Pending<unknown>;
      result.get = get;
      return result;
    };
  }
  Object.defineProperty(ref, "actorId", { value: cell.id, enumerable: false });
  Object.defineProperty(ref, "stop", {
    value: (options?: { drain?: boolean }) => cell.stop(options),
    enumerable: false,
  });
  return ref as ActorRef<C>;
}

export type { GetOptions };
