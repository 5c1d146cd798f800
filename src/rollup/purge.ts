// Retention, run by the same hourly cron after the rollup: raw clicks live for their company's
// attribution window (a conversion can only use a click inside it); the first-visit rows behind
// unique counts only matter for redeliveries, so two days; stored idempotent responses for 24 h;
// pages' sessions and portal sign-in links a day after they expired (or were revoked), and the
// local mail outbox for a day (its links are dead after 15 minutes). Hourly counters are kept forever.
import type { StorageEnv as Stores } from "../env";
import { lowerBoundToken } from "../lib/ids";
import { DAY_MS } from "../lib/time";

export const VISITOR_RETENTION_MS = 2 * DAY_MS;
export const IDEMPOTENCY_RETENTION_MS = DAY_MS;
/** Expired or revoked sessions and used or expired sign-in links, kept this long for support questions. */
export const SIGN_IN_RETENTION_MS = DAY_MS;
export const MAIL_OUTBOX_RETENTION_MS = DAY_MS;

/**
 * Each delete is a range on an index (the test explains every one): `?1` is the cutoff (a time or,
 * for click ids and ingest batches, a time-sorted token), `?2` the attribution window in days.
 */
export const PURGE_SQL = {
  // Click ids and ingest tokens are time-sortable: "older than t" is a range on the key.
  clicks: `DELETE FROM clicks WHERE click_id < ?1
           AND company_id IN (SELECT id FROM companies WHERE attribution_window_days = ?2)`,
  clickVisitors: "DELETE FROM click_visitors WHERE ingest_batch < ?1",
  idempotencyKeys: "DELETE FROM idempotency_keys WHERE created_at < ?1",
  // A session's expires_at only moves while it is alive (and never past its cap): once passed, it is
  // over. SQLite answers the OR with both indexes (MULTI-INDEX OR), the revoked one partial.
  webSessions: "DELETE FROM web_sessions WHERE expires_at < ?1 OR revoked_at < ?1",
  signInLinks: "DELETE FROM portal_sign_in_links WHERE expires_at < ?1",
  mailOutbox: "DELETE FROM mail_outbox WHERE created_at < ?1",
} as const;

export async function purgeExpired(env: Stores, now = Date.now()): Promise<void> {
  const { results: windows } = await env.DB.prepare(
    "SELECT DISTINCT attribution_window_days AS days FROM companies",
  ).all<{ days: number }>();
  const purge = (sql: string, ...binds: unknown[]) => env.DB.prepare(sql).bind(...binds);
  await env.DB.batch([
    ...windows.map(({ days }) => purge(PURGE_SQL.clicks, lowerBoundToken(now - days * DAY_MS), days)),
    purge(PURGE_SQL.clickVisitors, lowerBoundToken(now - VISITOR_RETENTION_MS)),
    purge(PURGE_SQL.idempotencyKeys, now - IDEMPOTENCY_RETENTION_MS),
    purge(PURGE_SQL.webSessions, now - SIGN_IN_RETENTION_MS),
    purge(PURGE_SQL.signInLinks, now - SIGN_IN_RETENTION_MS),
    purge(PURGE_SQL.mailOutbox, now - MAIL_OUTBOX_RETENTION_MS),
  ]);
}
