/**
 * The end of `node-datachannel` (WebRTC on Node and Bun) in a process. A data channel it opened
 * sometimes never reports its close (murat-dogan/node-datachannel#349), and its native callbacks
 * then keep the process alive after every node stopped: `actant` or a test would never exit.
 * Its `cleanup()` closes what is left, but it is global: it runs once the last node that runs
 * WebRTC in this process has stopped.
 *
 * @module
 */
import { importModule } from "./import_module.ts";
import { runtimeName } from "./mod.ts";

let liveNodes = 0;

/**
 * Counts a node that runs WebRTC until the returned function is called (once; again does
 * nothing). The last one out, on Node or Bun, closes what `node-datachannel` still holds.
 */
export function holdNativeWebRtc(): () => Promise<void> {
  liveNodes++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--liveNodes > 0) return;
    const runtime = runtimeName();
    if (runtime !== "node" && runtime !== "bun") return; // a browser's own WebRTC ends with its tab
    const native = await nodeDataChannel();
    // A node started after this release began holds it again: leave its connections alone.
    if (liveNodes === 0) native?.cleanup?.();
  };
}

interface NodeDataChannel {
  cleanup?: () => void;
}

/** `node-datachannel` as `@libp2p/webrtc` loads it (from its own folder when not hoisted). */
async function nodeDataChannel(): Promise<NodeDataChannel | undefined> {
  try {
    return await importModule<NodeDataChannel>("node-datachannel");
  } catch {
    try {
      const { createRequire } = await importModule<{ createRequire(from: string): (id: string) => unknown }>(
        "node:module",
      );
      return createRequire(import.meta.resolve("@libp2p/webrtc"))("node-datachannel") as NodeDataChannel;
    } catch {
      return undefined; // no WebRTC package installed: nothing of it to close
    }
  }
}
