/**
 * A node's identity: an Ed25519 key (protobuf-encoded, as `@libp2p/crypto` writes it) whose public
 * half is the peer id. Workers keep it in their data directory so a restart keeps the peer id.
 *
 * @module
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { describe } from "../common/mod.ts";
import { readFileBytes, writeFileOnce } from "../runtime/files.ts";
import { KeyFileError } from "./errors.ts";

/** The key file's name inside a data directory. */
export const KEY_FILE = "peer.key";

/** A new Ed25519 private key, protobuf-encoded. */
export async function generateKey(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair("Ed25519"));
}

/**
 * The peer id that `key` gives a node.
 *
 * @throws {TypeError} when `key` is not a protobuf-encoded private key.
 */
export function peerIdOfKey(key: Uint8Array): string {
  return peerIdFromPrivateKey(decodeKey(key)).toString();
}

/**
 * The key stored in `dataDir/peer.key`, created (mode 0600) on first use. Two processes that
 * start at once on an empty directory end up with the same key.
 *
 * @example
 * ```ts
 * import { createNetNode } from "./node.ts";
 *
 * const node = await createNetNode({ privateKey: await loadOrCreateKey("./.actant"), listen: ["/ip4/0.0.0.0/tcp/4001/ws"] });
 * ```
 * @throws {KeyFileError} `BAD_KEY_FILE` when the file cannot be read or written, or holds no key.
 */
export async function loadOrCreateKey(dataDir: string): Promise<Uint8Array> {
  const path = `${dataDir.replace(/\/+$/, "")}/${KEY_FILE}`;
  const existing = await readKey(path);
  if (existing !== undefined) return existing;
  const key = await generateKey();
  let created: boolean;
  try {
    created = await writeFileOnce(path, key, { mode: 0o600 });
  } catch (cause) {
    throw new KeyFileError(path, `it cannot be written (${describe(cause)})`, { cause });
  }
  if (created) return key;
  const winner = await readKey(path); // another process created it first: use theirs
  if (winner === undefined) throw new KeyFileError(path, "it vanished while being created");
  return winner;
}

async function readKey(path: string): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFileBytes(path);
  } catch (cause) {
    throw new KeyFileError(path, `it cannot be read (${describe(cause)})`, { cause });
  }
  if (bytes === undefined) return undefined;
  try {
    decodeKey(bytes);
  } catch (cause) {
    throw new KeyFileError(
      path,
      "it does not hold a private key; restore it from a backup, or delete it to get a new peer id",
      {
        cause,
      },
    );
  }
  return bytes;
}

/** Decodes a protobuf-encoded private key, with a TypeError that says what was expected. */
export function decodeKey(key: Uint8Array): PrivateKey {
  if (!(key instanceof Uint8Array)) throw new TypeError("privateKey must be a Uint8Array (protobuf-encoded)");
  try {
    return privateKeyFromProtobuf(key);
  } catch (cause) {
    throw new TypeError(
      `privateKey is not a protobuf-encoded private key (${describe(cause)}); make one with generateKey()`,
      { cause },
    );
  }
}
