// The visitor hash: the same visitor on the same day hashes alike (unique clicks rely on it); another
// day, another salt or another visitor hashes differently; nothing of the IP shows.
import { describe, expect, it } from "vitest";
import { visitorHash } from "../../src/clicks/event";
import { DAY_MS } from "../../src/lib/time";

const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const NOON = Date.UTC(2026, 10, 26, 12);

describe("visitorHash", () => {
  it("is 32 hex characters, the same for one visitor all day, and holds no part of the IP", () => {
    const hash = visitorHash("salt", NOON, "203.0.113.7", UA);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(visitorHash("salt", NOON - 12 * 3_600_000, "203.0.113.7", UA)).toBe(hash); // midnight UTC
    expect(visitorHash("salt", NOON + 12 * 3_600_000 - 1, "203.0.113.7", UA)).toBe(hash);
    expect(hash).not.toContain("cb007107"); // 203.0.113.7 in hex
  });

  it("differs by day, salt, IP and user agent", () => {
    const hash = visitorHash("salt", NOON, "203.0.113.7", UA);
    const others = [
      visitorHash("salt", NOON + DAY_MS, "203.0.113.7", UA),
      visitorHash("other-salt", NOON, "203.0.113.7", UA),
      visitorHash("salt", NOON, "203.0.113.8", UA),
      visitorHash("salt", NOON, "203.0.113.7", `${UA} Edg/126`),
    ];
    expect(new Set([hash, ...others]).size).toBe(others.length + 1);
  });

  it("switches keys with the day even when called alternately for two days and two salts", () => {
    const a = visitorHash("salt", NOON, "198.51.100.1", UA);
    const b = visitorHash("salt", NOON + DAY_MS, "198.51.100.1", UA);
    const c = visitorHash("pepper", NOON, "198.51.100.1", UA);
    expect(visitorHash("salt", NOON, "198.51.100.1", UA)).toBe(a);
    expect(visitorHash("salt", NOON + DAY_MS, "198.51.100.1", UA)).toBe(b);
    expect(visitorHash("pepper", NOON, "198.51.100.1", UA)).toBe(c);
  });

  it("is unchanged by the allocation-free SipHash (values computed with the siphash package it replaced)", () => {
    expect(visitorHash("salt", NOON, "203.0.113.7", UA)).toBe("94aadf1754f807ebde2540248be364e5");
    expect(visitorHash("salt", NOON, "2001:db8::1", "Mozilla/5.0 ünïcode 🚀")).toBe("789a0530ca18c932818011f7a1f8944b");
  });

  it("hashes a visitor longer than its reused buffer (a forged IP header) in full", () => {
    const longIp = "2001:db8::".repeat(40);
    const hash = visitorHash("salt", NOON, longIp, UA);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(visitorHash("salt", NOON, longIp, UA)).toBe(hash);
    expect(visitorHash("salt", NOON, `${longIp}1`, UA)).not.toBe(hash);
    expect(visitorHash("salt", NOON, longIp.slice(0, 200), UA)).not.toBe(
      visitorHash("salt", NOON, longIp.slice(0, 201), UA),
    );
  });

  it("hashes a visitor that is not ASCII (a forged IP header) as its UTF-8 bytes, as before", () => {
    // Computed with the runtime's UTF-8 encoder for every visitor, before the ASCII loop.
    expect(visitorHash("salt", NOON, "203.0.113.7\u00e9", UA)).toBe("1a80df722dbe23e50672a707354a7d12");
    expect(visitorHash("salt", NOON, "\u{1f680}", UA)).toBe("5a1eadbc4c6d3f40928a0a6c30f1474a");
  });
});
