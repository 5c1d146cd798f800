// Calls the admin worker in-process with the test bindings, as an API client would.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApiKey } from "../../src/api-keys/service";
import { createCompany } from "../../src/companies/service";
import type { Plan } from "../../src/db/schema";
import adminWorker from "../../workers/admin";
import { addVerifiedLinkDomain } from "./fixtures";

export const ADMIN_ORIGIN = "https://admin.edgeref.test";

/**
 * A response body as the test reads it. Untyped (`any`) until the admin helper returns each route's
 * own response type (issue 9, "typed tests"): the one place tests opt out of type checking.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; every other `any` in the tests goes through this alias
export type UntypedBody = any;

export interface ApiResult<T = UntypedBody> {
  status: number;
  headers: Headers;
  body: T;
}

type AdminFetch = (request: Request, env: Cloudflare.Env, ctx: ExecutionContext) => Response | Promise<Response>;

export async function api<T = UntypedBody>(
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  return send<T>(adminWorker.fetch, env, key, method, path, body, headers);
}

/**
 * `api` against another admin app, e.g. `createAdminApp({ resolveTxt })` with a fake DNS, and with
 * some bindings overridden (e.g. `ALLOW_LOCAL_HOST_VERIFICATION` off, as in production).
 */
export function apiVia(fetch: AdminFetch, bindings: Partial<Cloudflare.Env> = {}) {
  return <T = UntypedBody>(
    key: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => send<T>(fetch, { ...env, ...bindings }, key, method, path, body, headers);
}

async function send<T>(
  fetch: AdminFetch,
  bindings: Cloudflare.Env,
  key: string | null,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<ApiResult<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (key !== null) (init.headers as Record<string, string>).authorization = `Bearer ${key}`;
  if (body !== undefined) {
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const ctx = createExecutionContext();
  const response = await fetch(new Request(`${ADMIN_ORIGIN}${path}`, init), bindings, ctx);
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

/** A fresh company with an API key and a verified link domain (no groups yet). */
export async function newTenant(plan: Plan = "enterprise", name = "Tenant") {
  const company = await createCompany(env, { name: `${name} ${crypto.randomUUID().slice(0, 6)}`, plan });
  const hostname = `${crypto.randomUUID().slice(0, 8)}.test`;
  await addVerifiedLinkDomain(company.id, { hostname });
  const key = await createApiKey(env, company.id, { name: "test" });
  return { companyId: company.id, company, hostname, key: key.secret, keyId: key.id };
}

/**
 * Every row of every table, in storage order: to show that a refused request wrote nothing —
 * not a row added or removed, and not a column of an existing row changed (a partial update).
 */
export async function tableSnapshot(): Promise<Record<string, Record<string, unknown>[]>> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('d1_migrations') " +
      "AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
  ).all<{ name: string }>();
  const tables = results.map((row) => row.name);
  const rows = await env.DB.batch(tables.map((table) => env.DB.prepare(`SELECT * FROM "${table}" ORDER BY rowid`)));
  return Object.fromEntries(tables.map((table, i) => [table, rows[i]!.results as Record<string, unknown>[]]));
}

/** Every key and value in the edge's KV namespace (what the admin side publishes to the edge). */
export async function kvSnapshot(): Promise<Record<string, string | null>> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.LINKS_KV.list({ cursor });
    names.push(...page.keys.map((key) => key.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  const snapshot: Record<string, string | null> = {};
  for (let i = 0; i < names.length; i += 100) {
    const values = await env.LINKS_KV.get(names.slice(i, i + 100), "text");
    for (const [name, value] of values) snapshot[name] = value;
  }
  return snapshot;
}
