/** The log's checksum is standard CRC-32 (what zlib and gzip compute), at every input length. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "../src/store/mod.ts";

/** The textbook bit-at-a-time CRC-32, as the reference. */
function reference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("gives the standard check values", () => {
    assert.equal(crc32(new Uint8Array()), 0);
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    assert.equal(crc32(new TextEncoder().encode("The quick brown fox jumps over the lazy dog")), 0x414fa339);
  });

  it("agrees with the bitwise reference at every length and offset", () => {
    const data = new Uint8Array(300);
    let x = 12345;
    for (let i = 0; i < data.length; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    for (let start = 0; start < 9; start++) {
      for (let length = 0; length + start <= data.length; length += 7) {
        const view = data.subarray(start, start + length);
        assert.equal(crc32(view), reference(view), `start ${start}, length ${length}`);
      }
    }
  });

  it("changes when any single bit flips", () => {
    const data = new TextEncoder().encode('[{"type":"task.submitted","id":"t1"}]');
    const original = crc32(data);
    for (let bit = 0; bit < data.length * 8; bit++) {
      const flipped = data.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      assert.notEqual(crc32(flipped), original, `bit ${bit}`);
    }
  });
});
