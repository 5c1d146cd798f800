// Retried POSTs with an Idempotency-Key create nothing twice.
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AdminContext } from "../../src/admin/context";
import { problemResponse } from "../../src/admin/errors";
import { writeClicks } from "../../src/clicks/consumer";
import { idempotentPosts } from "../../src/idempotency/middleware";
import { ApiError } from "../../src/lib/errors";
import { sortableToken } from "../../src/lib/ids";
import { PROBLEMS } from "../../src/lib/problems";
import { api, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { clickEvent } from "../helpers/clicks";

const countGroups = async (companyId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM groups WHERE company_id = ?")
    .bind(companyId)
    .first<{ n: number }>())!.n;

describe("Idempotency-Key", () => {
  it("replays the first response for a retry and creates one group", async () => {
    const t = await newTenant();
    const body = { name: "Affiliates", destination_url: "https://acme.example/" };
    const first = await api(t.key, "POST", "/v1/groups", body, { "idempotency-key": "create-affiliates-1" });
    const retry = await api(t.key, "POST", "/v1/groups", body, { "idempotency-key": "create-affiliates-1" });
    expectStatus(first, 201);
    expectStatus(retry, 201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await countGroups(t.companyId)).toBe(1);
  });

  it("never stores a new API key's secret: a replay answers it as null", async () => {
    const t = await newTenant();
    const first = await api(t.key, "POST", "/v1/api-keys", { name: "CI" }, { "idempotency-key": "key-ci" });
    const retry = await api(t.key, "POST", "/v1/api-keys", { name: "CI" }, { "idempotency-key": "key-ci" });
    expectStatus(first, 201);
    expect(first.body.secret).toMatch(/^sk_live_/);
    expectStatus(retry, 201);
    expect(retry.body).toEqual({ ...first.body, secret: null });
    const stored = await env.DB.prepare("SELECT body FROM idempotency_keys WHERE company_id = ?")
      .bind(t.companyId)
      .all<{ body: string }>();
    expect(stored.results).toHaveLength(1);
    expect(stored.results[0]!.body).not.toContain(first.body.secret);
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE company_id = ?")
      .bind(t.companyId)
      .first<{ n: number }>();
    expect(keys!.n).toBe(2); // the tenant's own key and this one
  });

  it("creates one partner under concurrent retries", async () => {
    const t = await newTenant();
    await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "https://acme.example/" });
    const body = { email: "j@example.com", first_name: "Jane", last_name: "Doe" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api(t.key, "POST", "/v1/partners", body, { "idempotency-key": "p-1" })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM partners WHERE company_id = ?")
      .bind(t.companyId)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("replays an error response too, and refuses the key for a different request", async () => {
    const t = await newTenant();
    const bad = await api(
      t.key,
      "POST",
      "/v1/groups",
      { name: "A", destination_url: "nope" },
      { "idempotency-key": "k2" },
    );
    const again = await api(
      t.key,
      "POST",
      "/v1/groups",
      { name: "A", destination_url: "nope" },
      { "idempotency-key": "k2" },
    );
    expectStatus(bad, 422);
    expectStatus(again, 422);
    expect(again.body).toEqual(bad.body);
    const other = await api(
      t.key,
      "POST",
      "/v1/groups",
      { name: "B", destination_url: "https://acme.example/" },
      { "idempotency-key": "k2" },
    );
    expectStatus(other, 422);
    expect(other.body.type).toBe("urn:edgeref:problem:idempotency-key-reused");
    expect(await countGroups(t.companyId)).toBe(0);
  });

  it("keeps keys per company", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const body = { name: "Same", destination_url: "https://acme.example/" };
    expect((await api(a.key, "POST", "/v1/groups", body, { "idempotency-key": "shared" })).status).toBe(201);
    const forB = await api(b.key, "POST", "/v1/groups", body, { "idempotency-key": "shared" });
    expectStatus(forB, 201);
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

  it(`never stores a retryable answer: \
a 409 click-pending retried with the same key succeeds once the click lands`, async () => {
    const t = await newTenant();
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "https://acme.example/" }),
      201,
    );
    const partner = bodyOf(
      await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" }),
      201,
    );
    const xid = sortableToken(); // issued by the edge just now, still in the queue
    const conversion = { xid, customer_key: "acct_1" };
    const pending = await api(t.key, "POST", "/v1/conversions", conversion, { "idempotency-key": "conv-1" });
    expectStatus(pending, 409);
    expect(pending.body.type).toBe("urn:edgeref:problem:click-pending");
    await writeClicks(env.DB, [
      { ...clickEvent({ companyId: t.companyId, groupId: group.id, partnerId: partner.id }), clickId: xid },
    ]);
    const retry = await api(t.key, "POST", "/v1/conversions", conversion, { "idempotency-key": "conv-1" });
    expectStatus(retry, 201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.body.customer).toMatchObject({ click_id: xid, partner_id: partner.id });
    // From now on the key replays the 201.
    const again = await api(t.key, "POST", "/v1/conversions", conversion, { "idempotency-key": "conv-1" });
    expectStatus(again, 201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(retry.body);
  });

  // The API's own limiter runs before this middleware, so its 429 never reserves a key; this pins
  // the rule for any 429 or 5xx answered behind it.
  it.each([
    [429, PROBLEMS.rateLimited],
    [503, PROBLEMS.dnsLookupFailed],
  ])("never stores a %i: the retry with the same key runs the handler again", async (status, problem) => {
    const t = await newTenant();
    const app = new Hono<AdminContext>();
    app.onError((error, c) => problemResponse(error, c));
    app.use("*", async (c, next) => {
      c.set("caller", { companyId: t.companyId, apiKeyId: t.keyId });
      await next();
    });
    app.use("*", idempotentPosts);
    let calls = 0;
    app.post("/things", (c) => {
      calls++;
      if (calls === 1) throw new ApiError(problem, "Retry shortly.");
      return c.json({ calls }, 201);
    });
    const post = async () => {
      const response = await app.fetch(
        new Request("https://admin.test/things", {
          method: "POST",
          headers: { "idempotency-key": `k-${status}` },
          body: "{}",
        }),
        env,
      );
      return {
        status: response.status,
        body: await response.json<{ calls?: number }>(),
        replayed: response.headers.get("idempotent-replayed"),
      };
    };
    expect((await post()).status).toBe(status);
    expect(await post()).toEqual({ status: 201, body: { calls: 2 }, replayed: null });
    expect(await post()).toEqual({ status: 201, body: { calls: 2 }, replayed: "true" });
    expect(calls).toBe(2);
  });
});
