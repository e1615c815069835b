/**
 * Worker mode: an app joins its cluster as a member. A durable app keeps its peer key in its data
 * directory, so it rejoins under the same peer id after a restart.
 *
 * @module
 */
import { type ClusterHost, ClusterMember } from "../cluster/mod.ts";
import { loadOrCreateKey, type RelaySupport, type WebRtcSupport } from "../net/mod.ts";
import { runtimeName } from "../runtime/mod.ts";
import { checkClientWebRtc } from "./client_address.ts";
import type { JoinClusterOptions } from "./options.ts";

/**
 * Joins with `host`'s tasks and actors; the key comes from `keyDir` (none: a fresh key) unless
 * given. Membership warnings (a peer claiming a node id) go to `warn`, the app's own.
 */
export async function joinAsWorker(
  host: ClusterHost,
  options: JoinClusterOptions,
  local: { keyDir: string | undefined; warn: (message: string) => void },
): Promise<ClusterMember> {
  const { keyDir, warn } = local;
  const { relay, webrtc, ...join } = options;
  if (webrtc !== undefined) checkClientWebRtc(webrtc, options.secret);
  const privateKey = options.privateKey ?? (keyDir === undefined ? undefined : await loadOrCreateKey(keyDir));
  const module = relay === true ? await webRtcModule() : undefined;
  // A relay dials WebRTC too where it can, so that it reaches the tabs connected to other servers.
  const dials = webrtc ??
    (module !== undefined && options.secret === undefined && runtimeName() !== "deno" ? module.webRtc() : undefined);
  return await ClusterMember.join(host, {
    ...join,
    privateKey,
    warn,
    relay: module?.webRtcRelay(),
    webrtc: dials === undefined ? undefined : dialOnly(dials),
  });
}

/** WebRTC to dial with, listening on nothing: a server is reached over WebSocket. */
function dialOnly(support: WebRtcSupport): WebRtcSupport {
  return { kind: support.kind, transports: support.transports, listen: [] };
}

/**
 * The `@actant/actant/webrtc` code (loaded only by a worker that relays: its packages,
 * `@libp2p/circuit-relay-v2` and `@libp2p/webrtc`, are optional peer dependencies).
 */
async function webRtcModule(): Promise<{ webRtc: () => WebRtcSupport; webRtcRelay: () => RelaySupport }> {
  try {
    return await import("../net/webrtc.ts");
  } catch (cause) {
    throw new TypeError(
      "join() option relay needs the packages @libp2p/circuit-relay-v2 and @libp2p/webrtc " +
        `(npm install @libp2p/circuit-relay-v2 @libp2p/webrtc --legacy-peer-deps): ${(cause as Error).message}`,
      { cause },
    );
  }
}
