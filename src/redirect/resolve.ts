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
  type RouteRecords,
  recordKeys,
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

type Lookup<T> = { hit: true; value: T | null } | { hit: false; stale?: { value: T | null } };

const NOTHING: RouteRecords = { host: null, company: null, slug: null, group: null };

/**
 * The warm path: every record fresh in this isolate, answered without awaiting anything.
 * Undefined when any record is missing or stale (then use resolveRoute).
 */
export function resolveFromIsolate(cache: IsolateCache, hostname: string, slug: string): RouteRecords | undefined {
  const host = cache.get<RouteRecords["host"]>(recordKeys.host(hostname));
  if (!host?.fresh) return undefined;
  if (host.value === null) return NOTHING;
  const company = cache.get<RouteRecords["company"]>(recordKeys.company(host.value.companyId));
  const slugRecord = cache.get<RouteRecords["slug"]>(recordKeys.slug(host.value.companyId, slug));
  if (!company?.fresh || !slugRecord?.fresh) return undefined;
  if (slugRecord.value === null) return { host: host.value, company: company.value, slug: null, group: null };
  const group = cache.get<RouteRecords["group"]>(recordKeys.group(slugRecord.value.groupId));
  if (!group?.fresh) return undefined;
  return { host: host.value, company: company.value, slug: slugRecord.value, group: group.value };
}

/** The full path: each record from the isolate cache if fresh, else KV, else one D1 query for all. */
export async function resolveRoute(deps: ResolverDeps, hostname: string, slug: string): Promise<RouteRecords> {
  const found: Partial<Record<keyof RouteRecords, Lookup<unknown>>> = {};

  found.host = await lookup(deps, recordKeys.host(hostname));
  if (found.host.hit && found.host.value === null) return NOTHING;
  // A stale host (or slug) record still tells which keys to look up next, in case storage is down.
  const host = bestKnown(found.host) as RouteRecords["host"] | undefined;
  if (host) {
    [found.company, found.slug] = await Promise.all([
      lookup(deps, recordKeys.company(host.companyId)),
      lookup(deps, recordKeys.slug(host.companyId, slug)),
    ]);
    const slugRecord = bestKnown(found.slug) as RouteRecords["slug"] | undefined;
    if (slugRecord) {
      found.group = await lookup(deps, recordKeys.group(slugRecord.groupId));
    } else if (!found.slug.hit && (await deps.filters?.surelyUnknown(deps, host.companyId, slug))) {
      // Not remembered per slug: random slugs would evict real records from the isolate cache.
      found.slug = { hit: true, value: null };
    }
  }

  const answered = new Set((Object.keys(found) as (keyof RouteRecords)[]).filter((name) => found[name]?.hit));
  if (answered.size === Object.keys(found).length) return fromLookups(found);

  let fromD1: RouteRecords;
  try {
    fromD1 = await loadRouteFromD1(deps.db, hostname, slug);
  } catch (error) {
    console.error(
      JSON.stringify({ msg: "route load failed, serving from cache", hostname, slug, error: String(error) }),
    );
    return fromLookups(found, { useStale: true });
  }
  remember(deps, fromD1, hostname, slug, answered);
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
  const host = cache.get<RouteRecords["host"]>(recordKeys.host(hostname))?.value;
  if (!host) return NOTHING;
  const company = cache.get<RouteRecords["company"]>(recordKeys.company(host.companyId))?.value ?? null;
  const slugRecord = cache.get<RouteRecords["slug"]>(recordKeys.slug(host.companyId, slug));
  if (slugRecord?.value) return undefined;
  if (!slugRecord && filters?.mayExist(host.companyId, slug)) return undefined;
  return { host, company, slug: null, group: null };
}

/** The live default link a slug leads to: the one with its link text, else the group's original. */
export function chooseLink(group: GroupRecord, linkText: string): LinkRecord | undefined {
  return group.links.find((link) => link.linkText === linkText) ?? group.links.find((link) => link.position === 1);
}

async function lookup<T>(deps: ResolverDeps, key: string): Promise<Lookup<T>> {
  const cached = deps.cache.get<T | null>(key);
  if (cached?.fresh) return { hit: true, value: cached.value };
  const stale = cached ? { value: cached.value } : undefined;
  try {
    const options = { type: "json", cacheTtl: KV_CACHE_TTL_SECONDS } as const;
    // The admin side's record first; an edge write-back only where that has not reached this location.
    const published = await deps.kv.get<T>(key, options);
    if (published !== null) {
      deps.cache.set(key, published);
      return { hit: true, value: published };
    }
    const written = await deps.kv.get(writeBackKey(key), { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS });
    if (written === null) return { hit: false, stale };
    // `null` written back: a remembered absence (unknown hosts only).
    const value = JSON.parse(written) as T | null;
    deps.cache.set(key, value);
    return { hit: true, value };
  } catch (error) {
    console.error(JSON.stringify({ msg: "kv read failed", key, error: String(error) }));
    return { hit: false, stale };
  }
}

function bestKnown(found: Lookup<unknown>): unknown {
  if (found.hit) return found.value;
  return found.stale?.value ?? undefined;
}

function fromLookups(
  found: Partial<Record<keyof RouteRecords, Lookup<unknown>>>,
  options: { useStale?: boolean } = {},
): RouteRecords {
  const pick = (lookup: Lookup<unknown> | undefined) => {
    if (!lookup) return null;
    if (lookup.hit) return lookup.value;
    return options.useStale && lookup.stale ? lookup.stale.value : null;
  };
  return {
    host: pick(found.host) as RouteRecords["host"],
    company: pick(found.company) as RouteRecords["company"],
    slug: pick(found.slug) as RouteRecords["slug"],
    group: pick(found.group) as RouteRecords["group"],
  };
}

/** Caches what D1 answered; writes back to KV only the records the caches did not answer. */
function remember(
  deps: ResolverDeps,
  records: RouteRecords,
  hostname: string,
  slug: string,
  answeredByCache: Set<keyof RouteRecords>,
): void {
  const keys: Record<keyof RouteRecords, string | null> = {
    host: recordKeys.host(hostname),
    company: records.host ? recordKeys.company(records.host.companyId) : null,
    slug: records.host ? recordKeys.slug(records.host.companyId, slug) : null,
    group: records.slug ? recordKeys.group(records.slug.groupId) : null,
  };
  const writes: Promise<unknown>[] = [];
  for (const name of Object.keys(keys) as (keyof RouteRecords)[]) {
    const key = keys[name];
    if (!key) continue;
    const value = records[name];
    // Unknown slugs stay in this isolate only (random ones would each cost a KV write); an unknown
    // host is remembered in KV for a minute.
    deps.cache.set(key, value);
    if (answeredByCache.has(name)) continue;
    if (value !== null) {
      writes.push(deps.kv.put(writeBackKey(key), JSON.stringify(value), { expirationTtl: WRITE_BACK_TTL_SECONDS }));
    } else if (name === "host") {
      writes.push(deps.kv.put(writeBackKey(key), "null", { expirationTtl: UNKNOWN_HOST_TTL_SECONDS }));
    }
  }
  if (writes.length) {
    deps.waitUntil(
      Promise.all(writes).catch((error) =>
        console.error(JSON.stringify({ msg: "kv write-back failed", error: String(error) })),
      ),
    );
  }
}
