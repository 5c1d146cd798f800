// Tenancy: company A's key against every route with company B's ids is a 404, and B's data
// stays exactly as it was. The table is checked against the OpenAPI document, so a new route
// without an entry here fails this test.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, newTenant } from "../helpers/admin";

interface Fixture {
  key: string;
  companyId: string;
  ids: Record<string, string>;
}

async function populated(): Promise<Fixture> {
  const t = await newTenant();
  const group = (await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://b.example/" })).body;
  const link = (await api(t.key, "POST", `/v1/groups/${group.id}/links`, { title: "P", destination_url: "https://b.example/p", link_text: "p" })).body;
  const partner = (await api(t.key, "POST", "/v1/partners", { email: "b@example.com", first_name: "B", last_name: "Partner" })).body;
  const domain = (await api(t.key, "GET", "/v1/link-domains")).body.data[0];
  const customer = (await api(t.key, "POST", "/v1/customers", { customer_key: "c1", email: "c1@example.com", partner_key: partner.partner_key })).body.customer;
  await api(t.key, "POST", "/v1/transactions", { key: "t1", customer_key: "c1", amount: 1000, currency: "USD" });
  return {
    key: t.key,
    companyId: t.companyId,
    ids: { group_id: group.id, link_id: link.id, partner_id: partner.id, domain_id: domain.id, key_id: t.keyId, customer_id: customer.id },
  };
}

/** Everything stored for a company, to compare before and after. */
async function snapshot(companyId: string) {
  const out: Record<string, unknown[]> = {};
  for (const table of ["companies", "api_keys", "link_domains", "groups", "default_links", "partners", "partner_links", "customers", "transactions", "fx_rates"]) {
    const column = table === "companies" ? "id" : "company_id";
    out[table] = (await env.DB.prepare(`SELECT * FROM ${table} WHERE ${column} = ? ORDER BY 1`).bind(companyId).all()).results;
  }
  return out;
}

// A valid body for each write route, so that only tenancy can refuse the request.
const validBodies: Record<string, unknown> = {
  "PATCH /v1/groups/{group_id}": { name: "Hijacked", referral_links_enabled: false },
  "POST /v1/groups/{group_id}/archive": undefined,
  "POST /v1/groups/{group_id}/links": { title: "X", destination_url: "https://evil.example/", link_text: "x" },
  "PATCH /v1/links/{link_id}": { destination_url: "https://evil.example/" },
  "DELETE /v1/links/{link_id}": undefined,
  "PATCH /v1/partners/{partner_id}": { email: "evil@example.com" },
  "DELETE /v1/link-domains/{domain_id}": undefined,
  "POST /v1/link-domains/{domain_id}/verify": undefined,
  "DELETE /v1/api-keys/{key_id}": undefined,
};

describe("isolation: company A's key, company B's ids", () => {
  let a: Fixture;
  let b: Fixture;
  let operations: { method: string; path: string }[];

  beforeAll(async () => {
    a = await populated();
    b = await populated();
    const doc = await api(null, "GET", "/openapi.json");
    operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });

  it("every route with an id answers 404 and changes nothing of B's", async () => {
    // {currency} names a currency, not an object: those routes are tested below.
    const withIds = operations.filter((op) => op.path.includes("{") && !op.path.includes("{currency}"));
    expect(withIds.length).toBeGreaterThanOrEqual(12);
    const before = await snapshot(b.companyId);
    for (const { method, path } of withIds) {
      const name = `${method} ${path}`;
      const url = path.replace(/\{(\w+)\}/g, (_, param: string) => {
        expect(b.ids[param], `${name}: no id for {${param}}`).toBeDefined();
        return b.ids[param]!;
      });
      const body = method === "GET" ? undefined : validBodies[name];
      if (method !== "GET") expect(name in validBodies, `${name}: add a valid body to the table`).toBe(true);
      const r = await api(a.key, method, url, body);
      expect(r.status, name).toBe(404);
      expect(r.body.type, name).toBe("urn:edgeref:problem:not-found");
    }
    expect(await snapshot(b.companyId)).toEqual(before);
  });

  it("lists and reads without ids show only A's own objects", async () => {
    const bIds = Object.values(b.ids);
    for (const { method, path } of operations.filter((op) => op.method === "GET" && !op.path.includes("{"))) {
      const r = await api(a.key, "GET", path);
      expect(r.status, path).toBe(200);
      const text = JSON.stringify(r.body);
      for (const id of [...bIds, b.companyId]) expect(text.includes(id), `${path} shows ${id}`).toBe(false);
    }
  });

  it("B's ids inside request bodies are refused with 422 and write nothing", async () => {
    const before = { a: await snapshot(a.companyId), b: await snapshot(b.companyId) };
    const cases: [string, string, unknown, string][] = [
      ["POST", "/v1/partners", { email: "x@example.com", first_name: "X", last_name: "Y", group_id: b.ids.group_id }, "group_id"],
      ["PATCH", `/v1/partners/${a.ids.partner_id}`, { group_id: b.ids.group_id }, "group_id"],
      ["PATCH", "/v1/company", { default_group_id: b.ids.group_id }, "default_group_id"],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await api(a.key, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(422);
      expect(r.body.errors[0].field).toBe(field);
    }
    expect({ a: await snapshot(a.companyId), b: await snapshot(b.companyId) }).toEqual(before);
  });

  it("fx rates, customers and transactions are per company", async () => {
    const before = await snapshot(b.companyId);
    expect((await api(a.key, "PUT", "/v1/fx-rates/EUR", { usd_per_unit: 9.99 })).status).toBe(200);
    const bRates = (await api(b.key, "GET", "/v1/fx-rates")).body.data;
    expect(bRates.find((r: { currency: string }) => r.currency === "EUR")).toMatchObject({ usd_per_unit: 1.08, source: "default" });
    // A customer key of B's is unknown to A.
    const txn = await api(a.key, "POST", "/v1/transactions", { key: "t-x", customer_key: "unknown-to-a", amount: 1, currency: "USD" });
    expect(txn.status).toBe(422);
    expect(await snapshot(b.companyId)).toEqual(before);
  });

  it("partner keys and slugs are per company: A and B each have `b-partner`", async () => {
    for (const fixture of [a, b]) {
      const partner = await api(fixture.key, "GET", `/v1/partners/${fixture.ids.partner_id}`);
      expect(partner.body.partner_key).toBe("b-partner");
    }
  });
});
