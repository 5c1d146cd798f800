// The slug filter itself: never a false negative, about 1% false positives, and its size.
import { describe, expect, it } from "vitest";
import { BITS_PER_SLUG, SlugFilter } from "../../src/redirect/slug-filter";

const slugs = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}-${(i * 2654435761) % 9973}`);

describe("SlugFilter", () => {
  it("knows every slug it holds and rejects about 99% of the others, also when full", async () => {
    const held = slugs(10_000, "partner");
    const filter = SlugFilter.build(7, held, held.length);
    // Filled up to its capacity by later additions (the worst case before a rebuild).
    const added = slugs(filter.capacity - held.length, "later");
    for (const slug of added) filter.add(slug);
    expect(filter.full).toBe(false);
    for (const slug of [...held, ...added]) expect(filter.has(slug)).toBe(true);

    const strangers = slugs(100_000, "unknown");
    const falsePositives = strangers.filter((slug) => filter.has(slug)).length;
    expect(falsePositives / strangers.length).toBeLessThan(0.012);
  });

  it("round-trips through its KV encoding, and refuses anything else", async () => {
    const filter = SlugFilter.build(42, ["jane-doe", "jane-doe--pricing"], 2);
    const decoded = SlugFilter.decode(filter.encode())!;
    expect(decoded.version).toBe(42);
    expect(decoded.has("jane-doe--pricing")).toBe(true);
    expect(decoded.has("john-roe")).toBe(false);
    expect(SlugFilter.decode(null)).toBeNull();
    expect(SlugFilter.decode(new TextEncoder().encode('{"not":"a filter"}').buffer as ArrayBuffer)).toBeNull();
    expect(SlugFilter.decode(filter.encode().slice(0, 40))).toBeNull();
  });

  it("takes 10 bits per slug of capacity: 1M slugs fit in about 1.6 MB", async () => {
    const filter = SlugFilter.build(1, [], 1_000_000);
    expect(filter.capacity).toBe(1_250_000);
    expect(filter.byteLength).toBe(24 + (1_250_000 * BITS_PER_SLUG) / 8);
    expect(filter.byteLength).toBeLessThan(1.6e6);
  });
});
