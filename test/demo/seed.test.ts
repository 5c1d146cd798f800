// The demo company `npm start` seeds: once, complete, and its printed links work at the edge.
import { applyD1Migrations, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEMO_OWNER_EMAIL, seedDemoCompany } from "../../src/demo/seed";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { authenticateUser } from "../../src/users/service";

// Its own empty database: the seed does nothing on a database that has a company.
const stores = { DB: env.SEED_DB, LINKS_KV: env.SEED_KV };

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
  ]) {
    counts[table] = (await env.SEED_DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
  }
  return counts;
}

describe("demo seed", () => {
  it("seeds one demo company on an empty database, and nothing on a second start", async () => {
    await applyD1Migrations(env.SEED_DB, env.TEST_MIGRATIONS);
    const first = await seedDemoCompany(stores);
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^sk_live_/);
    expect(await rowCounts()).toEqual({
      companies: 1,
      api_keys: 1,
      link_domains: 1,
      groups: 2,
      default_links: 3, // two originals and Affiliates' pricing link
      partners: 4,
      partner_links: 7, // three Affiliates partners × 2 links, one Reseller × 1
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

  it("a demo seeded before the console gets its owner on the next start (its password answered once)", async () => {
    await stores.DB.prepare("DELETE FROM users WHERE email = ?").bind(DEMO_OWNER_EMAIL).run();
    const upgraded = await seedDemoCompany(stores);
    expect(upgraded.created).toBe(false);
    expect(upgraded.owner.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await authenticateUser(stores, DEMO_OWNER_EMAIL, upgraded.owner.password!)).not.toBeNull();
    expect((await seedDemoCompany(stores)).owner).toEqual({ email: DEMO_OWNER_EMAIL });
  });
});
