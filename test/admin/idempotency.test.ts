// Retried POSTs with an Idempotency-Key create nothing twice.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, newTenant } from "../helpers/admin";

const countGroups = async (companyId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM groups WHERE company_id = ?").bind(companyId).first<{ n: number }>())!.n;

describe("Idempotency-Key", () => {
  it("replays the first response for a retry and creates one group", async () => {
    const t = await newTenant();
    const body = { name: "Affiliates", destination_url: "https://acme.example/" };
    const first = await api(t.key, "POST", "/v1/groups", body, { "idempotency-key": "create-affiliates-1" });
    const retry = await api(t.key, "POST", "/v1/groups", body, { "idempotency-key": "create-affiliates-1" });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await countGroups(t.companyId)).toBe(1);
  });

  it("never stores a new API key's secret: a replay answers it as null", async () => {
    const t = await newTenant();
    const first = await api(t.key, "POST", "/v1/api-keys", { name: "CI" }, { "idempotency-key": "key-ci" });
    const retry = await api(t.key, "POST", "/v1/api-keys", { name: "CI" }, { "idempotency-key": "key-ci" });
    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(/^sk_live_/);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual({ ...first.body, secret: null });
    const stored = await env.DB.prepare("SELECT body FROM idempotency_keys WHERE company_id = ?").bind(t.companyId).all<{ body: string }>();
    expect(stored.results).toHaveLength(1);
    expect(stored.results[0]!.body).not.toContain(first.body.secret);
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE company_id = ?").bind(t.companyId).first<{ n: number }>();
    expect(keys!.n).toBe(2); // the tenant's own key and this one
  });

  it("creates one partner under concurrent retries", async () => {
    const t = await newTenant();
    await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "https://acme.example/" });
    const body = { email: "j@example.com", first_name: "Jane", last_name: "Doe" };
    const results = await Promise.all(Array.from({ length: 5 }, () => api(t.key, "POST", "/v1/partners", body, { "idempotency-key": "p-1" })));
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM partners WHERE company_id = ?").bind(t.companyId).first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("replays an error response too, and refuses the key for a different request", async () => {
    const t = await newTenant();
    const bad = await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "nope" }, { "idempotency-key": "k2" });
    const again = await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "nope" }, { "idempotency-key": "k2" });
    expect(bad.status).toBe(422);
    expect(again.status).toBe(422);
    expect(again.body).toEqual(bad.body);
    const other = await api(t.key, "POST", "/v1/groups", { name: "B", destination_url: "https://acme.example/" }, { "idempotency-key": "k2" });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe("urn:edgeref:problem:idempotency-key-reused");
    expect(await countGroups(t.companyId)).toBe(0);
  });

  it("keeps keys per company", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const body = { name: "Same", destination_url: "https://acme.example/" };
    expect((await api(a.key, "POST", "/v1/groups", body, { "idempotency-key": "shared" })).status).toBe(201);
    const forB = await api(b.key, "POST", "/v1/groups", body, { "idempotency-key": "shared" });
    expect(forB.status).toBe(201);
    expect(forB.headers.get("idempotent-replayed")).toBeNull();
    expect(await countGroups(b.companyId)).toBe(1);
  });

  it("without a key, each POST creates", async () => {
    const t = await newTenant();
    const body = { name: "A", destination_url: "https://acme.example/" };
    await api(t.key, "POST", "/v1/groups", body);
    await api(t.key, "POST", "/v1/groups", body);
    expect(await countGroups(t.companyId)).toBe(2);
  });
});
