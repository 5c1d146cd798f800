// The allocation-free SipHash-2-4-128 of the redirect path: the published test vectors, and the
// same answers as the `siphash` package it replaced (so visitor hashes did not change).
import SipHashDouble from "siphash/lib/siphash-double.js";
import { describe, expect, it } from "vitest";
import { sipHash128Hex } from "../../src/clicks/siphash";
import { toHex } from "../../src/lib/hash";

const bytes = (length: number) => Uint8Array.from({ length }, (_, i) => i);
const KEY = new Uint32Array(bytes(16).buffer); // 00 01 … 0f, as four little-endian words

/** The reference output (16 bytes in hex) as edgeref lays it out: its four 32-bit words in reverse. */
const packageHash = (key: Uint32Array, message: Uint8Array) =>
  toHex(new Uint8Array(SipHashDouble.hash(key, message).buffer));
const asEdgeref = (reference: string) => (reference.match(/.{8}/g) ?? []).reverse().join("");

describe("sipHash128Hex", () => {
  it("gives the SipHash-2-4-128 reference vectors (key 00…0f, message 00…len-1)", () => {
    // The first two of the reference implementation's vectors_sip128 (vectors.h).
    expect(sipHash128Hex(KEY, bytes(0))).toBe(asEdgeref("a3817f04ba25a8e66df67214c7550293"));
    expect(sipHash128Hex(KEY, bytes(1))).toBe(asEdgeref("da87c1d86b99af44347659119b22fc45"));
  });

  it("answers as the siphash package for every length up to 70, whole buffers or their start", () => {
    const key = Uint32Array.of(0x01234567, 0x89abcdef, 0xdeadbeef, 0x0badf00d);
    for (let length = 0; length <= 70; length++) {
      const message = Uint8Array.from({ length }, (_, i) => (i * 151 + length * 17) & 0xff);
      expect(sipHash128Hex(key, message), `bytes, length ${length}`).toBe(packageHash(key, message));
      const inLargerBuffer = new Uint8Array(80);
      inLargerBuffer.set(message);
      expect(sipHash128Hex(key, inLargerBuffer, length), `start of a buffer, length ${length}`).toBe(
        packageHash(key, message),
      );
    }
  });
});
