// In-isolate cache for redirect records. Entries are fresh for `freshMs`; after that they are still
// kept (until evicted) so that a failing KV or D1 can be answered from the last known value.
// Eviction is oldest-inserted first: a hot record is re-inserted every time it is refreshed, so
// this approximates LRU without reordering the map on every read (the hot path reads four keys).
import type { ReadRecord, RecordKey, RecordKind, RecordTypes } from "./records";

export interface CacheHit<T> {
  value: T;
  fresh: boolean;
}

export interface IsolateCacheOptions {
  maxEntries: number;
  freshMs: number;
  /** Not-found answers are kept fresh for less time, so a newly created record shows up sooner. */
  missFreshMs: number;
  now?: () => number;
}

/** How long another isolate may keep serving a record after an admin edit (documented in README). */
export const ISOLATE_FRESH_MS = 15_000;

export class IsolateCache {
  private readonly entries = new Map<string, { value: RecordTypes[RecordKind] | null; freshUntil: number }>();
  private readonly now: () => number;

  constructor(private readonly options: IsolateCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The walk's reader on the warm path (resolve.ts): a record fresh here, else undefined. A field,
   * so a request passes it without allocating, and reading allocates nothing either.
   */
  readonly fresh: ReadRecord = (_kind, key) => {
    const entry = this.entry(key);
    return entry && entry.freshUntil > this.now() ? entry.value : undefined;
  };

  get<K extends RecordKind>(key: RecordKey<K>): CacheHit<RecordTypes[K] | null> | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    return { value: entry.value, fresh: entry.freshUntil > this.now() };
  }

  set<K extends RecordKind>(key: RecordKey<K>, value: RecordTypes[K] | null): void {
    const ttl = value === null ? this.options.missFreshMs : this.options.freshMs;
    this.entries.delete(key);
    this.entries.set(key, { value, freshUntil: this.now() + ttl });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private entry<K extends RecordKind>(key: RecordKey<K>) {
    // set() stores under a key only a record of the key's kind.
    return this.entries.get(key) as { value: RecordTypes[K] | null; freshUntil: number } | undefined;
  }
}

/** The cache shared by every request this isolate serves. */
export const isolateCache = new IsolateCache({ maxEntries: 10_000, freshMs: ISOLATE_FRESH_MS, missFreshMs: 5_000 });
