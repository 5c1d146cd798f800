// SipHash-2-4 with a 128-bit output, on 32-bit halves, allocating nothing but its hex answer.
// The `siphash` package computes the same function but allocates objects at every 64-bit step,
// which made it a large part of a redirect's CPU (bench/RESULTS.md). Its output layout is kept
// (words hl.h, hl.l, hh.h, hh.l, each as little-endian bytes) so visitor hashes did not change.

import { HEX } from "../lib/hash";

// The state v0..v3, each as high and low 32 bits, between calls of sipRounds (no allocation).
const state = new Int32Array(8);

/** `count` SipRounds over `state`, in local variables. */
function sipRounds(count: number): void {
  let v0h = state[0] as number;
  let v0l = state[1] as number;
  let v1h = state[2] as number;
  let v1l = state[3] as number;
  let v2h = state[4] as number;
  let v2l = state[5] as number;
  let v3h = state[6] as number;
  let v3l = state[7] as number;
  for (let round = 0; round < count; round++) {
    let sum: number;
    let h: number;
    // v0 += v1; v2 += v3 (64-bit: the carry of the low halves goes into the high halves)
    sum = (v0l >>> 0) + (v1l >>> 0);
    v0h = (v0h + v1h + (sum > 0xffffffff ? 1 : 0)) | 0;
    v0l = sum | 0;
    sum = (v2l >>> 0) + (v3l >>> 0);
    v2h = (v2h + v3h + (sum > 0xffffffff ? 1 : 0)) | 0;
    v2l = sum | 0;
    // v1 = rotl(v1, 13) ^ v0; v3 = rotl(v3, 16) ^ v2
    h = (v1h << 13) | (v1l >>> 19);
    v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l;
    v1h = h ^ v0h;
    h = (v3h << 16) | (v3l >>> 16);
    v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
    v3h = h ^ v2h;
    // v0 = rotl(v0, 32)
    h = v0h;
    v0h = v0l;
    v0l = h;
    // v2 += v1; v0 += v3
    sum = (v2l >>> 0) + (v1l >>> 0);
    v2h = (v2h + v1h + (sum > 0xffffffff ? 1 : 0)) | 0;
    v2l = sum | 0;
    sum = (v0l >>> 0) + (v3l >>> 0);
    v0h = (v0h + v3h + (sum > 0xffffffff ? 1 : 0)) | 0;
    v0l = sum | 0;
    // v1 = rotl(v1, 17) ^ v2; v3 = rotl(v3, 21) ^ v0
    h = (v1h << 17) | (v1l >>> 15);
    v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
    v1h = h ^ v2h;
    h = (v3h << 21) | (v3l >>> 11);
    v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
    v3h = h ^ v0h;
    // v2 = rotl(v2, 32)
    h = v2h;
    v2h = v2l;
    v2l = h;
  }
  state[0] = v0h;
  state[1] = v0l;
  state[2] = v1h;
  state[3] = v1l;
  state[4] = v2h;
  state[5] = v2l;
  state[6] = v3h;
  state[7] = v3l;
}

/** One 8-byte block: into v3, two rounds, into v0. */
function absorb(high: number, low: number): void {
  state[6] = (state[6] as number) ^ high;
  state[7] = (state[7] as number) ^ low;
  sipRounds(2);
  state[0] = (state[0] as number) ^ high;
  state[1] = (state[1] as number) ^ low;
}

const littleEndian32 = (bytes: Uint8Array, at: number) =>
  (bytes[at] as number) |
  ((bytes[at + 1] as number) << 8) |
  ((bytes[at + 2] as number) << 16) |
  ((bytes[at + 3] as number) << 24);

/**
 * SipHash-2-4-128 of the first `length` bytes of `message` under a 128-bit key (four little-endian
 * 32-bit words), in hex.
 */
export function sipHash128Hex(key: Uint32Array, message: Uint8Array, length = message.length): string {
  const k0h = key[1] as number;
  const k0l = key[0] as number;
  const k1h = key[3] as number;
  const k1l = key[2] as number;
  state[0] = k0h ^ 0x736f6d65;
  state[1] = k0l ^ 0x70736575;
  state[2] = k1h ^ 0x646f7261;
  state[3] = k1l ^ 0x6e646f83; // 0x6e646f6d ^ 0xee: the 128-bit variant
  state[4] = k0h ^ 0x6c796765;
  state[5] = k0l ^ 0x6e657261;
  state[6] = k1h ^ 0x74656462;
  state[7] = k1l ^ 0x79746573;

  const whole = length - (length % 8);
  for (let at = 0; at < whole; at += 8) absorb(littleEndian32(message, at + 4), littleEndian32(message, at));
  // The last block: the remaining bytes, the length's low byte at the top.
  let low = 0;
  let high = (length & 0xff) << 24;
  for (let at = whole; at < length; at++) {
    const shift = 8 * (at - whole);
    if (shift < 32) low |= (message[at] as number) << shift;
    else high |= (message[at] as number) << (shift - 32);
  }
  absorb(high, low);

  state[5] = (state[5] as number) ^ 0xee; // v2
  sipRounds(4);
  const firstHigh = (state[0] as number) ^ (state[2] as number) ^ (state[4] as number) ^ (state[6] as number);
  const firstLow = (state[1] as number) ^ (state[3] as number) ^ (state[5] as number) ^ (state[7] as number);
  state[3] = (state[3] as number) ^ 0xdd; // v1
  sipRounds(4);
  const secondHigh = (state[0] as number) ^ (state[2] as number) ^ (state[4] as number) ^ (state[6] as number);
  const secondLow = (state[1] as number) ^ (state[3] as number) ^ (state[5] as number) ^ (state[7] as number);
  return wordHex(secondHigh) + wordHex(secondLow) + wordHex(firstHigh) + wordHex(firstLow);
}

/** A 32-bit word's bytes, little-endian first, in hex. */
function wordHex(word: number): string {
  return (
    (HEX[word & 0xff] as string) +
    (HEX[(word >>> 8) & 0xff] as string) +
    (HEX[(word >>> 16) & 0xff] as string) +
    (HEX[word >>> 24] as string)
  );
}
