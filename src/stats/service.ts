// Reads of the rolled-up stats. Numbers are as of the last hourly rollup (`refreshed_at`);
// zeros before a group or partner was first rolled up.
import { and, asc, eq } from "drizzle-orm";
import { database } from "../db/client";
import { groupStats, groups, partnerStats } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { getGroup } from "../groups/service";
import { getPartner } from "../partners/service";
import { lastRollupAt } from "../rollup/rollup";

export interface StatsSnapshot {
  partners?: number;
  clicks: number;
  signupsPaid: number;
  signupsUnpaid: number;
  revenueUsdCents: number;
  refreshedAt: number | null;
}

export async function groupStatsOf(env: Stores, companyId: string, groupId: string): Promise<StatsSnapshot> {
  await getGroup(env, companyId, groupId);
  const [row, refreshedAt] = await Promise.all([
    database(env.DB).query.groupStats.findFirst({ where: eq(groupStats.groupId, groupId) }),
    lastRollupAt(env, companyId),
  ]);
  return statsSnapshot(row, refreshedAt, true);
}

export async function partnerStatsOf(env: Stores, companyId: string, partnerId: string): Promise<StatsSnapshot> {
  await getPartner(env, companyId, partnerId);
  const [row, refreshedAt] = await Promise.all([
    database(env.DB).query.partnerStats.findFirst({ where: eq(partnerStats.partnerId, partnerId) }),
    lastRollupAt(env, companyId),
  ]);
  return statsSnapshot(row, refreshedAt, false);
}

/** Every group of the company with its stats, for the CSV export. */
export async function allGroupStats(env: Stores, companyId: string) {
  const [rows, refreshedAt] = await Promise.all([
    database(env.DB)
      .select({ group: groups, stats: groupStats })
      .from(groups)
      .leftJoin(groupStats, eq(groupStats.groupId, groups.id))
      .where(and(eq(groups.companyId, companyId)))
      .orderBy(asc(groups.id)),
    lastRollupAt(env, companyId),
  ]);
  return rows.map(({ group, stats }) => ({ group, stats: statsSnapshot(stats, refreshedAt, true) }));
}

export function statsSnapshot(
  row: Partial<Omit<StatsSnapshot, "refreshedAt">> | null | undefined,
  refreshedAt: number | null,
  withPartners: boolean,
): StatsSnapshot {
  return {
    ...(withPartners ? { partners: row?.partners ?? 0 } : {}),
    clicks: row?.clicks ?? 0,
    signupsPaid: row?.signupsPaid ?? 0,
    signupsUnpaid: row?.signupsUnpaid ?? 0,
    revenueUsdCents: row?.revenueUsdCents ?? 0,
    refreshedAt,
  };
}
