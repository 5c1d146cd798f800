// The KV reconcile job: compares a company's edge records in KV with what D1 says they should be
// and repairs every difference (a wrong or missing record is put, a record of something that no
// longer exists is deleted). The outbox makes lost publishes rare; this catches the rest (a bug,
// a manual KV edit, a record published from data since restored). Run by the hourly cron for the
// companies reconciled longest ago, and locally by `npm run kv:reconcile`.
import { putOrDelete } from "./publish";
import { loadCompanySlugRecords, loadSiteRecord, recordKeys } from "./records";
import { loadSlugsVersion, SlugFilter, slugFilterKey } from "./slug-filter";
import { rebuildSlugFilter } from "./slug-filter-publish";

interface Stores {
  DB: D1Database;
  LINKS_KV: KVNamespace;
}

export interface ReconcileReport {
  companyId: string;
  /** Records compared. */
  checked: number;
  /** Each KV key repaired, and how. */
  fixed: { key: string; action: "put" | "delete" }[];
}

const SLUG_PAGE = 500;
/** SQLite allows 100 bound parameters; one is the company. */
const SLUGS_PER_EXISTENCE_QUERY = 90;
/** Companies the hourly cron reconciles per run (least recently reconciled first). */
export const RECONCILE_COMPANIES_PER_RUN = 25;

export async function reconcileCompany(env: Stores, companyId: string, now = Date.now()): Promise<ReconcileReport> {
  const report: ReconcileReport = { companyId, checked: 0, fixed: [] };
  const check = async (key: string, expected: unknown) => {
    report.checked++;
    const actual = await env.LINKS_KV.get(key);
    const wanted = expected === null ? null : JSON.stringify(expected);
    if (actual === wanted) return;
    await putOrDelete(env, key, expected);
    report.fixed.push({ key, action: expected === null ? "delete" : "put" });
  };

  const hosts = await env.DB.prepare("SELECT DISTINCT hostname FROM link_domains WHERE company_id = ?")
    .bind(companyId)
    .all<{ hostname: string }>();
  for (const { hostname } of hosts.results) {
    const site = await loadSiteRecord(env.DB, hostname);
    // A hostname another company proved is that company's to reconcile.
    if (site && site.companyId !== companyId) continue;
    await check(recordKeys.site(hostname), site);
  }

  for (let after = ""; ; ) {
    const page = await loadCompanySlugRecords(env.DB, companyId, after, SLUG_PAGE);
    for (const { slug, record } of page) await check(recordKeys.slug(companyId, slug), record);
    if (page.length < SLUG_PAGE) break;
    after = page.at(-1)!.slug;
  }
  await deleteSlugsD1DoesNotKnow(env, companyId, report);
  await rebuildStaleSlugFilter(env, companyId, report);

  await env.DB.prepare("UPDATE companies SET kv_reconciled_at = ?2 WHERE id = ?1").bind(companyId, now).run();
  return report;
}

/** Slug records in KV whose slug no longer exists in D1 (KV lists keys by prefix, 1000 a page). */
async function deleteSlugsD1DoesNotKnow(env: Stores, companyId: string, report: ReconcileReport): Promise<void> {
  const prefix = recordKeys.slug(companyId, "");
  let cursor: string | undefined;
  do {
    const page = await env.LINKS_KV.list({ prefix, cursor });
    const slugs = page.keys.map((key) => key.name.slice(prefix.length));
    for (let start = 0; start < slugs.length; start += SLUGS_PER_EXISTENCE_QUERY) {
      const chunk = slugs.slice(start, start + SLUGS_PER_EXISTENCE_QUERY);
      const placeholders = chunk.map((_, i) => `?${i + 2}`).join(", ");
      const { results } = await env.DB.prepare(
        `SELECT slug FROM partner_links WHERE company_id = ?1 AND slug IN (${placeholders})`,
      )
        .bind(companyId, ...chunk)
        .all<{ slug: string }>();
      const known = new Set(results.map((row) => row.slug));
      for (const slug of chunk.filter((s) => !known.has(s))) {
        const key = recordKeys.slug(companyId, slug);
        await putOrDelete(env, key, null);
        report.fixed.push({ key, action: "delete" });
      }
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

/** The company's slug filter, rebuilt when it is missing or behind the slugs in D1. */
async function rebuildStaleSlugFilter(env: Stores, companyId: string, report: ReconcileReport): Promise<void> {
  const key = slugFilterKey(companyId);
  report.checked++;
  const filter = SlugFilter.decode(await env.LINKS_KV.get(key, "arrayBuffer"));
  if (filter && filter.version === (await loadSlugsVersion(env.DB, companyId))) return;
  await env.LINKS_KV.put(key, (await rebuildSlugFilter(env, companyId)).encode());
  report.fixed.push({ key, action: "put" });
}

/** The cron's share: the companies reconciled longest ago (never first). */
export async function reconcileOldest(
  env: Stores,
  now = Date.now(),
  count = RECONCILE_COMPANIES_PER_RUN,
): Promise<ReconcileReport[]> {
  const { results } = await env.DB.prepare(
    "SELECT id FROM companies ORDER BY kv_reconciled_at IS NOT NULL, kv_reconciled_at, id LIMIT ?",
  )
    .bind(count)
    .all<{ id: string }>();
  const reports: ReconcileReport[] = [];
  for (const { id } of results) {
    try {
      reports.push(await reconcileCompany(env, id, now));
    } catch (error) {
      console.error(JSON.stringify({ msg: "kv reconcile failed for company", companyId: id, error: String(error) }));
    }
  }
  const fixed = reports.flatMap((r) => r.fixed);
  if (fixed.length)
    console.log(
      JSON.stringify({ msg: "kv reconcile repaired records", count: fixed.length, keys: fixed.slice(0, 50) }),
    );
  return reports;
}
