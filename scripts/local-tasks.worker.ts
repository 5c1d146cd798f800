// Runs inside workerd (see scripts/local.mjs): the local setup tasks, through the real services.
//   POST /seed-demo        the demo company, once (src/demo/seed.ts)
//   POST /create-company   a company, its link domain and first API key in the local database
//   POST /company-sql      the same as SQL statements for another database (production)
import { createApiKey, newKeySecret } from "../src/api-keys/service";
import { addLinkDomain, createCompany, createCompanyInput, linkDomainInput } from "../src/companies/service";
import { seedDemoCompany } from "../src/demo/seed";
import type { StorageEnv } from "../src/env";
import { ApiError, problems } from "../src/lib/errors";
import { newId } from "../src/lib/ids";
import { slugify } from "../src/lib/slugs";
import { parseInput } from "../src/lib/validation";

interface CompanyRequest {
  name: string;
  plan: string;
  hostname?: string;
  cookieDomain?: string;
  fallbackUrl?: string;
}

export default {
  async fetch(request: Request, env: StorageEnv): Promise<Response> {
    try {
      const path = new URL(request.url).pathname;
      if (path === "/seed-demo") return Response.json(await seedDemoCompany(env));
      if (path === "/create-company") return Response.json(await createLocally(env, await request.json()));
      if (path === "/company-sql") return Response.json(await companySql(await request.json()));
      return new Response("not found", { status: 404 });
    } catch (error) {
      if (error instanceof ApiError) return Response.json(error.toProblem(), { status: error.status });
      return Response.json({ title: String(error) }, { status: 500 });
    }
  },
};

async function createLocally(env: StorageEnv, input: CompanyRequest) {
  const domain = input.hostname ? parseInput(linkDomainInput, { hostname: input.hostname, cookieDomain: input.cookieDomain ?? null }) : null;
  // Checked first, so a taken hostname leaves no company behind.
  if (domain && (await env.DB.prepare("SELECT 1 FROM link_domains WHERE hostname = ?").bind(domain.hostname).first())) {
    throw problems.conflict(`The hostname '${domain.hostname}' is already in use.`, "hostname-taken");
  }
  const company = await createCompany(env, { name: input.name, plan: input.plan as never, fallbackUrl: input.fallbackUrl ?? null });
  if (domain) await addLinkDomain(env, company.id, domain);
  const key = await createApiKey(env, company.id, { name: "First key" });
  return { company, apiKey: key.secret };
}

/** INSERTs for a database this process cannot reach; validated by the same rules as the API. */
async function companySql(input: CompanyRequest) {
  const company = parseInput(createCompanyInput, { name: input.name, plan: input.plan, fallbackUrl: input.fallbackUrl ?? null });
  const domain = input.hostname ? parseInput(linkDomainInput, { hostname: input.hostname, cookieDomain: input.cookieDomain ?? null }) : null;
  const now = Date.now();
  const companyId = newId("company", now);
  // The remote database's taken slugs are unknown here, so the id's tail makes this one unique.
  const slug = `${slugify(company.name) || "company"}-${companyId.slice(-6).toLowerCase()}`;
  const key = await newKeySecret();
  const statements = [
    insert("companies", { id: companyId, name: company.name, slug, plan: company.plan, fallback_url: company.fallbackUrl, created_at: now, updated_at: now }),
  ];
  if (domain) {
    statements.push(
      insert("link_domains", { id: newId("linkDomain", now), company_id: companyId, hostname: domain.hostname, cookie_domain: domain.cookieDomain, created_at: now }),
    );
  }
  statements.push(
    insert("api_keys", { id: newId("apiKey", now), company_id: companyId, name: "First key", prefix: key.prefix, secret_hash: key.secretHash, created_at: now }),
  );
  return { companyId, sql: statements.join("\n"), apiKey: key.secret };
}

function insert(table: string, row: Record<string, string | number | null>): string {
  const literal = (value: string | number | null) =>
    value === null ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
  return `INSERT INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(literal).join(", ")});`;
}
