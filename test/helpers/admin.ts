// Calls the admin worker in-process with the test bindings, as an API client would.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApiKey } from "../../src/api-keys/service";
import { addLinkDomain, createCompany } from "../../src/companies/service";
import type { Plan } from "../../src/db/schema";
import adminWorker from "../../workers/admin";

export const ADMIN_ORIGIN = "https://admin.edgeref.test";

export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = any>(
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (key !== null) (init.headers as Record<string, string>).authorization = `Bearer ${key}`;
  if (body !== undefined) {
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const ctx = createExecutionContext();
  const response = await adminWorker.fetch(new Request(`${ADMIN_ORIGIN}${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (HTML pages)
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** A fresh company with an API key and a link domain (no groups yet). */
export async function newTenant(plan: Plan = "enterprise", name = "Tenant") {
  const company = await createCompany(env, { name: `${name} ${crypto.randomUUID().slice(0, 6)}`, plan });
  const hostname = `${crypto.randomUUID().slice(0, 8)}.test`;
  await addLinkDomain(env, company.id, { hostname });
  const key = await createApiKey(env, company.id, { name: "test" });
  return { companyId: company.id, company, hostname, key: key.secret, keyId: key.id };
}

/** Rows per table: to show that a refused request wrote nothing. */
export async function tableCounts(): Promise<Record<string, number>> {
  const tables = ["companies", "api_keys", "link_domains", "groups", "default_links", "partners", "partner_links", "group_slug_history"];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
  }
  return counts;
}
