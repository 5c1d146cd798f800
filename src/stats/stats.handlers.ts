import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import { allGroupStats, groupStatsOf, partnerStatsOf, type StatsSnapshot } from "./service";
import type * as routes from "./stats.routes";

/** Zeros until the hourly rollup has counted something for the object. */
export function serializeStats(stats: StatsSnapshot) {
  return {
    clicks: stats.clicks,
    signups_paid: stats.signupsPaid,
    signups_unpaid: stats.signupsUnpaid,
    revenue_usd_cents: stats.revenueUsdCents,
    refreshed_at: iso(stats.refreshedAt),
  };
}

export const groupStats: AdminHandler<typeof routes.groupStats> = async (c) => {
  const { group_id } = c.req.valid("param");
  const stats = await groupStatsOf(c.env, c.get("caller").companyId, group_id);
  return c.json(
    { object: "group_stats" as const, group_id, partners: stats.partners ?? 0, ...serializeStats(stats) },
    200,
  );
};

export const partnerStats: AdminHandler<typeof routes.partnerStats> = async (c) => {
  const { partner_id } = c.req.valid("param");
  const stats = await partnerStatsOf(c.env, c.get("caller").companyId, partner_id);
  return c.json({ object: "partner_stats" as const, partner_id, ...serializeStats(stats) }, 200);
};

export const groupStatsCsv: AdminHandler<typeof routes.groupStatsCsv> = async (c) => {
  const rows = await allGroupStats(c.env, c.get("caller").companyId);
  const header = "group_id,name,archived,partners,clicks,signups_paid,signups_unpaid,revenue_usd,refreshed_at";
  const lines = rows.map(({ group, stats }) =>
    [
      group.id,
      csvField(group.name),
      String(group.archivedAt !== null),
      stats.partners ?? 0,
      stats.clicks,
      stats.signupsPaid,
      stats.signupsUnpaid,
      (stats.revenueUsdCents / 100).toFixed(2),
      iso(stats.refreshedAt) ?? "",
    ].join(","),
  );
  return c.body(`${[header, ...lines].join("\n")}\n`, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": 'attachment; filename="group-stats.csv"',
  });
};

/** RFC 4180 quoting; a leading =, +, - or @ is defused so spreadsheets do not run it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
