/**
 * Lets a process exit while a `BroadcastChannel` is open, where the runtime allows it.
 *
 * libp2p's peer store locks through `mortice`, which opens a `BroadcastChannel` for worker threads
 * and calls `channel.unref?.()` so it does not keep the process alive. Node has `unref()`; Deno
 * has no public one, so a `deno run` process with a libp2p node never exits after `stop()`. Deno
 * keeps the ref state behind an internal method; this adds `unref()`/`ref()` on top of it.
 *
 * @module
 */
import { runtimeName } from "./mod.ts";

let patched = false;

/**
 * Gives `BroadcastChannel` instances `unref()` and `ref()` on Deno (no-op elsewhere, and on a Deno
 * that already has them or no longer has the internal method). Call before libp2p is created.
 */
export function enableBroadcastChannelUnref(): void {
  if (patched || runtimeName() !== "deno" || typeof BroadcastChannel !== "function") return;
  patched = true;
  const proto = BroadcastChannel.prototype as unknown as Record<PropertyKey, unknown>;
  if (typeof proto.unref === "function") return;
  const setRef = Object.getOwnPropertySymbols(proto).find((symbol) => symbol.description === "refBroadcastChannel");
  if (setRef === undefined || typeof proto[setRef] !== "function") return;
  Object.defineProperty(proto, "unref", {
    configurable: true,
    value(this: Record<PropertyKey, (ref: boolean) => void>) {
      this[setRef](false);
    },
  });
  Object.defineProperty(proto, "ref", {
    configurable: true,
    value(this: Record<PropertyKey, (ref: boolean) => void>) {
      this[setRef](true);
    },
  });
}
