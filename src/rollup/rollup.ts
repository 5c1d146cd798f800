// The hourly rollup of group and partner stats. Incremental: each source row remembers what the
// stats already contain (per-row watermarks `rolled_clicks`, `counted_*`; a global `seq`
// watermark for the append-only transactions), and a run adds only the difference. Partial
// indexes hold exactly the rows with a difference, so a run costs what changed since the last
// one, not the history. The whole run is one D1 batch — one transaction — so a second or
// overlapping run finds nothing left to add, and an event written during the run waits for the
// next one.
import type { StorageEnv as Stores } from "../env";

export const LAST_RUN_KEY = "last_run_at";
const TRANSACTIONS_WATERMARK = "transactions_seq";

// Written exactly as in the partial indexes of src/db/schema.ts, so SQLite uses them.
const DIRTY_COUNTERS = "clicks <> rolled_clicks";
const DIRTY_PARTNERS = "counted_group_id IS NOT (CASE WHEN status = 'active' THEN group_id END)";
const DIRTY_CUSTOMERS =
  "(counted_group_id IS NOT group_id OR counted_partner_id IS NOT partner_id OR counted_paid IS NOT (net_usd_cents > 0))";
const TRANSACTIONS_SINCE_WATERMARK = `seq > (SELECT coalesce((SELECT value FROM rollup_state WHERE name = '${TRANSACTIONS_WATERMARK}'), 0))`;

/** Adds `values` to a stats row, creating it if needed. */
function addTo(table: "group_stats" | "partner_stats", key: string, columns: string[], select: string): string {
  const refreshed = table === "group_stats";
  return `INSERT INTO ${table} (${key}, company_id, ${columns.join(", ")}${refreshed ? ", refreshed_at" : ""})
    ${select}
    ON CONFLICT (${key}) DO UPDATE SET ${columns.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}${refreshed ? ", refreshed_at = excluded.refreshed_at" : ""}`;
}

export async function runRollup(env: Stores, now = Date.now()): Promise<void> {
  const at = (sql: string) => env.DB.prepare(sql.replaceAll("?now", String(Math.floor(now))));
  const g = (columns: string[], select: string) => at(addTo("group_stats", "group_id", columns, select));
  const p = (columns: string[], select: string) => at(addTo("partner_stats", "partner_id", columns, select));

  await env.DB.batch([
    // Clicks: the part of each hourly counter not yet added.
    g(["clicks"], `SELECT group_id, company_id, sum(clicks - rolled_clicks), ?now FROM click_counts_hourly WHERE ${DIRTY_COUNTERS} GROUP BY group_id`),
    p(["clicks"], `SELECT partner_id, company_id, sum(clicks - rolled_clicks) FROM click_counts_hourly WHERE ${DIRTY_COUNTERS} GROUP BY partner_id`),
    at(`UPDATE click_counts_hourly SET rolled_clicks = clicks WHERE ${DIRTY_COUNTERS}`),

    // Partners: out of the group they were counted in, into the one they are active in now.
    g(["partners"], `SELECT counted_group_id, company_id, -count(*), ?now FROM partners WHERE ${DIRTY_PARTNERS} AND counted_group_id IS NOT NULL GROUP BY counted_group_id`),
    g(["partners"], `SELECT group_id, company_id, count(*), ?now FROM partners WHERE ${DIRTY_PARTNERS} AND status = 'active' GROUP BY group_id`),
    at(`UPDATE partners SET counted_group_id = CASE WHEN status = 'active' THEN group_id END WHERE ${DIRTY_PARTNERS}`),

    // Signups: out of the (group, partner, paid) bucket a customer was counted in, into the current one.
    g(["signups_paid", "signups_unpaid"], `SELECT counted_group_id, company_id, -sum(counted_paid), -sum(1 - counted_paid), ?now FROM customers WHERE ${DIRTY_CUSTOMERS} AND counted_group_id IS NOT NULL GROUP BY counted_group_id`),
    g(["signups_paid", "signups_unpaid"], `SELECT group_id, company_id, sum(net_usd_cents > 0), sum(net_usd_cents <= 0), ?now FROM customers WHERE ${DIRTY_CUSTOMERS} GROUP BY group_id`),
    p(["signups_paid", "signups_unpaid"], `SELECT counted_partner_id, company_id, -sum(counted_paid), -sum(1 - counted_paid) FROM customers WHERE ${DIRTY_CUSTOMERS} AND counted_partner_id IS NOT NULL GROUP BY counted_partner_id`),
    p(["signups_paid", "signups_unpaid"], `SELECT partner_id, company_id, sum(net_usd_cents > 0), sum(net_usd_cents <= 0) FROM customers WHERE ${DIRTY_CUSTOMERS} GROUP BY partner_id`),
    at(`UPDATE customers SET counted_group_id = group_id, counted_partner_id = partner_id, counted_paid = (net_usd_cents > 0) WHERE ${DIRTY_CUSTOMERS}`),

    // Revenue: transactions after the watermark, then the watermark moves to the newest one.
    g(["revenue_usd_cents"], `SELECT group_id, company_id, sum(amount_usd_cents), ?now FROM transactions WHERE ${TRANSACTIONS_SINCE_WATERMARK} GROUP BY group_id`),
    p(["revenue_usd_cents"], `SELECT partner_id, company_id, sum(amount_usd_cents) FROM transactions WHERE ${TRANSACTIONS_SINCE_WATERMARK} GROUP BY partner_id`),
    at(`INSERT INTO rollup_state (name, value) VALUES ('${TRANSACTIONS_WATERMARK}', (SELECT coalesce(max(seq), 0) FROM transactions))
        ON CONFLICT (name) DO UPDATE SET value = excluded.value`),

    at(`INSERT INTO rollup_state (name, value) VALUES ('${LAST_RUN_KEY}', ?now) ON CONFLICT (name) DO UPDATE SET value = excluded.value`),
  ]);
}

/** When the rollup last completed, or null before the first run. */
export async function lastRollupAt(env: Stores): Promise<number | null> {
  const row = await env.DB.prepare("SELECT value FROM rollup_state WHERE name = ?").bind(LAST_RUN_KEY).first<{ value: number }>();
  return row?.value ?? null;
}
