// The demo company `npm start` seeds: once, complete, and its printed links work at the edge.
import { applyD1Migrations, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEMO_OWNER_EMAIL, type DemoSummary, seedDemoCompany } from "../../src/demo/seed";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { authenticateUser } from "../../src/users/service";
import adminWorker from "../../workers/admin";
import { apiVia, bodyOf } from "../helpers/admin";
import { recomputeGroups, recomputePartners, storedPartners } from "../helpers/recompute";

// Its own empty database: the seed does nothing on a database that has a company.
const stores = { DB: env.SEED_DB, LINKS_KV: env.SEED_KV };
/** The admin API over the seed's database, as `npm start`'s admin worker serves it. */
const seedApi = apiVia(adminWorker.fetch, stores);
/** What the first seeding answered (the later tests read what it wrote). */
let seeded: DemoSummary;

async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (
    await env.SEED_DB.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

async function rowCounts() {
  const counts: Record<string, number> = {};
  for (const table of [
    "companies",
    "api_keys",
    "link_domains",
    "groups",
    "default_links",
    "partners",
    "partner_links",
    "users",
    // The demo's activity
    "clicks",
    "click_counts_hourly",
    "customers",
    "transactions",
    "fx_rates",
    "offers",
    "rewards",
    "reward_events",
    "applications",
    "leads",
    "deals",
    "stage_moves",
    "group_social_content",
    "group_stats",
    "partner_stats",
  ]) {
    counts[table] = (await env.SEED_DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
  }
  return counts;
}

describe("demo seed", () => {
  it("seeds one demo company on an empty database, and nothing on a second start", async () => {
    await applyD1Migrations(env.SEED_DB, env.TEST_MIGRATIONS);
    const first = await seedDemoCompany(stores);
    seeded = first;
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^sk_live_/);
    expect(await rowCounts()).toMatchObject({
      companies: 1,
      api_keys: 1,
      link_domains: 1,
      groups: 2,
      default_links: 3, // two originals and Affiliates' pricing link
      partners: 5, // four, and the Resellers applicant the demo approved
      partner_links: 8, // three Affiliates partners × 2 links, two Resellers × 1
      users: 1, // the console owner npm start prints
    });
    // The owner's password is answered once and signs in (stored only as a PBKDF2 hash).
    expect(first.owner).toEqual({ email: DEMO_OWNER_EMAIL, password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    const owner = await authenticateUser(stores, DEMO_OWNER_EMAIL, first.owner.password!);
    expect(owner).toMatchObject({ companyId: first.companyId, role: "owner" });
    // Verified at once: `localhost` verifies itself locally, so the printed links work without DNS.
    const domain = await env.SEED_DB.prepare("SELECT hostname, cookie_domain, status FROM link_domains").first();
    expect(domain).toEqual({ hostname: "localhost", cookie_domain: null, status: "verified" });
    const utms = await env.SEED_DB.prepare(
      "SELECT utm_params FROM default_links WHERE position = 1 ORDER BY created_at",
    ).all<{ utm_params: string }>();
    expect(utms.results.map((row) => JSON.parse(row.utm_params))).toEqual([
      [
        ["utm_source", "partner"],
        ["utm_medium", "affiliate"],
        ["utm_campaign", "{partner_key}"],
      ],
      [
        ["utm_source", "reseller"],
        ["utm_medium", "partner"],
      ],
    ]);

    const before = await rowCounts();
    const second = await seedDemoCompany(stores);
    expect(second).toEqual({
      created: false,
      companyId: first.companyId,
      companyName: first.companyName,
      owner: { email: DEMO_OWNER_EMAIL },
      slugs: first.slugs,
      programPages: first.programPages,
      activity: first.activity,
    });
    // The program pages `npm start` prints: the marketplace entry, then each group's.
    const slug = first.programPages[0]!.split("/")[2];
    expect(first.programPages).toEqual([
      `/programs/${slug}`,
      `/programs/${slug}/affiliates`,
      `/programs/${slug}/resellers`,
    ]);
    expect(await rowCounts()).toEqual(before);

    // The links `npm start` prints redirect at the edge, over plain-http localhost.
    expect(first.slugs.map((s) => s.slug)).toContain("jane-doe--pricing");
    const app = createEdgeApp({
      cache: new IsolateCache({ maxEntries: 100, freshMs: 1000, missFreshMs: 1000 }),
      clickSink: () => ({ send: async () => undefined }),
    });
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request("http://localhost:8787/jane-doe"), { ...env, ...stores }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://example.com/signup");
    expect([...location.searchParams.keys()]).toEqual([
      "plan",
      "utm_source",
      "utm_medium",
      "utm_campaign",
      "ps_xid",
      "ps_partner_key",
    ]);
    expect(location.searchParams.get("utm_campaign")).toBe("jane-doe");
    expect(response.headers.get("set-cookie")).not.toContain("Secure");
  });

  it("the Groups tab's stats are filled on first sign-in: the rollup over the seeded rows, non-zero", async () => {
    const { companyId } = seeded;
    const list = bodyOf(await seedApi(seeded.apiKey!, "GET", "/v1/groups"), 200);
    expect(list.data.map((group) => group.name)).toEqual(["Affiliates", "Resellers"]);
    const recomputed = await recomputeGroups(companyId, env.SEED_DB);
    const statsRun = seeded.activity.statsUpdatedAt;
    expect(statsRun).toEqual(expect.any(Number));
    for (const group of list.data) {
      const { refreshed_at, ...stats } = group.stats;
      expect(stats, group.name).toEqual(recomputed[group.id]);
      expect(refreshed_at).toBe(new Date(statsRun!).toISOString());
      for (const [name, value] of Object.entries(stats)) expect(value, `${group.name} ${name}`).toBeGreaterThan(0);
    }
    expect(await storedPartners(companyId, env.SEED_DB)).toEqual(await recomputePartners(companyId, env.SEED_DB));
    // Clicks over the last two weeks on every partner link, with bots and prefetches the stats leave out.
    const [clicks] = await rows<{ links: number; days: number; humans: number; others: number; oldest: number }>(
      `SELECT count(DISTINCT partner_link_id) AS links, count(DISTINCT hour / 86400000) AS days,
         sum(kind = 'human') AS humans, sum(kind <> 'human') AS others, min(ts) AS oldest FROM clicks`,
    );
    expect(clicks).toMatchObject({ links: 8, humans: expect.any(Number), others: expect.any(Number) });
    expect(clicks!.humans).toBeGreaterThan(300);
    expect(clicks!.others).toBeGreaterThan(10);
    expect(clicks!.days).toBeGreaterThanOrEqual(14);
    expect(Date.now() - clicks!.oldest).toBeGreaterThan(13 * 86_400_000);
    expect(Date.now() - clicks!.oldest).toBeLessThan(14 * 86_400_000 + 60_000);
    expect(seeded.activity).toMatchObject({
      days: 14,
      clicks: clicks!.humans + clicks!.others,
      notCountedClicks: clicks!.others,
      currencies: ["EUR", "USD"],
      refunds: 1,
      pendingApplications: 1,
    });
  });

  it("the offer's triggers earned rewards via ingest: pending, approved, paid, one reversed by a refund", async () => {
    const [offer] = await rows<{ id: string; group: string }>(
      'SELECT o.id, g.name AS "group" FROM offers o JOIN groups g ON g.id = o.group_id',
    );
    expect(offer!.group).toBe("Affiliates");
    const [version] = await rows<{ triggers: string }>(
      "SELECT triggers FROM offer_versions WHERE offer_id = ?",
      offer!.id,
    );
    const triggers = JSON.parse(version!.triggers) as { event: string; reward: { type: string } }[];
    expect(triggers.map((t) => [t.event, t.reward.type])).toEqual([
      ["signup", "flat"],
      ["transaction", "percent"],
      ["stage_entered", "flat"],
    ]);
    // One reward per Affiliates signup and sale, and per lead that entered the rewarded stage.
    const earned = await rows<{ source_type: string; n: number }>(
      "SELECT source_type, count(*) AS n FROM rewards WHERE offer_id = ? GROUP BY source_type ORDER BY source_type",
      offer!.id,
    );
    const [events] = await rows<{ signups: number; sales: number; qualified: number }>(
      `SELECT (SELECT count(*) FROM customers c JOIN groups g ON g.id = c.group_id WHERE g.name = 'Affiliates')
           AS signups,
         (SELECT count(*) FROM transactions t JOIN groups g ON g.id = t.group_id
           WHERE g.name = 'Affiliates' AND t.amount > 0) AS sales,
         (SELECT count(DISTINCT m.entry_id) FROM stage_moves m JOIN pipeline_stages s ON s.id = m.to_stage_id
           WHERE s.kind = 'lead' AND s.name = 'Qualified') AS qualified`,
    );
    expect(earned).toEqual([
      { source_type: "signup", n: events!.signups },
      { source_type: "stage_entered", n: events!.qualified },
      { source_type: "transaction", n: events!.sales },
    ]);
    expect(events).toMatchObject({ signups: expect.any(Number), qualified: 2 });
    const statuses = await rows<{ status: string }>("SELECT DISTINCT status FROM rewards ORDER BY status");
    expect(statuses.map((s) => s.status)).toEqual(["approved", "paid", "pending", "reversed"]);
    expect(await rows("SELECT payout_reference FROM rewards WHERE status = 'paid'")).toEqual([
      { payout_reference: "DEMO-PAYOUT-001" },
    ]);
    // The refund took back the whole sale, so its 20% reward was reversed by the refund itself.
    const reversals = await rows(
      `SELECT e.to_status, e.actor, r.source_type, r.amount, e.reversed_amount, t.amount AS refund
       FROM reward_events e JOIN rewards r ON r.id = e.reward_id JOIN transactions t ON t.id = e.transaction_id`,
    );
    expect(reversals).toEqual([
      {
        to_status: "reversed",
        actor: "refund",
        source_type: "transaction",
        amount: 980,
        reversed_amount: 980,
        refund: -4900,
      },
    ]);
    expect(seeded.activity.rewards).toEqual({
      pending: expect.any(Number),
      approved: 4,
      paid: 1,
      reversed: 1,
    });
    // Sales in two currencies, each converted at the company's rate (EUR seeded, USD is 1).
    const rates = await rows("SELECT currency, usd_per_unit FROM fx_rates WHERE company_id = ?", seeded.companyId);
    expect(rates).toEqual([{ currency: "EUR", usd_per_unit: 1.08 }]);
    const euro = await rows<{ amount: number; amount_usd_cents: number }>(
      "SELECT amount, amount_usd_cents FROM transactions WHERE currency = 'EUR'",
    );
    expect(euro.length).toBeGreaterThan(0);
    for (const sale of euro) expect(sale.amount_usd_cents).toBe(Math.round(sale.amount * 1.08));
    // Signups both ways: by a click and by a partner key.
    const attributed = await rows<{ by_click: number; by_key: number }>(
      `SELECT sum(click_id IS NOT NULL) AS by_click, sum(click_id IS NULL AND deal_id IS NULL) AS by_key
       FROM customers`,
    );
    expect(attributed[0]!.by_click).toBeGreaterThan(0);
    expect(attributed[0]!.by_key).toBeGreaterThan(0);
  });

  it("an application waits in the gated group, one was approved; leads and deals in several stages", async () => {
    const applications = await rows(
      `SELECT a.status, a.gated, g.name AS "group", a.email FROM applications a JOIN groups g ON g.id = a.group_id
       ORDER BY a.id`,
    );
    expect(applications).toEqual([
      { status: "approved", gated: 1, group: "Resellers", email: "chen@applicants.example" },
      { status: "pending", gated: 1, group: "Resellers", email: "nilsson@applicants.example" },
    ]);
    const pending = bodyOf(await seedApi(seeded.apiKey!, "GET", "/v1/applications?status=pending"), 200);
    expect(pending.data.map((a) => a.email)).toEqual(["nilsson@applicants.example"]);
    const stagesOf = async (table: "leads" | "deals") =>
      (
        await rows<{ name: string }>(
          `SELECT s.name FROM ${table} e JOIN pipeline_stages s ON s.id = e.stage_id ORDER BY s.position, e.id`,
        )
      ).map((row) => row.name);
    expect(await stagesOf("leads")).toEqual(["New", "Contacted", "Qualified", "Converted", "Disqualified"]);
    expect(await stagesOf("deals")).toEqual(["Registered", "In progress", "Closed won"]);
    // The closed deal created its customer, a signup of the deal's group and partner.
    const [deal] = await rows<{ id: string; customer_id: string; partner_id: string }>(
      "SELECT id, customer_id, partner_id FROM deals WHERE closed_at IS NOT NULL",
    );
    const [customer] = await rows("SELECT deal_id, partner_id FROM customers WHERE id = ?", deal!.customer_id);
    expect(customer).toEqual({ deal_id: deal!.id, partner_id: deal!.partner_id });
    expect(seeded.activity).toMatchObject({ leads: 5, deals: 3 });
    // The social content Affiliates' partners share, saved.
    const [affiliates] = await rows<{ id: string }>("SELECT id FROM groups WHERE name = 'Affiliates'");
    const social = bodyOf(await seedApi(seeded.apiKey!, "GET", `/v1/groups/${affiliates!.id}/social-content`), 200);
    expect(social).toMatchObject({ customized: true, twitter: { message: expect.stringContaining("{link}") } });
  });

  it("a demo seeded before the console gets its owner on the next start (its password answered once)", async () => {
    await stores.DB.prepare("DELETE FROM users WHERE email = ?").bind(DEMO_OWNER_EMAIL).run();
    const upgraded = await seedDemoCompany(stores);
    expect(upgraded.created).toBe(false);
    expect(upgraded.owner.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await authenticateUser(stores, DEMO_OWNER_EMAIL, upgraded.owner.password!)).not.toBeNull();
    expect((await seedDemoCompany(stores)).owner).toEqual({ email: DEMO_OWNER_EMAIL });
  });
});
