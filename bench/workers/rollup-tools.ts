// Bench-only: builds a program with a history of N events, adds batches of new events, and
// times one rollup. Bulk rows go in through the same writers as production where it matters
// (clicks through the consumer's writer; transactions through the ingest service).
import { writeClicks } from "../../src/clicks/consumer";
import type { ClickEvent } from "../../src/clicks/event";
import { createCompany } from "../../src/companies/service";
import type { Env } from "../../src/env";
import { createGroup } from "../../src/groups/service";
import { sortableToken } from "../../src/lib/ids";
import { HOUR_MS } from "../../src/lib/time";
import { createPartner } from "../../src/partners/service";
import { runRollup } from "../../src/rollup/rollup";

const GROUPS = 10;
const PARTNERS = 100;
let program: { companyId: string; groups: string[]; partners: { id: string; groupId: string }[] } | undefined;
let round = 0;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const count = Number(url.searchParams.get("events") ?? 0);
    if (url.pathname === "/setup") {
      const company = await createCompany(env, { name: "Bench", plan: "enterprise" });
      const groups = [];
      for (let g = 0; g < GROUPS; g++)
        groups.push(
          (await createGroup(env, company.id, { name: `G${g}`, destinationUrl: "https://acme.example/" })).id,
        );
      const partners = [];
      for (let p = 0; p < PARTNERS; p++) {
        const partner = await createPartner(env, company.id, {
          email: `p${p}@example.com`,
          firstName: "P",
          lastName: `${p}`,
          groupId: groups[p % GROUPS],
        });
        partners.push({ id: partner.id, groupId: partner.groupId });
      }
      program = { companyId: company.id, groups, partners };
      return Response.json({ ok: true });
    }
    if (url.pathname === "/events") {
      await addEvents(env, count);
      return Response.json({ added: count });
    }
    if (url.pathname === "/rollup") {
      const started = Date.now();
      await runRollup(env);
      return Response.json({ ms: Date.now() - started });
    }
    return new Response("not found", { status: 404 });
  },
};

/** `count` events: 80% clicks (spread over links and hours), 5% customers, 15% transactions. */
async function addEvents(env: Env, count: number) {
  const p = program!;
  const now = Date.now();
  round++;
  const clicks: ClickEvent[] = [];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < count; i++) {
    const partner = p.partners[(i * 7 + round) % p.partners.length]!;
    const kind = i % 20;
    if (kind < 16) {
      const ts = now - ((i + round * 131) % 500) * HOUR_MS;
      clicks.push({
        v: 1,
        clickId: sortableToken(ts),
        ts,
        companyId: p.companyId,
        groupId: partner.groupId,
        partnerId: partner.id,
        partnerLinkId: `plk_${partner.id}_${i % 3}`,
        defaultLinkId: "lnk_bench",
        kind: "human",
        country: null,
        refererHost: null,
        visitorHash: `v${i % 997}`,
      });
    } else if (kind === 16) {
      statements.push(
        env.DB.prepare(
          `INSERT INTO customers
           (id, company_id, customer_key, partner_id, group_id, attributed_at, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)`,
        ).bind(sortableToken(), p.companyId, `c${round}-${i}`, partner.id, partner.groupId, now),
      );
    } else {
      // Transactions on the customers created so far; refunds now and then.
      const amount = i % 7 === 0 ? -500 : 2500;
      statements.push(
        env.DB.prepare(
          `INSERT INTO transactions (id, company_id, key, customer_id, partner_id, group_id, amount, currency,
             usd_per_unit, amount_usd_cents, occurred_at, created_at)
           SELECT ?1, company_id, ?2, id, partner_id, group_id, ?3, 'USD', 1, ?3, ?4, ?4
           FROM customers WHERE company_id = ?5 ORDER BY id DESC LIMIT 1`,
        ).bind(sortableToken(), `t${round}-${i}`, amount, now, p.companyId),
        env.DB.prepare(
          `UPDATE customers SET net_usd_cents = net_usd_cents + ?1, transaction_count = transaction_count + 1
           WHERE id = (SELECT id FROM customers WHERE company_id = ?2 ORDER BY id DESC LIMIT 1)`,
        ).bind(amount, p.companyId),
      );
    }
  }
  for (let i = 0; i < clicks.length; i += 100) await writeClicks(env.DB, clicks.slice(i, i + 100));
  for (let i = 0; i < statements.length; i += 200) await env.DB.batch(statements.slice(i, i + 200));
}
