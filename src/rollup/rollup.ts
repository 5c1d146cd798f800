// The hourly rollup of group and partner stats. Incremental: each source row remembers what the
// stats already contain (per-row watermarks `rolled_clicks`, `counted_*`, `rolled`), and a run adds
// only the difference. Partial indexes hold exactly the rows with a difference, so a run costs
// what changed since the last one, not the history.
// Each company is rolled up in its own D1 batch — one transaction — so a second or overlapping run
// finds nothing left to add, and one company's failure (bad data, an overflow) is logged with its
// id and leaves every other company's stats refreshed.
import type { StorageEnv as Stores } from "../env";

export const LAST_RUN_KEY = "last_run_at";
/** Per company: when its stats were last refreshed (a failed company keeps its previous time). */
export const companyLastRunKey = (companyId: string) => `${LAST_RUN_KEY}:${companyId}`;

// Written exactly as in the partial indexes of src/db/schema.ts, so SQLite uses them.
const DIRTY_COUNTERS = "clicks <> rolled_clicks";
const DIRTY_PARTNERS = "counted_group_id IS NOT (CASE WHEN status = 'active' THEN group_id END)";
const DIRTY_CUSTOMERS =
  "(counted_group_id IS NOT group_id OR counted_partner_id IS NOT partner_id" +
  " OR counted_paid IS NOT (net_usd_cents > 0))";
const UNROLLED_TRANSACTIONS = "rolled = 0";

/** Adds `values` to a stats row, creating it if needed. */
function addTo(table: "group_stats" | "partner_stats", key: string, columns: string[], select: string): string {
  const refreshed = table === "group_stats";
  const sums = columns.map((c) => `${c} = ${c} + excluded.${c}`).join(", ");
  return `INSERT INTO ${table} (${key}, company_id, ${columns.join(", ")}${refreshed ? ", refreshed_at" : ""})
    ${select}
    ON CONFLICT (${key}) DO UPDATE SET ${sums}${refreshed ? ", refreshed_at = excluded.refreshed_at" : ""}`;
}

export interface RollupReport {
  /** Companies whose stats were refreshed. */
  rolledUp: string[];
  /** Companies whose rollup failed this run (logged; retried next run). */
  failed: string[];
}

/** Rolls up every company with new events, each in its own batch; never throws for one company. */
export async function runRollup(env: Stores, now = Date.now()): Promise<RollupReport> {
  const report: RollupReport = { rolledUp: [], failed: [] };
  for (const companyId of await companiesWithNewEvents(env)) {
    try {
      await rollupCompany(env, companyId, now);
      report.rolledUp.push(companyId);
    } catch (error) {
      report.failed.push(companyId);
      console.error(JSON.stringify({ msg: "rollup failed for company", companyId, error: String(error) }));
    }
  }
  // Every company that did not fail is now current: its stats are as of this run.
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO rollup_state (name, value)
       SELECT '${LAST_RUN_KEY}:' || id, ?1 FROM companies WHERE id NOT IN (SELECT value FROM json_each(?2))
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ).bind(Math.floor(now), JSON.stringify(report.failed)),
    env.DB.prepare(
      `INSERT INTO rollup_state (name, value) VALUES ('${LAST_RUN_KEY}', ?1)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ).bind(Math.floor(now)),
  ]);
  return report;
}

async function companiesWithNewEvents(env: Stores): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT company_id FROM click_counts_hourly WHERE ${DIRTY_COUNTERS}
     UNION SELECT company_id FROM partners WHERE ${DIRTY_PARTNERS}
     UNION SELECT company_id FROM customers WHERE ${DIRTY_CUSTOMERS}
     UNION SELECT company_id FROM transactions WHERE ${UNROLLED_TRANSACTIONS}`,
  ).all<{ company_id: string }>();
  return results.map((row) => row.company_id);
}

/** One company's new events into its stats, in one atomic batch (runRollup then stamps its time). */
async function rollupCompany(env: Stores, companyId: string, now = Date.now()): Promise<void> {
  // ?1 is the company in every statement; the time is inlined (it is a number we made).
  const at = (sql: string) => env.DB.prepare(sql.replaceAll("?now", String(Math.floor(now)))).bind(companyId);
  const g = (columns: string[], select: string) => at(addTo("group_stats", "group_id", columns, select));
  const p = (columns: string[], select: string) => at(addTo("partner_stats", "partner_id", columns, select));
  const mine = "company_id = ?1";

  await env.DB.batch([
    // Clicks: the part of each hourly counter not yet added.
    g(
      ["clicks"],
      `SELECT group_id, company_id, sum(clicks - rolled_clicks), ?now FROM click_counts_hourly
       WHERE ${DIRTY_COUNTERS} AND ${mine} GROUP BY group_id`,
    ),
    p(
      ["clicks"],
      `SELECT partner_id, company_id, sum(clicks - rolled_clicks) FROM click_counts_hourly
       WHERE ${DIRTY_COUNTERS} AND ${mine} GROUP BY partner_id`,
    ),
    at(`UPDATE click_counts_hourly SET rolled_clicks = clicks WHERE ${DIRTY_COUNTERS} AND ${mine}`),

    // Partners: out of the group they were counted in, into the one they are active in now.
    g(
      ["partners"],
      `SELECT counted_group_id, company_id, -count(*), ?now FROM partners
       WHERE ${DIRTY_PARTNERS} AND ${mine} AND counted_group_id IS NOT NULL GROUP BY counted_group_id`,
    ),
    g(
      ["partners"],
      `SELECT group_id, company_id, count(*), ?now FROM partners
       WHERE ${DIRTY_PARTNERS} AND ${mine} AND status = 'active' GROUP BY group_id`,
    ),
    at(
      `UPDATE partners SET counted_group_id = CASE WHEN status = 'active' THEN group_id END
       WHERE ${DIRTY_PARTNERS} AND ${mine}`,
    ),

    // Signups: out of the (group, partner, paid) bucket a customer was counted in, into the current one.
    g(
      ["signups_paid", "signups_unpaid"],
      `SELECT counted_group_id, company_id, -sum(counted_paid), -sum(1 - counted_paid), ?now FROM customers
       WHERE ${DIRTY_CUSTOMERS} AND ${mine} AND counted_group_id IS NOT NULL GROUP BY counted_group_id`,
    ),
    g(
      ["signups_paid", "signups_unpaid"],
      `SELECT group_id, company_id, sum(net_usd_cents > 0), sum(net_usd_cents <= 0), ?now FROM customers
       WHERE ${DIRTY_CUSTOMERS} AND ${mine} GROUP BY group_id`,
    ),
    p(
      ["signups_paid", "signups_unpaid"],
      `SELECT counted_partner_id, company_id, -sum(counted_paid), -sum(1 - counted_paid) FROM customers
       WHERE ${DIRTY_CUSTOMERS} AND ${mine} AND counted_partner_id IS NOT NULL GROUP BY counted_partner_id`,
    ),
    p(
      ["signups_paid", "signups_unpaid"],
      `SELECT partner_id, company_id, sum(net_usd_cents > 0), sum(net_usd_cents <= 0) FROM customers
       WHERE ${DIRTY_CUSTOMERS} AND ${mine} GROUP BY partner_id`,
    ),
    at(
      `UPDATE customers SET counted_group_id = group_id, counted_partner_id = partner_id,
       counted_paid = (net_usd_cents > 0) WHERE ${DIRTY_CUSTOMERS} AND ${mine}`,
    ),

    // Revenue: transactions not yet added, then marked.
    g(
      ["revenue_usd_cents"],
      `SELECT group_id, company_id, sum(amount_usd_cents), ?now FROM transactions
       WHERE ${UNROLLED_TRANSACTIONS} AND ${mine} GROUP BY group_id`,
    ),
    p(
      ["revenue_usd_cents"],
      `SELECT partner_id, company_id, sum(amount_usd_cents) FROM transactions
       WHERE ${UNROLLED_TRANSACTIONS} AND ${mine} GROUP BY partner_id`,
    ),
    at(`UPDATE transactions SET rolled = 1 WHERE ${UNROLLED_TRANSACTIONS} AND ${mine}`),
  ]);
}

/** When the company's stats were last refreshed, or null before its first run. */
export async function lastRollupAt(env: Stores, companyId: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT value FROM rollup_state WHERE name = ?")
    .bind(companyLastRunKey(companyId))
    .first<{ value: number }>();
  return row?.value ?? null;
}
