// Runs inside workerd (see scripts/local.mjs): the local setup tasks, through the real services.
//   POST /seed-demo        the demo company, once (src/demo/seed.ts)
//   POST /create-company   a company, its link domain and first API key in the local database
//   POST /company-sql      the same as SQL statements for another database (production)
//   POST /kv-reconcile     publishes what the KV outbox holds, then reconciles every company's KV records
//   POST /portal-link      a partner portal sign-in link for the demo company's first partner
// A link domain is a pending claim (README, "Link domains and verification"); only locally does a
// `localhost` one verify itself.
import { z } from "@hono/zod-openapi";
import { createApiKey } from "../src/api-keys/service";
import { createCompany } from "../src/companies/service";
import { seedDemoCompany } from "../src/demo/seed";
import type { StorageEnv } from "../src/env";
import { ApiError, problems } from "../src/lib/errors";
import { PROBLEMS } from "../src/lib/problems";
import { email as emailRule, parseInput } from "../src/lib/validation";
import { CreateLinkDomainBody } from "../src/link-domains/link-domains.routes";
import { challengeName, claimLinkDomain, isLocalHostname } from "../src/link-domains/service";
import { issueSignInLink } from "../src/portal/sign-in-links";
import { drainOutbox } from "../src/redirect/publish";
import { reconcileCompany } from "../src/redirect/reconcile";
import { generatePassword } from "../src/users/passwords";
import { createUser, isEmailTaken } from "../src/users/service";

interface CompanyRequest {
  name: string;
  plan: string;
  hostname?: string;
  cookieDomain?: string;
  fallbackUrl?: string;
  /** The console's first user, an owner, with a generated password (answered once). */
  ownerEmail?: string;
}

/** What each task takes as its JSON body, for the scripts that run it (scripts/local.mjs). */
export interface LocalTaskBodies {
  "/seed-demo": undefined;
  "/create-company": CompanyRequest;
  "/company-sql": CompanyRequest & { migrations: string[] };
  "/kv-reconcile": undefined;
  /** `origin`: where the admin worker (which serves the portal) listens. */
  "/portal-link": { origin: string };
}

/** What each task answers as JSON. */
export interface LocalTaskResults {
  "/seed-demo": Awaited<ReturnType<typeof seedDemoCompany>>;
  "/create-company": Awaited<ReturnType<typeof createLocally>>;
  "/company-sql": Awaited<ReturnType<typeof companySql>>;
  "/kv-reconcile": Awaited<ReturnType<typeof reconcileAll>>;
  "/portal-link": Awaited<ReturnType<typeof demoPortalLink>>;
}

export default {
  async fetch(request: Request, env: StorageEnv): Promise<Response> {
    try {
      const path = new URL(request.url).pathname;
      if (path === "/seed-demo") return Response.json(await seedDemoCompany(env));
      // The local state is local development: a `localhost` link domain verifies itself there.
      if (path === "/create-company") {
        return Response.json(await createLocally(env, await request.json(), { allowLocalHosts: true }));
      }
      if (path === "/company-sql") return Response.json(await companySql(env, await request.json()));
      if (path === "/kv-reconcile") return Response.json(await reconcileAll(env));
      if (path === "/portal-link") return Response.json(await demoPortalLink(env, await request.json()));
      return new Response("not found", { status: 404 });
    } catch (error) {
      if (error instanceof ApiError) return Response.json(error.toProblem(), { status: error.status });
      return Response.json({ title: String(error) }, { status: 500 });
    }
  },
};

async function createLocally(env: StorageEnv, input: CompanyRequest, policy: { allowLocalHosts: boolean }) {
  const domain = input.hostname
    ? parseInput(CreateLinkDomainBody, { hostname: input.hostname, cookie_domain: input.cookieDomain ?? null })
    : null;
  // Checked first, so a refused hostname leaves no company behind.
  if (domain && isLocalHostname(domain.hostname) && !policy.allowLocalHosts) {
    throw problems.validation([{ field: "hostname", message: "localhost names serve only in local development" }]);
  }
  const ownerEmail = input.ownerEmail
    ? parseInput(z.object({ owner_email: emailRule }), { owner_email: input.ownerEmail }).owner_email
    : null;
  if (ownerEmail && (await isEmailTaken(env, ownerEmail))) {
    throw problems.validation([{ field: "owner_email", message: "already has a console account" }]);
  }
  const verified = "SELECT 1 FROM link_domains WHERE hostname = ? AND status = 'verified'";
  if (domain && (await env.DB.prepare(verified).bind(domain.hostname).first())) {
    throw new ApiError(PROBLEMS.hostnameTaken, `The hostname '${domain.hostname}' is verified by another company.`);
  }
  const company = await createCompany(env, {
    name: input.name,
    plan: input.plan as never,
    fallbackUrl: input.fallbackUrl ?? null,
  });
  const claim = domain ? await claimLinkDomain(env, company.id, domain, policy) : null;
  const key = await createApiKey(env, company.id, { name: "First key" });
  const password = generatePassword();
  const owner = ownerEmail
    ? { email: (await createUser(env, company.id, { email: ownerEmail, role: "owner", password })).email, password }
    : null;
  const linkDomain = claim && {
    id: claim.id,
    hostname: claim.hostname,
    status: claim.status,
    txt: { name: challengeName(claim.hostname), value: claim.verificationToken },
  };
  return { company, apiKey: key.secret, linkDomain, owner };
}

/**
 * For a database this process cannot reach (production): creates the company with the real
 * services in an empty in-memory database (scripts/local.mjs, persist: false), then answers its
 * rows as INSERTs and the edge records it published as KV entries.
 */
async function companySql(env: StorageEnv, input: CompanyRequest & { migrations: string[] }) {
  for (const statement of input.migrations) await env.DB.prepare(statement).run();
  const { company, apiKey, linkDomain, owner } = await createLocally(env, input, { allowLocalHosts: false });
  // The production database's taken slugs are unknown here: the id's tail makes this one unique.
  await env.DB.prepare("UPDATE companies SET slug = slug || '-' || substr(id, -6) WHERE id = ?").bind(company.id).run();
  const statements: string[] = [];
  for (const table of ["companies", "link_domains", "api_keys", "users"]) {
    const { results } = await env.DB.prepare(`SELECT * FROM ${table}`).all<Record<string, string | number | null>>();
    statements.push(...results.map((row) => insert(table, row)));
  }
  const kv: { key: string; value: string }[] = [];
  for (const { name } of (await env.LINKS_KV.list()).keys)
    kv.push({ key: name, value: (await env.LINKS_KV.get(name))! });
  return { companyId: company.id, sql: statements.join("\n"), kv, apiKey, linkDomain, owner };
}

function insert(table: string, row: Record<string, string | number | null>): string {
  const literal = (value: string | number | null) =>
    value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
  const values = Object.values(row).map(literal).join(", ");
  return `INSERT INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${values});`;
}

async function reconcileAll(env: StorageEnv) {
  const outbox = await drainOutbox(env, { limit: 100_000 });
  const { results } = await env.DB.prepare("SELECT id FROM companies ORDER BY id").all<{ id: string }>();
  const companies = [];
  for (const { id } of results) companies.push(await reconcileCompany(env, id));
  return { outbox, companies };
}

/** A one-time sign-in link into the partner portal for the demo company's first active partner. */
async function demoPortalLink(env: StorageEnv, input: { origin: string }) {
  const company = await env.DB.prepare("SELECT id, name FROM companies ORDER BY created_at LIMIT 1").first<{
    id: string;
    name: string;
  }>();
  if (!company) throw problems.validation([{ field: "company", message: "no company yet: run npm start once" }]);
  const partner = await env.DB.prepare(
    `SELECT id, first_name, last_name FROM partners
     WHERE company_id = ? AND status = 'active' ORDER BY created_at LIMIT 1`,
  )
    .bind(company.id)
    .first<{ id: string; first_name: string; last_name: string }>();
  if (!partner) throw problems.validation([{ field: "partner", message: `${company.name} has no active partner` }]);
  const link = await issueSignInLink(env, { companyId: company.id, partnerId: partner.id }, input.origin);
  return {
    url: link.url,
    expiresAt: new Date(link.expiresAt).toISOString(),
    partnerName: `${partner.first_name} ${partner.last_name}`,
    companyName: company.name,
  };
}
