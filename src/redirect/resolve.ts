// Resolves (hostname, slug) to the records a redirect needs: in-isolate cache → KV → one D1 query.
// KV is written back after the response (`waitUntil`); nothing here is awaited on a write.
// When KV or D1 fail, stale in-isolate entries still answer; what cannot be answered comes back
// as null and the caller falls back (company fallback URL or a 404 page) — never an exception.
import type { IsolateCache } from "./isolate-cache";
import {
  loadRouteFromD1,
  recordKeys,
  writeBackKey,
  type GroupRecord,
  type LinkRecord,
  type RouteRecords,
} from "./records";

/** KV's own edge cache for reads (Cloudflare's minimum is 30 s). */
export const KV_CACHE_TTL_SECONDS = 30;
/**
 * Write-backs from the edge (under writeBackKey, never over the admin's record) expire: if one
 * races an admin write-through and stores an older value, it heals within this time. They are
 * rare — keys not propagated yet, slugs a new default link gave a whole group — so a short TTL
 * costs few D1 reads.
 */
export const WRITE_BACK_TTL_SECONDS = 120;

export interface ResolverDeps {
  db: D1Database;
  kv: KVNamespace;
  cache: IsolateCache;
  waitUntil: (promise: Promise<unknown>) => void;
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
    }
  }

  const answered = new Set((Object.keys(found) as (keyof RouteRecords)[]).filter((name) => found[name]?.hit));
  if (answered.size === Object.keys(found).length) return fromLookups(found);

  let fromD1: RouteRecords;
  try {
    fromD1 = await loadRouteFromD1(deps.db, hostname, slug);
  } catch (error) {
    console.error(JSON.stringify({ msg: "route load failed, serving from cache", hostname, slug, error: String(error) }));
    return fromLookups(found, { useStale: true });
  }
  remember(deps, fromD1, hostname, slug, answered);
  return fromD1;
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
    const value = (await deps.kv.get<T>(key, options)) ?? (await deps.kv.get<T>(writeBackKey(key), options));
    if (value === null) return { hit: false, stale };
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
    // Not-found answers stay in this isolate only: KV is never written for a slug nobody created.
    deps.cache.set(key, value);
    if (value !== null && !answeredByCache.has(name)) {
      writes.push(deps.kv.put(writeBackKey(key), JSON.stringify(value), { expirationTtl: WRITE_BACK_TTL_SECONDS }));
    }
  }
  if (writes.length) {
    deps.waitUntil(
      Promise.all(writes).catch((error) => console.error(JSON.stringify({ msg: "kv write-back failed", error: String(error) }))),
    );
  }
}
