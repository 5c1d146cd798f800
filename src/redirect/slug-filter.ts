// A company's slug filter: a Bloom filter of every slug it has, in KV under its own key, so the edge
// can answer "surely unknown" for a random slug without a D1 query. False positives only cost the
// D1 query the edge would have made anyway; a false negative would break a real link, so the edge
// trusts a filter only while its `version` equals the company's `slugs_version` in D1 (a trigger
// moves it with every slug written) — see SlugFilterCache and README, "Unknown slugs".
// The admin side keeps the filter current after every change that writes slugs
// (slug-filter-publish.ts).
export const slugFilterKey = (companyId: string) => `v1:slugs:${companyId}`;

/** 10 bits and 7 probes per slug of capacity: about 0.8% false positives when full, less before. */
export const BITS_PER_SLUG = 10;
const PROBES = 7;
/** Room to grow before a rebuild: a filter is rebuilt from D1 once its slugs outgrow its capacity. */
const HEADROOM = 1.25;
const MIN_CAPACITY = 64;
const FORMAT = 1;
const HEADER_BYTES = 24;

export class SlugFilter {
  private constructor(
    /** The company's `slugs_version` this filter holds every slug of. */
    public version: number,
    readonly capacity: number,
    /** Slugs added (an upper bound: adding a slug twice counts twice). */
    public count: number,
    private readonly bits: Uint8Array,
  ) {}

  static build(version: number, slugs: Iterable<string>, count: number): SlugFilter {
    const capacity = Math.max(MIN_CAPACITY, Math.ceil(count * HEADROOM));
    const filter = new SlugFilter(version, capacity, 0, new Uint8Array(Math.ceil((capacity * BITS_PER_SLUG) / 8)));
    for (const slug of slugs) filter.add(slug);
    return filter;
  }

  /** Null for anything that is not a filter this code wrote (then the edge asks D1, as without one). */
  static decode(buffer: ArrayBuffer | null): SlugFilter | null {
    if (!buffer || buffer.byteLength < HEADER_BYTES) return null;
    const view = new DataView(buffer);
    if (view.getUint8(0) !== FORMAT || view.getUint8(1) !== PROBES) return null;
    const capacity = view.getUint32(4, true);
    const bytes = Math.ceil((capacity * BITS_PER_SLUG) / 8);
    if (capacity < 1 || buffer.byteLength !== HEADER_BYTES + bytes) return null;
    return new SlugFilter(
      view.getFloat64(16, true),
      capacity,
      view.getUint32(8, true),
      new Uint8Array(buffer, HEADER_BYTES),
    );
  }

  encode(): ArrayBuffer {
    const buffer = new ArrayBuffer(HEADER_BYTES + this.bits.byteLength);
    const view = new DataView(buffer);
    view.setUint8(0, FORMAT);
    view.setUint8(1, PROBES);
    view.setUint32(4, this.capacity, true);
    view.setUint32(8, Math.min(this.count, 0xffffffff), true);
    view.setFloat64(16, this.version, true);
    new Uint8Array(buffer, HEADER_BYTES).set(this.bits);
    return buffer;
  }

  get byteLength(): number {
    return HEADER_BYTES + this.bits.byteLength;
  }

  get full(): boolean {
    return this.count > this.capacity;
  }

  add(slug: string): void {
    const size = this.bits.length * 8;
    let [h1, h2] = hashes(slug);
    for (let i = 0; i < PROBES; i++) {
      const bit = h1 % size;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
      h1 = (h1 + h2) >>> 0;
    }
    this.count++;
  }

  /** False: the slug is surely not in the set. True: it may be. */
  has(slug: string): boolean {
    const size = this.bits.length * 8;
    let [h1, h2] = hashes(slug);
    for (let i = 0; i < PROBES; i++) {
      const bit = h1 % size;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      h1 = (h1 + h2) >>> 0;
    }
    return true;
  }
}

/** Two independent 32-bit hashes (FNV-1a and a multiply-xor), finalised with murmur3's mix. */
function hashes(slug: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < slug.length; i++) {
    const c = slug.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  // Double hashing needs an odd step so the probes do not fall into a short cycle.
  return [mix(a) >>> 0, (mix(b) | 1) >>> 0];
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The company's current slug version (one indexed row). */
export async function loadSlugsVersion(db: D1Database, companyId: string): Promise<number | null> {
  const row = await db
    .prepare("SELECT slugs_version AS version FROM companies WHERE id = ?")
    .bind(companyId)
    .first<{ version: number }>();
  return row ? Number(row.version) : null;
}
