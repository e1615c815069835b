// A worker whose address is known before it starts: its key is written into its data directory
// first and its port picked from one the kernel gave out, so other workers can be told to
// bootstrap from it while it is not listening yet.
import { createServer } from "node:net";
import { loadOrCreateKey, peerIdOfKey } from "../../src/net/mod.ts";

/** A free TCP port on 127.0.0.1 (bound with port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The listen and dial addresses of a worker that will start on `dataDir`. */
export async function plannedPeer(dataDir: string): Promise<{ listen: string; address: string }> {
  const peerId = peerIdOfKey(await loadOrCreateKey(dataDir));
  const listen = `/ip4/127.0.0.1/tcp/${await freePort()}/ws`;
  return { listen, address: `${listen}/p2p/${peerId}` };
}
