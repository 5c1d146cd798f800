// The demo company `npm start` creates on an empty database, through the same services the API
// uses. Seeding twice creates nothing: an existing company is reported instead.
import { and, asc, eq, isNull } from "drizzle-orm";
import { createApiKey } from "../api-keys/service";
import { createCompany, type Stores } from "../companies/service";
import { database } from "../db/client";
import { companies, groups, partnerLinks, partners } from "../db/schema";
import { createGroup } from "../groups/service";
import { claimLinkDomain } from "../link-domains/service";
import { createDefaultLink } from "../links/service";
import { createPartner } from "../partners/service";
import { companyLastRunKey } from "../rollup/rollup";
import { generatePassword } from "../users/passwords";
import { createUser, isEmailTaken } from "../users/service";
import { DEMO_DAYS, seedDemoActivity } from "./activity";

export const DEMO_HOSTNAME = "localhost";
/** The demo company's console owner (its password is generated, answered once). */
export const DEMO_OWNER_EMAIL = "owner@acme-demo.example";

export interface DemoSummary {
  created: boolean;
  companyId: string;
  companyName: string;
  /** Only when just created: the secret is never stored in clear. */
  apiKey?: string;
  /** The console owner; the password only when just created (stored only hashed). */
  owner: { email: string; password?: string };
  slugs: { partnerKey: string; slug: string }[];
  /** The public program pages (paths on the admin worker): the marketplace entry, then each live group's. */
  programPages: string[];
  /** What the demo's activity amounts to (`npm start` prints it in one line). */
  activity: DemoActivity;
}

export interface DemoActivity {
  days: number;
  clicks: number;
  /** Of `clicks`: bots, prefetches and HEAD requests (never counted in the stats). */
  notCountedClicks: number;
  signups: number;
  sales: number;
  refunds: number;
  currencies: string[];
  rewards: Record<"pending" | "approved" | "paid" | "reversed", number>;
  pendingApplications: number;
  leads: number;
  deals: number;
  /** When the stats were last rolled up (null before the first rollup). */
  statsUpdatedAt: number | null;
}

/**
 * `activity: false` seeds the company without its two weeks of activity: the benchmarks count the
 * clicks they send from zero (bench/workers/tools.ts).
 */
export async function seedDemoCompany(env: Stores, options: { activity?: boolean } = {}): Promise<DemoSummary> {
  const db = database(env.DB);
  const existing = await db.query.companies.findFirst({ orderBy: asc(companies.createdAt) });
  if (existing) {
    // A demo seeded before the console had no owner: it gets one now (its password answered once).
    const password = (await isEmailTaken(env, DEMO_OWNER_EMAIL)) ? undefined : await demoOwner(env, existing.id);
    return {
      created: false,
      companyId: existing.id,
      companyName: existing.name,
      owner: { email: DEMO_OWNER_EMAIL, password },
      slugs: await demoSlugs(env, existing.id),
      programPages: await programPages(env, existing),
      activity: await demoActivity(env, existing.id),
    };
  }

  const company = await createCompany(env, {
    name: "Acme Analytics (demo)",
    // Enterprise, so that every console tab has something to show (deal registration included).
    plan: "enterprise",
    fallbackUrl: "https://example.com/",
  });
  // The demo only ever runs locally, where `localhost` verifies itself.
  await claimLinkDomain(env, company.id, { hostname: DEMO_HOSTNAME }, { allowLocalHosts: true });
  const affiliates = await createGroup(env, company.id, {
    name: "Affiliates",
    destinationUrl: "https://example.com/signup?plan=trial",
    utmParams: [
      ["utm_source", "partner"],
      ["utm_medium", "affiliate"],
      ["utm_campaign", "{partner_key}"],
    ],
  });
  await createDefaultLink(env, company.id, affiliates.id, {
    title: "Pricing page",
    description: "Send readers straight to plans and prices.",
    destinationUrl: "https://example.com/pricing#plans",
    utmParams: [
      ["utm_source", "partner"],
      ["utm_medium", "affiliate"],
      ["utm_content", "pricing"],
    ],
    linkText: "pricing",
  });
  const resellers = await createGroup(env, company.id, {
    name: "Resellers",
    destinationUrl: "https://example.com/partners/resellers",
    utmParams: [
      ["utm_source", "reseller"],
      ["utm_medium", "partner"],
    ],
  });
  const demoPartners = [];
  for (const [firstName, lastName, groupId] of [
    ["Jane", "Doe", affiliates.id],
    ["Ravi", "Patel", affiliates.id],
    ["Amélie", "Laurent", affiliates.id],
    ["Tom", "Becker", resellers.id],
  ] as const) {
    const partner = await createPartner(env, company.id, {
      firstName,
      lastName,
      email: `${lastName.toLowerCase()}@partners.example`,
      groupId,
    });
    demoPartners.push({ id: partner.id, groupId, partnerKey: partner.partnerKey });
  }
  const key = await createApiKey(env, company.id, { name: "Demo key" });
  const password = await demoOwner(env, company.id);
  if (options.activity !== false)
    await seedDemoActivity(env, {
      companyId: company.id,
      actor: key.id,
      affiliatesId: affiliates.id,
      resellersId: resellers.id,
      partners: demoPartners,
    });
  return {
    created: true,
    companyId: company.id,
    companyName: company.name,
    apiKey: key.secret,
    owner: { email: DEMO_OWNER_EMAIL, password },
    slugs: await demoSlugs(env, company.id),
    programPages: await programPages(env, company),
    activity: await demoActivity(env, company.id),
  };
}

/** The demo company's activity, counted from its rows (the same on every start). */
async function demoActivity(env: Stores, companyId: string): Promise<DemoActivity> {
  const count = (sql: string) => env.DB.prepare(sql).bind(companyId);
  const [clicks, customers, sales, rewards, applications, entries, rolledUp] = await env.DB.batch<
    Record<string, number | string | null>
  >([
    count("SELECT count(*) AS n, coalesce(sum(kind <> 'human'), 0) AS other FROM clicks WHERE company_id = ?1"),
    count("SELECT count(*) AS n FROM customers WHERE company_id = ?1"),
    count(
      `SELECT coalesce(sum(amount > 0), 0) AS sales, coalesce(sum(amount < 0), 0) AS refunds,
         coalesce(group_concat(DISTINCT currency), '') AS currencies FROM transactions WHERE company_id = ?1`,
    ),
    count("SELECT status, count(*) AS n FROM rewards WHERE company_id = ?1 GROUP BY status"),
    count("SELECT count(*) AS n FROM applications WHERE company_id = ?1 AND status = 'pending'"),
    count(
      `SELECT (SELECT count(*) FROM leads WHERE company_id = ?1) AS leads,
         (SELECT count(*) FROM deals WHERE company_id = ?1) AS deals`,
    ),
    env.DB.prepare("SELECT value FROM rollup_state WHERE name = ?1").bind(companyLastRunKey(companyId)),
  ]);
  const first = (result: D1Result<Record<string, number | string | null>> | undefined) => result?.results[0] ?? {};
  const byStatus = Object.fromEntries((rewards?.results ?? []).map((row) => [row.status, Number(row.n)]));
  return {
    days: DEMO_DAYS,
    clicks: Number(first(clicks).n),
    notCountedClicks: Number(first(clicks).other),
    signups: Number(first(customers).n),
    sales: Number(first(sales).sales),
    refunds: Number(first(sales).refunds),
    currencies: String(first(sales).currencies ?? "")
      .split(",")
      .filter(Boolean)
      .sort(),
    rewards: {
      pending: byStatus.pending ?? 0,
      approved: byStatus.approved ?? 0,
      paid: byStatus.paid ?? 0,
      reversed: byStatus.reversed ?? 0,
    },
    pendingApplications: Number(first(applications).n),
    leads: Number(first(entries).leads),
    deals: Number(first(entries).deals),
    statsUpdatedAt: first(rolledUp).value === undefined ? null : Number(first(rolledUp).value),
  };
}

async function programPages(env: Stores, company: { id: string; slug: string }) {
  const live = await database(env.DB)
    .select({ slug: groups.slug })
    .from(groups)
    .where(and(eq(groups.companyId, company.id), isNull(groups.archivedAt)))
    .orderBy(asc(groups.id));
  return [`/programs/${company.slug}`, ...live.map((group) => `/programs/${company.slug}/${group.slug}`)];
}

/** Creates the demo's console owner with a generated password, and answers the password. */
async function demoOwner(env: Stores, companyId: string): Promise<string> {
  const password = generatePassword();
  await createUser(env, companyId, { email: DEMO_OWNER_EMAIL, role: "owner", password });
  return password;
}

async function demoSlugs(env: Stores, companyId: string) {
  return database(env.DB)
    .select({ partnerKey: partners.partnerKey, slug: partnerLinks.slug })
    .from(partnerLinks)
    .innerJoin(partners, eq(partners.id, partnerLinks.partnerId))
    .where(eq(partnerLinks.companyId, companyId))
    .orderBy(asc(partners.createdAt), asc(partnerLinks.slug));
}
