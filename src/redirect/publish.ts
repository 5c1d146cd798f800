// Write-through from the admin side: after a D1 change, the services call these so the next
// redirect sees it. KV is updated at once; this isolate's cache is dropped at once; other edge
// isolates notice within ISOLATE_FRESH_MS plus KV's propagation (see README, "Freshness").
import { isolateCache } from "./isolate-cache";
import {
  loadCompanyRecord,
  loadGroupRecord,
  loadHostRecord,
  loadPartnerSlugRecords,
  recordKeys,
  writeBackKey,
} from "./records";

interface Stores {
  DB: D1Database;
  LINKS_KV: KVNamespace;
}

async function putOrDelete(env: Stores, key: string, value: unknown): Promise<void> {
  isolateCache.delete(key);
  await Promise.all([
    value === null ? env.LINKS_KV.delete(key) : env.LINKS_KV.put(key, JSON.stringify(value)),
    env.LINKS_KV.delete(writeBackKey(key)), // an edge write-back of the old value must not answer
  ]);
}

export async function publishGroup(env: Stores, groupId: string): Promise<void> {
  await putOrDelete(env, recordKeys.group(groupId), await loadGroupRecord(env.DB, groupId));
}

export async function publishCompany(env: Stores, companyId: string): Promise<void> {
  await putOrDelete(env, recordKeys.company(companyId), await loadCompanyRecord(env.DB, companyId));
}

export async function publishHost(env: Stores, hostname: string): Promise<void> {
  await putOrDelete(env, recordKeys.host(hostname), await loadHostRecord(env.DB, hostname));
}

/** Every slug of a partner (after creation, a move, a key or status change). */
export async function publishPartnerSlugs(env: Stores, partnerId: string): Promise<void> {
  const slugs = await loadPartnerSlugRecords(env.DB, partnerId);
  await Promise.all(slugs.map(({ companyId, slug, record }) => putOrDelete(env, recordKeys.slug(companyId, slug), record)));
}
