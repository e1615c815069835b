/**
 * The cluster secret: peers that hold it form a private network (libp2p's pre-shared-key
 * connection protector, under Noise); a peer without it cannot complete a connection, so it can
 * neither join, submit nor call.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";

/**
 * The swarm key libp2p's `preSharedKey` expects, derived from any secret (a passphrase or the
 * bytes of a secret file) with SHA-256, so every peer given the same secret gets the same key.
 */
export function swarmKeyFromSecret(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret.trim()) : secret;
  if (bytes.length === 0) {
    throw new TypeError("The cluster secret is empty; give a non-empty passphrase or secret file");
  }
  // @noble's SHA-256, not crypto.subtle: browsers lack crypto.subtle outside secure contexts.
  const digest = sha256(bytes);
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${hex}`);
}
