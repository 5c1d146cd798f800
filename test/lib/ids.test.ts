// Sortable ids: 26 characters of lower-case Crockford base32, ordered by creation time, unique
// within a millisecond (the redirect makes one per click).
import { describe, expect, it } from "vitest";
import { lowerBoundToken, newId, sortableToken, tokenTime } from "../../src/lib/ids";

const BASE32 = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

describe("sortableToken", () => {
  it("encodes its time, sorts by it, and is URL-safe", () => {
    const at = Date.UTC(2026, 10, 26, 12);
    const token = sortableToken(at);
    expect(token).toMatch(BASE32);
    expect(encodeURIComponent(token)).toBe(token);
    expect(tokenTime(`clk_${token}`)).toBe(at);
    expect(sortableToken(at + 1) > token).toBe(true);
    expect(sortableToken(at - 1) < token).toBe(true);
    expect(lowerBoundToken(at) <= token && token < lowerBoundToken(at + 1)).toBe(true);
  });

  it("differs for every id made in the same millisecond, across refills of its random pool", () => {
    const at = Date.UTC(2026, 10, 26, 12);
    const tokens = Array.from({ length: 1000 }, () => sortableToken(at)); // 16 random bytes each, 4096 a pool
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(token.slice(0, 10)).toBe(tokens[0]?.slice(0, 10));
  });

  it("keeps the time right when calls alternate between milliseconds", () => {
    const times = [5_000, 5_001, 5_000, 1_700_000_000_000, 5_001];
    for (const at of times) expect(tokenTime(`x_${sortableToken(at)}`)).toBe(at);
    expect(tokenTime(newId("group", 1_700_000_000_123))).toBe(1_700_000_000_123);
  });
});
