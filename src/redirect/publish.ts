// Publishing from the admin side: after a D1 change, the edge's records in KV must follow. A change
// records what to publish in the KV outbox (`kv_outbox`) in the same D1 batch as the change itself,
// so a committed change is never lost, nor answered as failed, when KV misbehaves: the service
// tries to publish at once; what fails stays in the outbox and is retried after the response and
// by the hourly cron (drainOutbox) until KV has it. This isolate's cache is dropped at once; other
// edge isolates notice within ISOLATE_FRESH_MS plus KV's propagation (README, "Freshness").
import { type Db, database } from "../db/client";
import { kvOutbox, type OutboxKind } from "../db/schema";
import { sortableToken } from "../lib/ids";
import { isolateCache } from "./isolate-cache";
import { loadCompanyHostnames, loadPartnerSlugRecords, loadSiteRecord, recordKeys, writeBackKey } from "./records";

interface Stores {
  DB: D1Database;
  LINKS_KV: KVNamespace;
}

/**
 * A change the edge's records must follow: a hostname's site, a company's settings or one of its
 * groups (the sites of every hostname it serves), or a partner's set of slug records.
 */
export interface PublishTarget {
  kind: OutboxKind;
  /** Company id, hostname, group id or partner id, by kind. */
  ref: string;
  companyId: string;
}

export const publishTargets = {
  company: (companyId: string): PublishTarget => ({ kind: "company", ref: companyId, companyId }),
  host: (companyId: string, hostname: string): PublishTarget => ({ kind: "host", ref: hostname, companyId }),
  group: (companyId: string, groupId: string): PublishTarget => ({ kind: "group", ref: groupId, companyId }),
  partnerSlugs: (companyId: string, partnerId: string): PublishTarget => ({
    kind: "partner_slugs",
    ref: partnerId,
    companyId,
  }),
};

/** The outbox row for `target`, as a drizzle query: put it in the same `db.batch()` as the change. */
export function enqueuePublish(db: Db, target: PublishTarget, now = Date.now()) {
  const version = sortableToken(now);
  return db
    .insert(kvOutbox)
    .values({ ...target, version, enqueuedAt: now })
    .onConflictDoUpdate({
      target: [kvOutbox.kind, kvOutbox.ref],
      set: { version, enqueuedAt: now, companyId: target.companyId },
    });
}

/** The same as a D1 statement, for changes written with `env.DB.batch()`. */
export function enqueuePublishStatement(d1: D1Database, target: PublishTarget, now = Date.now()): D1PreparedStatement {
  const query = enqueuePublish(database(d1), target, now).toSQL();
  return d1.prepare(query.sql).bind(...query.params);
}

export interface PublishOutcome {
  published: number;
  failed: number;
}

/**
 * Publishes that failed in this isolate, per company, and how many of them a drain of the company
 * here has since seen through: the admin API retries a company's outbox after a write only when it
 * knows something is left there, instead of reading the outbox after every write. Rows left by
 * another isolate wait for a failure here, or for the hourly cron, which drains every company.
 */
const failedPublishes = new Map<string, number>();
const drainedPublishes = new Map<string, number>();

/** Whether a publish of the company failed in this isolate and no drain here has emptied its outbox since. */
export function hasLeftovers(companyId: string): boolean {
  return (failedPublishes.get(companyId) ?? 0) > (drainedPublishes.get(companyId) ?? 0);
}

/**
 * Publishes the targets' outbox rows now. Never throws: a target that fails stays in the outbox
 * (attempts and last error recorded) for drainOutbox to retry.
 */
export async function publishNow(env: Stores, targets: PublishTarget[]): Promise<PublishOutcome> {
  const outcome: PublishOutcome = { published: 0, failed: 0 };
  for (const target of targets) {
    const row = await env.DB.prepare("SELECT version FROM kv_outbox WHERE kind = ?1 AND ref = ?2")
      .bind(target.kind, target.ref)
      .first<{ version: string }>();
    if (!row) continue; // published meanwhile (by an overlapping drain)
    if (await publishRow(env, { ...target, version: row.version })) outcome.published++;
    else {
      outcome.failed++;
      failedPublishes.set(target.companyId, (failedPublishes.get(target.companyId) ?? 0) + 1);
    }
  }
  return outcome;
}

/** Retries what the outbox holds, oldest first (optionally one company's only). */
export async function drainOutbox(
  env: Stores,
  options: { companyId?: string; limit?: number } = {},
): Promise<PublishOutcome> {
  // Failures counted before the read have their rows in it: if all of those publish, they are seen through.
  const failedBefore = options.companyId ? (failedPublishes.get(options.companyId) ?? 0) : 0;
  const { results } = await env.DB.prepare(
    `SELECT kind, ref, company_id AS companyId, version FROM kv_outbox
     WHERE ?1 IS NULL OR company_id = ?1 ORDER BY enqueued_at LIMIT ?2`,
  )
    .bind(options.companyId ?? null, options.limit ?? 500)
    .all<PublishTarget & { version: string }>();
  const outcome: PublishOutcome = { published: 0, failed: 0 };
  for (const row of results) {
    if (await publishRow(env, row)) outcome.published++;
    else outcome.failed++;
  }
  if (options.companyId && outcome.failed === 0 && results.length < (options.limit ?? 500)) {
    const drained = drainedPublishes.get(options.companyId) ?? 0;
    drainedPublishes.set(options.companyId, Math.max(drained, failedBefore));
  }
  return outcome;
}

/**
 * Loads the record from D1 as it is now and puts it into KV; then removes the outbox row — only
 * the version read, so a change enqueued meanwhile is published again.
 */
async function publishRow(env: Stores, row: PublishTarget & { version: string }): Promise<boolean> {
  try {
    await publishRecord(env, row);
    await env.DB.prepare("DELETE FROM kv_outbox WHERE kind = ?1 AND ref = ?2 AND version = ?3")
      .bind(row.kind, row.ref, row.version)
      .run();
    return true;
  } catch (error) {
    console.error(
      JSON.stringify({ msg: "kv publish failed, kept in outbox", kind: row.kind, ref: row.ref, error: String(error) }),
    );
    await env.DB.prepare("UPDATE kv_outbox SET attempts = attempts + 1, last_error = ?3 WHERE kind = ?1 AND ref = ?2")
      .bind(row.kind, row.ref, String(error).slice(0, 500))
      .run()
      .catch(() => {}); // bookkeeping only: the row itself is what matters
    return false;
  }
}

/**
 * Puts the target's current record(s) from D1 into KV (or deletes what no longer exists). A company's
 * settings and its groups live in the site record of each hostname it serves.
 */
export async function publishRecord(env: Stores, target: PublishTarget): Promise<void> {
  switch (target.kind) {
    case "host":
      return publishSite(env, target.ref);
    case "company":
    case "group": {
      const hostnames = await loadCompanyHostnames(env.DB, target.companyId);
      await Promise.all(hostnames.map((hostname) => publishSite(env, hostname)));
      return;
    }
    case "partner_slugs": {
      const slugs = await loadPartnerSlugRecords(env.DB, target.ref);
      await Promise.all(
        slugs.map(({ companyId, slug, record }) => putOrDelete(env, recordKeys.slug(companyId, slug), record)),
      );
      return;
    }
  }
}

async function publishSite(env: Stores, hostname: string): Promise<void> {
  await putOrDelete(env, recordKeys.site(hostname), await loadSiteRecord(env.DB, hostname));
}

export async function putOrDelete(env: Stores, key: string, value: unknown): Promise<void> {
  isolateCache.delete(key);
  await Promise.all([
    value === null ? env.LINKS_KV.delete(key) : env.LINKS_KV.put(key, JSON.stringify(value)),
    env.LINKS_KV.delete(writeBackKey(key)), // an edge write-back of the old value must not answer
  ]);
}
