// One company's bad data can never stop another's stats or retention: each company is rolled up in
// its own batch, a failure is logged with the company's id, and the purge runs regardless.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeClicks } from "../../src/clicks/consumer";
import { DAY_MS } from "../../src/lib/time";
import adminWorker from "../../workers/admin";
import { api, bodyOf, newTenant } from "../helpers/admin";
import { clickEvent } from "../helpers/clicks";

async function program(name: string) {
  const t = await newTenant("enterprise", name);
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const jane = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" }),
    201,
  );
  await api(t.key, "POST", "/v1/customers", {
    customer_key: "c1",
    email: "c1@example.com",
    partner_key: jane.partner_key,
  });
  return { ...t, group, jane, target: { companyId: t.companyId, groupId: group.id, partnerId: jane.id } };
}

/** Rows as data from before the money limits could have left them: two sums past SQLite's int64. */
async function plantOverflowingTransactions(p: Awaited<ReturnType<typeof program>>) {
  const customer = await env.DB.prepare("SELECT id FROM customers WHERE company_id = ?")
    .bind(p.companyId)
    .first<{ id: string }>();
  for (const key of ["huge-1", "huge-2"]) {
    await env.DB.prepare(
      `INSERT INTO transactions (id, company_id, key, customer_id, partner_id, group_id, amount, currency, usd_per_unit,
         amount_usd_cents, occurred_at, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, 50000000000, 'ZZZ', 1000000, 5000000000000000000, ?7, ?7)`,
    )
      .bind(`txn_${key}_${p.companyId}`, p.companyId, key, customer!.id, p.jane.id, p.group.id, Date.now())
      .run();
  }
}

async function cron(scheduledTime: number) {
  const ctx = createExecutionContext();
  const run = adminWorker.scheduled(createScheduledController({ scheduledTime, cron: "0 * * * *" }), env, ctx);
  const outcome = await run.then(
    () => "ok",
    (error: unknown) => error,
  );
  await waitOnExecutionContext(ctx);
  return outcome;
}

const statsOf = async (p: { key: string; group: { id: string } }) =>
  (await api(p.key, "GET", `/v1/groups/${p.group.id}/stats`)).body;

afterEach(() => vi.restoreAllMocks());

describe("a company whose rollup fails", () => {
  it("is skipped and logged; other companies' stats refresh and retention still runs", async () => {
    const a = await program("A");
    const b = await program("B");
    await plantOverflowingTransactions(a);
    // Ordinary traffic for B, and raw clicks past the 90-day window for both.
    const oldA = clickEvent(a.target, Date.now() - 91 * DAY_MS);
    const oldB = clickEvent(b.target, Date.now() - 91 * DAY_MS);
    await writeClicks(env.DB, [clickEvent(b.target), clickEvent(b.target), oldA, oldB]);
    await api(b.key, "POST", "/v1/transactions", { key: "t1", customer_key: "c1", amount: 4200, currency: "USD" });

    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const at = Date.UTC(2026, 10, 26, 9);
    const outcome = await cron(at);

    expect(await statsOf(b)).toEqual({
      object: "group_stats",
      group_id: b.group.id,
      partners: 1,
      clicks: 3,
      signups_paid: 1,
      signups_unpaid: 0,
      revenue_usd_cents: 4200,
      refreshed_at: new Date(at).toISOString(),
    });
    // A keeps its previous (here: no) stats and says they are not fresh.
    expect(await statsOf(a)).toMatchObject({ clicks: 0, revenue_usd_cents: 0, refreshed_at: null });
    const logged = errors.mock.calls.map((call) => String(call[0]));
    expect(logged.some((line) => line.includes("rollup failed for company") && line.includes(a.companyId))).toBe(true);
    expect(logged.some((line) => line.includes(b.companyId))).toBe(false);
    // The runtime still sees the cron as failed, after every step ran.
    expect(outcome).toBeInstanceOf(Error);

    const remaining = await env.DB.prepare("SELECT click_id FROM clicks WHERE click_id IN (?, ?)")
      .bind(oldA.clickId, oldB.clickId)
      .all();
    expect(remaining.results).toEqual([]);
  });

  it("keeps failing alone, run after run, while the others keep refreshing", async () => {
    const a = await program("A2");
    const b = await program("B2");
    await plantOverflowingTransactions(a);
    vi.spyOn(console, "error").mockImplementation(() => {});
    await cron(Date.UTC(2026, 10, 26, 10));
    await writeClicks(env.DB, [clickEvent(b.target)]);
    const later = Date.UTC(2026, 10, 26, 11);
    await cron(later);
    expect(await statsOf(b)).toMatchObject({ clicks: 1, refreshed_at: new Date(later).toISOString() });
    expect(await statsOf(a)).toMatchObject({ refreshed_at: null });
  });
});
