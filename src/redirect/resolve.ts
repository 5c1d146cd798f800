// Resolves (hostname, slug) to the records a redirect needs: in-isolate cache → KV → one D1 query.
// An unknown slug stops before D1 when the company's slug filter says so (slug-filter-cache.ts);
// an unknown host is remembered in KV for a minute. KV is written back after the response
// (`waitUntil`); nothing here is awaited on a write.
// When KV or D1 fail, stale in-isolate entries still answer; what cannot be answered comes back
// as null and the caller falls back (company fallback URL or a 404 page) — never an exception.
import type { IsolateCache } from "./isolate-cache";
import {
  type GroupRecord,
  type LinkRecord,
  loadRouteFromD1,
  type ReadRecord,
  type RecordKey,
  type RecordKind,
  type RecordTypes,
  type RouteRecords,
  recordKeys,
  type StoredRecords,
  writeBackKey,
} from "./records";
import type { SlugFilterCache } from "./slug-filter-cache";

/** KV's own edge cache for reads (Cloudflare's minimum is 30 s). */
export const KV_CACHE_TTL_SECONDS = 30;
/**
 * Write-backs from the edge (under writeBackKey, never over the admin's record) expire: if one
 * races an admin write-through and stores an older value, it heals within this time. They are
 * rare — keys not propagated yet, slugs a new default link gave a whole group — so a short TTL
 * costs few D1 reads.
 */
export const WRITE_BACK_TTL_SECONDS = 120;
/**
 * An unknown hostname is remembered beside its key (a write-back of `null`) for KV's minimum TTL,
 * so a flood of requests for it costs KV reads, not D1 queries, in every location. Publishing the
 * host (a domain added or verified) deletes it.
 */
export const UNKNOWN_HOST_TTL_SECONDS = 60;

export interface ResolverDeps {
  db: D1Database;
  kv: KVNamespace;
  cache: IsolateCache;
  waitUntil: (promise: Promise<unknown>) => void;
  /** Companies' slug filters; without them every unknown slug is a D1 query. */
  filters?: SlugFilterCache;
}

/** A record looked up in storage: found (null: known not to exist), or not, with what this isolate last knew. */
type Lookup<T> = { hit: true; value: T | null } | { hit: false; stale?: { value: T | null } };

const NOTHING: RouteRecords = { site: null, slug: null, group: null };

/**
 * The one walk from a hostname and slug to the records a redirect needs: the hostname's site, then
 * the slug of its company; the slug's group is in the site. Undefined where `read` does not know a
 * record the walk needs. The isolate path walks the records fresh in this isolate; the storage path
 * walks again after each round of lookups; what D1 answered is remembered along the same walk.
 */
export function walkRoute(read: ReadRecord, hostname: string, slug: string): RouteRecords | undefined {
  const site = read("site", recordKeys.site(hostname));
  if (site === undefined) return undefined;
  if (site === null) return NOTHING;
  const slugRecord = read("slug", recordKeys.slug(site.companyId, slug));
  if (slugRecord === undefined) return undefined;
  if (slugRecord === null) return { site, slug: null, group: null };
  return { site, slug: slugRecord, group: site.groups[slugRecord.groupId] ?? null };
}

/**
 * The warm path: every record fresh in this isolate, answered without awaiting anything.
 * Undefined when any record is missing or stale (then use resolveRoute).
 */
export function resolveFromIsolate(cache: IsolateCache, hostname: string, slug: string): RouteRecords | undefined {
  return walkRoute(cache.fresh, hostname, slug);
}

/** The full path: each record from the isolate cache if fresh, else KV, else one D1 query for all. */
export async function resolveRoute(deps: ResolverDeps, hostname: string, slug: string): Promise<RouteRecords> {
  const lookups = new StorageLookups(deps);
  // Rounds: the site; the slug (one round when the site is fresh here). A stale record (storage
  // down) still tells the walk which keys to look up next.
  let route = walkRoute(lookups.read, hostname, slug);
  while (!route) {
    await lookups.settle();
    route = walkRoute(lookups.read, hostname, slug);
  }
  const site = route.site;
  const slugMissed = site !== null && route.slug === null && lookups.missed("slug");
  if (slugMissed && (await deps.filters?.surelyUnknown(deps, site.companyId, slug))) {
    // Not remembered per slug: random slugs would evict real records from the isolate cache.
    lookups.slugIsUnknown();
  }
  if (lookups.allHit()) return route;

  let fromD1: RouteRecords;
  try {
    fromD1 = await loadRouteFromD1(deps.db, hostname, slug);
  } catch (error) {
    console.error(
      JSON.stringify({ msg: "route load failed, serving from cache", hostname, slug, error: String(error) }),
    );
    return route; // what storage answered, stale where it did not, null where nothing is known
  }
  remember(deps, lookups, fromD1, hostname, slug);
  return fromD1;
}

/**
 * For a client over the edge's miss limit: what this isolate alone can answer, with no I/O at all
 * (stale entries too). Undefined when the slug may be a real link — a cached record, or the
 * company's filter held here says it may exist — so the caller looks it up as for anyone.
 */
export function resolveForLimitedClient(
  cache: IsolateCache,
  filters: SlugFilterCache | undefined,
  hostname: string,
  slug: string,
): RouteRecords | undefined {
  const site = cache.get(recordKeys.site(hostname))?.value;
  if (!site) return NOTHING;
  const slugRecord = cache.get(recordKeys.slug(site.companyId, slug));
  if (slugRecord?.value) return undefined;
  if (!slugRecord && filters?.mayExist(site.companyId, slug)) return undefined;
  return { site, slug: null, group: null };
}

/** The live default link a slug leads to: the one with its link text, else the group's original. */
export function chooseLink(group: GroupRecord, linkText: string): LinkRecord | undefined {
  return group.links.find((link) => link.linkText === linkText) ?? group.links.find((link) => link.position === 1);
}

interface Found<K extends RecordKind> {
  /** Undefined until the walk asks for this kind. */
  key?: RecordKey<K>;
  /** Undefined until looked up. */
  lookup?: Lookup<RecordTypes[K]>;
}
type FoundByKind = { [K in RecordKind]: Found<K> };

/**
 * The storage path's lookups, one per kind of record: the walk asks for one key of each kind per
 * request (every round walks the same records again, so it derives the same keys).
 */
class StorageLookups {
  private readonly found: FoundByKind = { site: {}, slug: {} };
  private loading: Promise<void>[] = [];

  constructor(private readonly deps: ResolverDeps) {}

  /** For the walk: a hit, else the stale value, else null; undefined (and looked up) the first time. */
  readonly read: ReadRecord = (kind, key) => {
    const slot = this.found[kind];
    if (slot.key === undefined) {
      slot.key = key;
      this.loading.push(
        lookup(this.deps, key).then((found) => {
          slot.lookup = found;
        }),
      );
      return undefined;
    }
    const found = slot.lookup;
    if (!found) return undefined;
    if (found.hit) return found.value;
    return found.stale ? found.stale.value : null;
  };

  /** Waits for the lookups the last walk started (none fails: a failed read is a miss). */
  async settle(): Promise<void> {
    const loading = this.loading;
    this.loading = [];
    await Promise.all(loading);
  }

  missed(kind: RecordKind): boolean {
    const found = this.found[kind].lookup;
    return found !== undefined && !found.hit;
  }

  /** The company's slug filter answered for storage: no such slug. */
  slugIsUnknown(): void {
    this.found.slug.lookup = { hit: true, value: null };
  }

  allHit(): boolean {
    return Object.values(this.found).every((slot) => slot.key === undefined || slot.lookup?.hit === true);
  }

  /** Whether the isolate cache or KV answered this very key. */
  answered<K extends RecordKind>(kind: K, key: RecordKey<K>): boolean {
    const slot = this.found[kind];
    return slot.key === key && slot.lookup?.hit === true;
  }
}

async function lookup<K extends RecordKind>(deps: ResolverDeps, key: RecordKey<K>): Promise<Lookup<RecordTypes[K]>> {
  const cached = deps.cache.get(key);
  if (cached?.fresh) return { hit: true, value: cached.value };
  const stale = cached ? { value: cached.value } : undefined;
  try {
    const options = { type: "json", cacheTtl: KV_CACHE_TTL_SECONDS } as const;
    // The admin side's record first; an edge write-back only where that has not reached this location.
    const published = await deps.kv.get<RecordTypes[K]>(key, options);
    if (published !== null) {
      deps.cache.set(key, published);
      return { hit: true, value: published };
    }
    const written = await deps.kv.get(writeBackKey(key), { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS });
    if (written === null) return { hit: false, stale };
    // `null` written back: a remembered absence (unknown hosts only).
    const value: RecordTypes[K] | null = JSON.parse(written);
    deps.cache.set(key, value);
    return { hit: true, value };
  } catch (error) {
    console.error(JSON.stringify({ msg: "kv read failed", key, error: String(error) }));
    return { hit: false, stale };
  }
}

/**
 * Caches what D1 answered, along the same walk; writes back to KV only the records the isolate
 * cache and KV did not answer.
 */
function remember(
  deps: ResolverDeps,
  lookups: StorageLookups,
  records: StoredRecords,
  hostname: string,
  slug: string,
): void {
  const writes: Promise<unknown>[] = [];
  walkRoute(
    (kind, key) => {
      const value = records[kind];
      // Unknown slugs stay in this isolate only (random ones would each cost a KV write); an unknown
      // host is remembered in KV for a minute.
      deps.cache.set(key, value);
      if (lookups.answered(kind, key)) return value;
      if (value !== null) {
        writes.push(deps.kv.put(writeBackKey(key), JSON.stringify(value), { expirationTtl: WRITE_BACK_TTL_SECONDS }));
      } else if (kind === "site") {
        writes.push(deps.kv.put(writeBackKey(key), "null", { expirationTtl: UNKNOWN_HOST_TTL_SECONDS }));
      }
      return value;
    },
    hostname,
    slug,
  );
  if (writes.length) {
    deps.waitUntil(
      Promise.all(writes).catch((error) =>
        console.error(JSON.stringify({ msg: "kv write-back failed", error: String(error) })),
      ),
    );
  }
}
