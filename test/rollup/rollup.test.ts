// The hourly cron: stats from new events only, idempotent, late events, purge; the stats API.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeClicks } from "../../src/clicks/consumer";
import { DAY_MS, HOUR_MS } from "../../src/lib/time";
import { PURGE_SQL } from "../../src/rollup/purge";
import { runRollup } from "../../src/rollup/rollup";
import adminWorker from "../../workers/admin";
import { api, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { clickEvent } from "../helpers/clicks";

async function program() {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const jane = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" }),
    201,
  );
  const target = { companyId: t.companyId, groupId: group.id, partnerId: jane.id };
  return { ...t, group, jane, target };
}

async function cron(scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await adminWorker.scheduled(createScheduledController({ scheduledTime, cron: "0 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const groupStats = async (key: string, groupId: string) =>
  bodyOf(await api(key, "GET", `/v1/groups/${groupId}/stats`), 200);

describe("hourly rollup", () => {
  it("rolls clicks, partners, signups and revenue into the group and partner stats", async () => {
    const p = await program();
    const clicks = [clickEvent(p.target), clickEvent(p.target), clickEvent(p.target, Date.now(), "bot")];
    await writeClicks(env.DB, clicks);
    await api(p.key, "POST", "/v1/conversions", { xid: clicks[0]!.clickId, customer_key: "paid" });
    await api(p.key, "POST", "/v1/conversions", { xid: clicks[1]!.clickId, customer_key: "unpaid" });
    await api(p.key, "POST", "/v1/transactions", { key: "t1", customer_key: "paid", amount: 5000, currency: "USD" });
    await api(p.key, "POST", "/v1/transactions", { key: "t2", customer_key: "unpaid", amount: 1000, currency: "USD" });
    await api(p.key, "POST", "/v1/transactions", { key: "t3", customer_key: "unpaid", amount: -1000, currency: "USD" });

    expect(await groupStats(p.key, p.group.id)).toMatchObject({ partners: 0, clicks: 0, refreshed_at: null });
    const at = Date.UTC(2026, 10, 25, 9);
    await cron(at);
    expect(await groupStats(p.key, p.group.id)).toEqual({
      object: "group_stats",
      group_id: p.group.id,
      partners: 1,
      clicks: 2,
      signups_paid: 1,
      signups_unpaid: 1,
      revenue_usd_cents: 5000,
      refreshed_at: new Date(at).toISOString(),
    });
    expect((await api(p.key, "GET", `/v1/partners/${p.jane.id}/stats`)).body).toEqual({
      object: "partner_stats",
      partner_id: p.jane.id,
      clicks: 2,
      signups_paid: 1,
      signups_unpaid: 1,
      revenue_usd_cents: 5000,
      refreshed_at: new Date(at).toISOString(),
    });
    expect(bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}`), 200).stats).toMatchObject({
      partners: 1,
      clicks: 2,
      revenue_usd_cents: 5000,
    });
  });

  it("a second run changes nothing; late events land in the next run", async () => {
    const p = await program();
    await writeClicks(env.DB, [clickEvent(p.target), clickEvent(p.target)]);
    await runRollup(env);
    const first = await groupStats(p.key, p.group.id);
    await runRollup(env);
    expect(await groupStats(p.key, p.group.id)).toEqual({ ...first, refreshed_at: expect.any(String) });
    expect((await groupStats(p.key, p.group.id)).clicks).toBe(2);

    // A click from two hours ago, delivered late, updates an old counter: counted next run.
    await writeClicks(env.DB, [clickEvent(p.target, Date.now() - 2 * HOUR_MS)]);
    await runRollup(env);
    expect((await groupStats(p.key, p.group.id)).clicks).toBe(3);
  });

  it("overlapping runs do not double count", async () => {
    const p = await program();
    await writeClicks(
      env.DB,
      Array.from({ length: 10 }, () => clickEvent(p.target)),
    );
    await api(p.key, "POST", "/v1/customers", {
      customer_key: "c",
      email: "c@example.com",
      partner_key: p.jane.partner_key,
    });
    await api(p.key, "POST", "/v1/transactions", { key: "t", customer_key: "c", amount: 700, currency: "USD" });
    await Promise.all([runRollup(env), runRollup(env), runRollup(env)]);
    expect(await groupStats(p.key, p.group.id)).toMatchObject({
      clicks: 10,
      partners: 1,
      signups_paid: 1,
      revenue_usd_cents: 700,
    });
  });

  it("follows partners and customers between groups and paid states", async () => {
    const p = await program();
    const other = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Other", destination_url: "https://acme.example/o" }),
      201,
    );
    await api(p.key, "POST", "/v1/customers", {
      customer_key: "c",
      email: "c@example.com",
      partner_key: p.jane.partner_key,
    });
    await api(p.key, "POST", "/v1/transactions", { key: "sale", customer_key: "c", amount: 900, currency: "USD" });
    await runRollup(env);
    expect(await groupStats(p.key, p.group.id)).toMatchObject({ partners: 1, signups_paid: 1, signups_unpaid: 0 });

    await api(p.key, "PATCH", `/v1/partners/${p.jane.id}`, { group_id: other.id });
    await api(p.key, "POST", "/v1/transactions", { key: "refund", customer_key: "c", amount: -900, currency: "USD" });
    await runRollup(env);
    // The partner moved; the customer stays in the group it signed up in, now unpaid; revenue nets to zero there.
    expect(await groupStats(p.key, p.group.id)).toMatchObject({
      partners: 0,
      signups_paid: 0,
      signups_unpaid: 1,
      revenue_usd_cents: 0,
    });
    expect(await groupStats(p.key, other.id)).toMatchObject({ partners: 1, signups_paid: 0, revenue_usd_cents: 0 });
  });

  it("scans only what changed: every rollup query uses an index of the rows with a difference", async () => {
    const mine = "AND company_id = 'cmp_x'";
    for (const [query, index] of [
      [
        `SELECT group_id FROM click_counts_hourly WHERE clicks <> rolled_clicks ${mine}`,
        "click_counts_hourly_rollup_dirty_idx",
      ],
      [
        `SELECT id FROM partners WHERE counted_group_id IS NOT (CASE WHEN status = 'active' THEN group_id END) ${mine}`,
        "partners_rollup_dirty_idx",
      ],
      [
        "SELECT id FROM customers WHERE (counted_group_id IS NOT group_id OR counted_partner_id IS NOT partner_id" +
          ` OR counted_paid IS NOT (net_usd_cents > 0)) ${mine}`,
        "customers_rollup_dirty_idx",
      ],
      [`SELECT group_id FROM transactions WHERE rolled = 0 ${mine}`, "transactions_unrolled_idx"],
    ]) {
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`).all<{ detail: string }>();
      expect(results.map((r) => r.detail).join(" | "), query).toContain(index);
    }
  });
});

describe("retention", () => {
  it("every purge delete is a range on an index of its table, none scans it (EXPLAIN QUERY PLAN)", async () => {
    for (const [name, sql] of Object.entries(PURGE_SQL)) {
      const table = /DELETE FROM (\w+)/.exec(sql)![1]!;
      const binds = sql.includes("?2") ? [1, 30] : [1];
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...binds)
        .all<{ detail: string }>();
      const plan = results.map((r) => r.detail);
      expect(plan.join(" | "), name).toMatch(new RegExp(`SEARCH ${table} USING (COVERING )?INDEX`));
      expect(
        plan.filter((step) => step.startsWith(`SCAN ${table}`)),
        name,
      ).toEqual([]);
    }
    // Sessions: both ends of the OR on their own index, the revoked one partial (only revoked rows).
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${PURGE_SQL.webSessions}`).bind(1).all<{
      detail: string;
    }>();
    const plan = results.map((r) => r.detail).join(" | ");
    expect(plan).toContain("USING INDEX web_sessions_expires_idx (expires_at<?)");
    expect(plan).toContain("USING INDEX web_sessions_revoked_idx (revoked_at<?)");
  });

  it("purges raw clicks past the company's attribution window and keeps the counters", async () => {
    const p = await program();
    await api(p.key, "PATCH", "/v1/company", { attribution_window_days: 30 });
    const old = clickEvent(p.target, Date.now() - 31 * DAY_MS);
    const recent = clickEvent(p.target, Date.now() - 29 * DAY_MS);
    await writeClicks(env.DB, [old, recent]);
    await cron();
    const remaining = await env.DB.prepare("SELECT click_id FROM clicks WHERE company_id = ?")
      .bind(p.companyId)
      .all<{ click_id: string }>();
    expect(remaining.results.map((r) => r.click_id)).toEqual([recent.clickId]);
    expect((await groupStats(p.key, p.group.id)).clicks).toBe(2);
    const counters = await env.DB.prepare("SELECT sum(clicks) AS n FROM click_counts_hourly WHERE company_id = ?")
      .bind(p.companyId)
      .first<{ n: number }>();
    expect(counters!.n).toBe(2);
  });
});

describe("stats export", () => {
  it("exports every group's stats as CSV, quoting names and defusing formulas", async () => {
    const p = await program();
    await api(p.key, "POST", "/v1/groups", {
      name: '=HYPERLINK("x"), "Quoted"',
      destination_url: "https://acme.example/",
    });
    await writeClicks(env.DB, [clickEvent(p.target)]);
    await api(p.key, "POST", "/v1/customers", {
      customer_key: "c",
      email: "c@example.com",
      partner_key: p.jane.partner_key,
    });
    await api(p.key, "POST", "/v1/transactions", { key: "t", customer_key: "c", amount: 12345, currency: "USD" });
    const at = Date.UTC(2026, 10, 25, 10);
    await runRollup(env, at);
    const csv = await api(p.key, "GET", "/v1/exports/group-stats.csv");
    expectStatus(csv, 200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = String(csv.body).trim().split("\n");
    expect(lines[0]).toBe(
      "group_id,name,archived,partners,clicks,signups_paid,signups_unpaid,revenue_usd,refreshed_at",
    );
    expect(lines[1]).toBe(`${p.group.id},Affiliates,false,1,1,1,0,123.45,${new Date(at).toISOString()}`);
    expect(lines[2]).toMatch(/^grp_[0-9a-z]+,"'=HYPERLINK\(""x""\), ""Quoted""",false,0,0,0,0,0\.00,/);
  });
});
