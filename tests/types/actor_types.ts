/**
 * Type tests of actor proxies. Only type-checked (`tsc -p .`): every `@ts-expect-error` line
 * proves that a mistake is a compile error, and every other line must compile. The checks sit in
 * a function that is never called, so nothing here runs.
 *
 * @module
 */
import type { ActantApp, ActorRef } from "../../mod.ts";
import { assert, type Equal, expectType } from "./expect.ts";

/** The seed's actor. */
class ModelRegistry {
  models: Record<string, string> = {};

  register(name: string, version: string) {
    this.models[name] = version;
    return `Registered ${name}@${version}`;
  }

  list() {
    return { ...this.models };
  }

  async latest(name: string): Promise<string | undefined> {
    return await Promise.resolve(this.models[name]);
  }

  private audit(): number {
    return Object.keys(this.models).length;
  }

  count(): number {
    return this.audit();
  }
}

class Counter {
  #value: number;

  constructor(start: number) {
    this.#value = start;
  }

  add(n: number): number {
    return (this.#value += n);
  }
}

/** Never called: the body is only type-checked. */
export async function actorTypes(app: ActantApp): Promise<void> {
  const Registry = app.actor("ModelRegistry", ModelRegistry);
  const ref = await app.createActor(Registry);
  assert<Equal<typeof ref, ActorRef<typeof ModelRegistry>>>();

  // Methods keep their parameters; results are awaitable and have get().
  const registered = ref.register("gpt", "v1.0");
  assert<Equal<Awaited<typeof registered>, string>>();
  expectType<string>(await registered);
  expectType<string>(await ref.register("bert", "v2.0").get({ timeout: 1000 }));
  const models = await ref.list();
  assert<Equal<typeof models, { [x: string]: string }>>();
  expectType<string | undefined>(models["gpt"]);
  expectType<Record<string, string>>(await ref.list().get());
  // An async method's result is unwrapped once, not a promise of a promise.
  const latest = await ref.latest("gpt");
  assert<Equal<typeof latest, string | undefined>>();
  expectType<number>(await ref.count());

  // @ts-expect-error version must be a string
  ref.register("gpt", 1);
  // @ts-expect-error register takes two arguments
  ref.register("gpt");
  // @ts-expect-error register takes two arguments
  ref.register("gpt", "v1.0", "extra");
  // @ts-expect-error list takes no arguments
  ref.list("all");
  // @ts-expect-error no such method
  ref.unregister("gpt");
  // @ts-expect-error fields are not methods
  ref.models;
  // @ts-expect-error private methods are not on the proxy
  ref.audit();
  // @ts-expect-error the result is a string, not a number
  expectType<number>(await ref.register("gpt", "v1.0"));

  // The control surface every proxy has.
  expectType<string>(ref.actorId);
  expectType<Promise<void>>(ref.stop({ drain: false }));
  // @ts-expect-error drain is a boolean
  ref.stop({ drain: "yes" });

  // Constructor arguments are checked against the class.
  const Count = app.actor("Counter", Counter);
  const counter = await app.createActor(Count, { args: [10], name: "main" });
  expectType<number>(await counter.add(5));
  // @ts-expect-error add takes a number
  counter.add("5");
  // @ts-expect-error the constructor takes a number
  await app.createActor(Count, { args: ["10"] });
  // @ts-expect-error getActor returns the same typed proxy: no such method
  (await app.getActor(Count, "main")).reset();
  expectType<number>(await (await app.getActor(Count, "main")).add(1));
  // A constructor with required parameters makes `args` required.
  // @ts-expect-error the constructor needs a number
  await app.createActor(Count);
  // @ts-expect-error options without args
  await app.createActor(Count, { name: "x" });
  // Known gap, not asserted here: a function-valued field (`f = () => 1`) is typed as a method on
  // the proxy although only prototype methods are callable (the call rejects with UnknownMethodError).
}
