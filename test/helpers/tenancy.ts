// Helpers for the *.security.test.ts files: what one company has stored, and rows that mix companies.
import { env } from "cloudflare:workers";
import { kvSnapshot } from "./admin";

async function tablesWithColumns(): Promise<Map<string, Set<string>>> {
  const { results } = await env.DB.prepare(
    `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m JOIN pragma_table_info(m.name) p
     WHERE m.type = 'table' AND m.name NOT IN ('d1_migrations') AND m.name NOT LIKE '\\_cf\\_%' ESCAPE '\\'
     ORDER BY m.name, p.cid`,
  ).all<{ tbl: string; col: string }>();
  const tables = new Map<string, Set<string>>();
  for (const { tbl, col } of results) tables.set(tbl, (tables.get(tbl) ?? new Set()).add(col));
  return tables;
}

/**
 * Everything stored for one company: its `companies` row; in every other table, the rows with its
 * `company_id` and the rows naming one of its groups, partners or partner links whatever company
 * they claim (a stats or counter row that another company's data credited shows up here); and every
 * KV record whose key or value names the company. Tables with none of these columns (rollup_state)
 * are left out.
 */
export async function companySnapshot(companyId: string) {
  const rows: Record<string, unknown[]> = {};
  for (const [table, columns] of await tablesWithColumns()) {
    const where: string[] = [];
    if (table === "companies") where.push("id = ?1");
    if (columns.has("company_id")) where.push("company_id = ?1");
    if (columns.has("group_id")) where.push("group_id IN (SELECT id FROM groups WHERE company_id = ?1)");
    if (columns.has("partner_id")) where.push("partner_id IN (SELECT id FROM partners WHERE company_id = ?1)");
    if (columns.has("partner_link_id")) {
      where.push("partner_link_id IN (SELECT id FROM partner_links WHERE company_id = ?1)");
    }
    if (where.length === 0) continue;
    const sql = `SELECT * FROM "${table}" WHERE ${where.join(" OR ")} ORDER BY rowid`;
    rows[table] = (await env.DB.prepare(sql).bind(companyId).all()).results;
  }
  const kv = Object.fromEntries(
    Object.entries(await kvSnapshot()).filter(([key, value]) => key.includes(companyId) || value?.includes(companyId)),
  );
  return { rows, kv };
}

/**
 * Rows whose `company_id` differs from the company of the group, partner or partner link they
 * name: a click, counter, customer, transaction or stats row of one company pointing into another.
 * Only rows touching `companyIds` (either side), so a test sees its own companies. Empty whenever
 * tenancy holds.
 */
export async function crossCompanyRows(
  companyIds: string[],
): Promise<{ table: string; row: Record<string, unknown> }[]> {
  const found: { table: string; row: Record<string, unknown> }[] = [];
  const owners = { group_id: "groups", partner_id: "partners", partner_link_id: "partner_links" } as const;
  for (const [table, columns] of await tablesWithColumns()) {
    if (!columns.has("company_id") || table === "companies") continue;
    for (const [column, owner] of Object.entries(owners)) {
      if (!columns.has(column) || table === owner) continue;
      const { results } = await env.DB.prepare(
        `SELECT t.* FROM "${table}" t JOIN ${owner} o ON o.id = t.${column}
         WHERE o.company_id <> t.company_id
           AND (o.company_id IN (SELECT value FROM json_each(?1))
             OR t.company_id IN (SELECT value FROM json_each(?1)))`,
      )
        .bind(JSON.stringify(companyIds))
        .all<Record<string, unknown>>();
      found.push(...results.map((row) => ({ table, row })));
    }
  }
  return found;
}

/** A made-up client IP per request, so per-IP limits on failed auth or misses never decide a test. */
export function clientIp(): string {
  const bytes = crypto.getRandomValues(new Uint16Array(4));
  return `2001:db8:${[...bytes].map((n) => n.toString(16)).join(":")}::1`;
}
