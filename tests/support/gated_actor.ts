// An actor class for tests of mailboxes and stopping: `block()` holds the actor until the test
// opens its gate, `echo(n)` records the calls it handles.
import type { ActantApp, ActorOptions } from "../../mod.ts";

/** Registers the gated class on `app` as `Gated`, with `options` (mailbox capacity and timeout). */
export function defineGated(app: ActantApp, options: ActorOptions = { mailboxCapacity: 8 }) {
  const gate = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  const handled: number[] = [];
  const Gated = app.actor(
    "Gated",
    class {
      async block() {
        entered.resolve();
        await gate.promise;
        return "unblocked";
      }
      echo(n: number) {
        handled.push(n);
        return n;
      }
    },
    options,
  );
  return { Gated, gate, entered, handled };
}
