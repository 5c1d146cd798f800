// Calls the admin worker in-process with the test bindings, as an API client would.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import { expect } from "vitest";
import type { apiRouters } from "../../src/admin/app";
import type { AdminContext } from "../../src/admin/context";
import type { ProblemSchema } from "../../src/admin/schemas";
import { createApiKey } from "../../src/api-keys/service";
import { createCompany } from "../../src/companies/service";
import type { Plan } from "../../src/db/schema";
import type { Problem } from "../../src/lib/problems";
import adminWorker from "../../workers/admin";
import { addVerifiedLinkDomain } from "./fixtures";

export const ADMIN_ORIGIN = "https://admin.edgeref.test";

/** A problem (RFC 9457) as the API answers every error: the body of each documented 4xx and 5xx. */
export type ProblemBody = z.output<typeof ProblemSchema>;
/** What the catalogue's errors answer with. */
export type ProblemStatus = Problem["status"];

/** One response a route may give, as the test reads it: `status` tells which body it has. */
export interface ApiResult<Body = unknown, Status extends number = number> {
  status: Status;
  headers: Headers;
  body: Body;
}

/** /openapi.json, as @hono/zod-openapi types the document it generates (openapi3-ts, OpenAPI 3.1). */
export type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type SchemaOf<Router> = Router extends OpenAPIHono<AdminContext, infer Schema, "/"> ? Schema : never;
/** Hono's schema entry for one response of a route (only `status` and `output` are read here). */
interface Answer<Status extends number, Body> {
  status: Status;
  output: Body;
}
/** Routes outside the documented API (not in the OpenAPI routers), typed by hand. */
interface PageRoutes {
  "/health": { $get: Answer<200, { ok: boolean }> };
  "/openapi.json": { $get: Answer<200, OpenApiDocument> };
  "/docs": { $get: Answer<200, string> };
  "/programs/:company_slug/:group_slug": { $get: Answer<number, string> };
}
/** Every route's responses, by path template (`/v1/groups/:group_id`) and `$method`, from the route definitions. */
type AdminRoutes = UnionToIntersection<SchemaOf<(typeof apiRouters)[number]>> & PageRoutes;

type PathOnly<Path extends string> = Path extends `${infer Base}?${string}` ? Base : Path;
type Segments<Path extends string> = Path extends `${infer Head}/${infer Rest}` ? [Head, ...Segments<Rest>] : [Path];
type SegmentFits<Template extends string, Actual extends string> = Template extends `:${string}`
  ? true
  : [Actual] extends [Template]
    ? true
    : false;
type SegmentsFit<Template extends string[], Actual extends string[]> = Template extends [
  infer T extends string,
  ...infer TemplateRest extends string[],
]
  ? Actual extends [infer A extends string, ...infer ActualRest extends string[]]
    ? SegmentFits<T, A> extends true
      ? SegmentsFit<TemplateRest, ActualRest>
      : false
    : false
  : Actual extends []
    ? true
    : false;
/** The route template a concrete path (`/v1/groups/${string}?limit=2`) is served by, or never. */
type RouteOf<Path extends string> = {
  [Template in keyof AdminRoutes & string]: SegmentsFit<Segments<Template>, Segments<PathOnly<Path>>> extends true
    ? Template
    : never;
}[keyof AdminRoutes & string];
type EndpointOf<Method extends string, Path extends string> =
  RouteOf<Path> extends infer Template
    ? Template extends keyof AdminRoutes
      ? `$${Lowercase<Method>}` extends keyof AdminRoutes[Template]
        ? AdminRoutes[Template][`$${Lowercase<Method>}`]
        : never
      : never
    : never;
type ResultsOf<Endpoint> = Endpoint extends { status: infer Status extends number; output: infer Body }
  ? ApiResult<Body, Status>
  : never;
/**
 * The responses a request can get: one `ApiResult` per documented status, each with that status's body
 * type; narrow with `expectStatus`. A path no route serves (or one only known at run time) reads as
 * `ApiResult<unknown>`.
 */
export type ResponseTo<Method extends string, Path extends string> = [EndpointOf<Method, Path>] extends [never]
  ? ApiResult
  : ResultsOf<EndpointOf<Method, Path>>;

/** The response with this status among those a request can get; any error is a problem. */
type WithStatus<Result extends ApiResult, Status extends number> = [Extract<Result, { status: Status }>] extends [never]
  ? ApiResult<Status extends ProblemStatus ? ProblemBody : unknown, Status>
  : Extract<Result, { status: Status }>;

/**
 * `expect(result.status).toBe(status)`, and from then on `result.body` has that status's type. Only a
 * status the route documents is accepted (any one for a path no route serves).
 */
export function expectStatus<Result extends ApiResult, Status extends Result["status"]>(
  result: Result,
  status: Status,
  label?: string,
): asserts result is Result & WithStatus<Result, Status> {
  const body = JSON.stringify(result.body);
  expect(result.status, label === undefined ? body : `${label}: ${body}`).toBe(status);
}

/** An error response: the API answers every 4xx and 5xx with a problem. */
type ProblemOf<Result extends ApiResult> = [Extract<Result, { status: ProblemStatus }>] extends [never]
  ? ApiResult<ProblemBody, ProblemStatus>
  : Extract<Result, { status: ProblemStatus }>;

/** Whether the result is an error (status 400 or more), so its body is a problem. */
export function isProblem<Result extends ApiResult>(result: Result): result is Result & ProblemOf<Result> {
  return result.status >= 400;
}

/** `expectStatus`, then the body. */
export function bodyOf<Result extends ApiResult, Status extends Result["status"]>(
  result: Result,
  status: Status,
): WithStatus<Result, Status>["body"] {
  expectStatus(result, status);
  return result.body;
}

type AdminFetch = (request: Request, env: Cloudflare.Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** A request to the admin API; the result is typed by the route that serves `method` and `path`. */
export async function api<Method extends string, Path extends string>(
  key: string | null,
  method: Method,
  path: Path,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ResponseTo<Method, Path>> {
  return send(adminWorker.fetch, env, key, method, path, body, headers);
}

/**
 * `api` against another admin app, e.g. `createAdminApp({ resolveTxt })` with a fake DNS, and with
 * some bindings overridden (e.g. `ALLOW_LOCAL_HOST_VERIFICATION` off, as in production).
 */
export function apiVia(fetch: AdminFetch, bindings: Partial<Cloudflare.Env> = {}) {
  return <Method extends string, Path extends string>(
    key: string | null,
    method: Method,
    path: Path,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ResponseTo<Method, Path>> => send(fetch, { ...env, ...bindings }, key, method, path, body, headers);
}

async function send<Result extends ApiResult>(
  fetch: AdminFetch,
  bindings: Cloudflare.Env,
  key: string | null,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Result> {
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
  // The route's types describe what it answers; the tests check that it does.
  return { status: response.status, headers: response.headers, body: parsed } as Result;
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
  // One round trip: the table list is read in the same batch as the rows and checked against the
  // remembered one, so a table created since (none is, after the migrations) only costs a retry.
  let tables: string[] = snapshotTables ?? (await tableNames());
  for (;;) {
    const [names, ...rows] = await env.DB.batch<Record<string, unknown>>([
      env.DB.prepare(TABLE_NAMES_SQL),
      ...tables.map((table) => env.DB.prepare(`SELECT * FROM "${table}" ORDER BY rowid`)),
    ]);
    const current: string[] = names!.results.map((row) => String(row.name));
    if (current.join("\n") === tables.join("\n")) {
      snapshotTables = tables;
      return Object.fromEntries(tables.map((table, i) => [table, rows[i]!.results]));
    }
    tables = current;
  }
}

const TABLE_NAMES_SQL =
  "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('d1_migrations') " +
  "AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name";
let snapshotTables: string[] | undefined;

async function tableNames(): Promise<string[]> {
  const { results } = await env.DB.prepare(TABLE_NAMES_SQL).all<{ name: string }>();
  return results.map((row) => row.name);
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
  const chunks: string[][] = [];
  for (let i = 0; i < names.length; i += 100) chunks.push(names.slice(i, i + 100));
  const values = await Promise.all(chunks.map((chunk) => env.LINKS_KV.get(chunk, "text")));
  return Object.fromEntries(values.flatMap((map) => [...map]));
}

/** Every D1 row and every KV entry, read side by side: all that a refused request must leave as it was. */
export async function storageSnapshot() {
  const [rows, kv] = await Promise.all([tableSnapshot(), kvSnapshot()]);
  return { rows, kv };
}
export type StorageSnapshot = Awaited<ReturnType<typeof storageSnapshot>>;
