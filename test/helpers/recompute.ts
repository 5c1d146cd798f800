// Stats recomputed the straightforward way, from raw rows, to check the incremental rollup.
import { env } from "cloudflare:workers";

export interface Totals {
  partners?: number;
  clicks: number;
  signups_paid: number;
  signups_unpaid: number;
  revenue_usd_cents: number;
}

export async function recomputeGroups(companyId: string, db: D1Database = env.DB): Promise<Record<string, Totals>> {
  const { results } = await db
    .prepare(
      `SELECT g.id,
       (SELECT count(*) FROM partners p WHERE p.group_id = g.id AND p.status = 'active') AS partners,
       (SELECT count(*) FROM clicks c WHERE c.group_id = g.id AND c.kind = 'human') AS clicks,
       (SELECT count(*) FROM customers cu WHERE cu.group_id = g.id
          AND coalesce((SELECT sum(amount_usd_cents) FROM transactions t WHERE t.customer_id = cu.id), 0) > 0)
         AS signups_paid,
       (SELECT count(*) FROM customers cu WHERE cu.group_id = g.id
          AND coalesce((SELECT sum(amount_usd_cents) FROM transactions t WHERE t.customer_id = cu.id), 0) <= 0)
         AS signups_unpaid,
       (SELECT coalesce(sum(amount_usd_cents), 0) FROM transactions t WHERE t.group_id = g.id) AS revenue_usd_cents
     FROM groups g WHERE g.company_id = ? ORDER BY g.id`,
    )
    .bind(companyId)
    .all<Totals & { id: string }>();
  return Object.fromEntries(results.map(({ id, ...totals }) => [id, totals]));
}

export async function recomputePartners(companyId: string, db: D1Database = env.DB): Promise<Record<string, Totals>> {
  const { results } = await db
    .prepare(
      `SELECT p.id,
       (SELECT count(*) FROM clicks c WHERE c.partner_id = p.id AND c.kind = 'human') AS clicks,
       (SELECT count(*) FROM customers cu WHERE cu.partner_id = p.id
          AND coalesce((SELECT sum(amount_usd_cents) FROM transactions t WHERE t.customer_id = cu.id), 0) > 0)
         AS signups_paid,
       (SELECT count(*) FROM customers cu WHERE cu.partner_id = p.id
          AND coalesce((SELECT sum(amount_usd_cents) FROM transactions t WHERE t.customer_id = cu.id), 0) <= 0)
         AS signups_unpaid,
       (SELECT coalesce(sum(amount_usd_cents), 0) FROM transactions t WHERE t.partner_id = p.id) AS revenue_usd_cents
     FROM partners p WHERE p.company_id = ? ORDER BY p.id`,
    )
    .bind(companyId)
    .all<Totals & { id: string }>();
  return Object.fromEntries(results.map(({ id, ...totals }) => [id, totals]));
}

/** What the rollup stored (zeros where it has no row). */
export async function storedGroups(companyId: string, db: D1Database = env.DB): Promise<Record<string, Totals>> {
  const { results } = await db
    .prepare(
      `SELECT g.id, coalesce(s.partners, 0) AS partners, coalesce(s.clicks, 0) AS clicks,
       coalesce(s.signups_paid, 0) AS signups_paid,
       coalesce(s.signups_unpaid, 0) AS signups_unpaid, coalesce(s.revenue_usd_cents, 0) AS revenue_usd_cents
     FROM groups g LEFT JOIN group_stats s ON s.group_id = g.id WHERE g.company_id = ? ORDER BY g.id`,
    )
    .bind(companyId)
    .all<Totals & { id: string }>();
  return Object.fromEntries(results.map(({ id, ...totals }) => [id, totals]));
}

export async function storedPartners(companyId: string, db: D1Database = env.DB): Promise<Record<string, Totals>> {
  const { results } = await db
    .prepare(
      `SELECT p.id, coalesce(s.clicks, 0) AS clicks, coalesce(s.signups_paid, 0) AS signups_paid,
       coalesce(s.signups_unpaid, 0) AS signups_unpaid, coalesce(s.revenue_usd_cents, 0) AS revenue_usd_cents
     FROM partners p LEFT JOIN partner_stats s ON s.partner_id = p.id WHERE p.company_id = ? ORDER BY p.id`,
    )
    .bind(companyId)
    .all<Totals & { id: string }>();
  return Object.fromEntries(results.map(({ id, ...totals }) => [id, totals]));
}
