// The seed's second example: a stateful actor behind a typed proxy.
// Run: node examples/actor.ts | deno run -RWE --allow-ffi examples/actor.ts | bun examples/actor.ts
import { ActantApp } from "../mod.ts";

const app = new ActantApp("my_app");

const ModelRegistry = app.actor(
  "ModelRegistry",
  class {
    models: Record<string, string> = {};

    register(name: string, version: string) {
      this.models[name] = version;
      return `Registered ${name}@${version}`;
    }

    list() {
      return { ...this.models };
    }
  },
);

const registry = await app.createActor(ModelRegistry);
await registry.register("gpt", "v1.0").get();
await registry.register("bert", "v2.0").get();
console.log(await registry.list().get()); // { gpt: "v1.0", bert: "v2.0" }
await app.close();
