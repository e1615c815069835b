/**
 * The raw-transport baseline of bench/cluster.ts: small messages echoed over a bare libp2p stream
 * (length-prefixed frames from `it-length-prefixed`, nothing of Actant's channel, frames or codec),
 * between nodes built by `createNetNode` (the same libp2p configuration Actant's nodes use).
 *
 * Both ends write what they have in one `stream.send`: the client all the frames of a burst (in
 * sends of at most WRITE_BYTES), the server every whole frame of a chunk it read. That is the
 * most a bare stream can do with small messages; one send per message costs a muxer frame each.
 *
 * @module
 */
import type { Stream } from "@libp2p/interface";
import { encode as lpEncode } from "it-length-prefixed";
import { Uint8ArrayList } from "uint8arraylist";
import type { NetNode } from "../src/net/mod.ts";

/** The baseline's protocol: not an `/actant/` one, it carries no Actant frames. */
export const RAW_ECHO_PROTOCOL = "/actant-bench/raw-echo/1";
/** Bytes of each message's payload (a small message, like a trivial task's submission). */
export const MESSAGE_BYTES = 32;
const WRITE_BYTES = 64 * 1024;

/** Serves RAW_ECHO_PROTOCOL on `node`: every message read is written back, in order. */
export async function serveRawEcho(node: NetNode): Promise<void> {
  await node.handle(RAW_ECHO_PROTOCOL, async (stream) => {
    const reader = new FrameReader();
    for await (const chunk of stream) {
      const frames = reader.push(chunk);
      if (frames.length === 0) continue;
      const out = new Uint8ArrayList();
      for (const frame of frames) out.append(lpEncode.single(frame));
      await send(stream, out.subarray());
    }
    await stream.close();
  });
}

/** The client end: an open echo stream and what it reads. */
export class RawEchoClient {
  readonly #stream: Stream;
  readonly #reader = new FrameReader();
  readonly #chunks: AsyncIterator<Uint8Array | Uint8ArrayList>;

  private constructor(stream: Stream) {
    this.#stream = stream;
    this.#chunks = stream[Symbol.asyncIterator]();
  }

  /** Opens an echo stream to `address` (a multiaddr with `/p2p/`) from `node`. */
  static async open(node: NetNode, address: string): Promise<RawEchoClient> {
    return new RawEchoClient(await node.openStream(address, RAW_ECHO_PROTOCOL));
  }

  /** Sends `count` messages at once and reads their `count` echoes; checks each came back in order. */
  async burst(count: number): Promise<void> {
    const sending = (async () => {
      let out = new Uint8ArrayList();
      for (let i = 0; i < count; i++) {
        out.append(lpEncode.single(message(i)));
        if (out.byteLength >= WRITE_BYTES) (await send(this.#stream, out.subarray()), out = new Uint8ArrayList());
      }
      if (out.byteLength > 0) await send(this.#stream, out.subarray());
    })();
    let received = 0;
    while (received < count) {
      for (const frame of await this.#read()) {
        if (frame.getUint32(0) !== received) throw new Error(`echo ${received} came back out of order`);
        received++;
      }
    }
    await sending;
  }

  /** One message there and back. */
  async roundTrip(i: number): Promise<void> {
    await send(this.#stream, lpEncode.single(message(i)));
    let frames: Uint8ArrayList[] = [];
    while (frames.length === 0) frames = await this.#read();
    if (frames.length !== 1 || frames[0].getUint32(0) !== i >>> 0) throw new Error(`round trip ${i}: wrong echo`);
  }

  /** Closes the stream. */
  async close(): Promise<void> {
    await this.#stream.close();
  }

  async #read(): Promise<Uint8ArrayList[]> {
    const next = await this.#chunks.next();
    if (next.done) throw new Error("the echo stream ended early");
    return this.#reader.push(next.value);
  }
}

/** Message `i`: MESSAGE_BYTES bytes, `i` in the first four. */
function message(i: number): Uint8Array {
  const bytes = new Uint8Array(MESSAGE_BYTES);
  new DataView(bytes.buffer).setUint32(0, i >>> 0); // i < 0 for warm-ups
  return bytes;
}

/** Writes `data`, waiting for the stream to drain when its buffer is full. */
async function send(stream: Stream, data: Uint8Array | Uint8ArrayList): Promise<void> {
  if (!stream.send(data)) await stream.onDrain();
}

/** Splits a byte stream into its length-prefixed frames (unsigned varint length, then the bytes). */
class FrameReader {
  readonly #buffer = new Uint8ArrayList();

  /** Adds a chunk; returns every frame now complete. */
  push(chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList[] {
    this.#buffer.append(chunk);
    const frames: Uint8ArrayList[] = [];
    while (true) {
      let length = 0;
      let shift = 0;
      let at = 0;
      for (;; at++) {
        if (at >= this.#buffer.byteLength) return frames; // the length itself is incomplete
        const byte = this.#buffer.get(at);
        length += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (byte < 0x80) break;
      }
      if (this.#buffer.byteLength < at + 1 + length) return frames;
      frames.push(this.#buffer.sublist(at + 1, at + 1 + length));
      this.#buffer.consume(at + 1 + length);
    }
  }
}
