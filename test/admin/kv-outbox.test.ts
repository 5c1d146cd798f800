// A write that committed is never answered as failed: publishing to KV goes through an outbox
// written in the same D1 batch, retried after the response and by the cron; the reconcile job
// repairs whatever KV still gets wrong.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { drainOutbox } from "../../src/redirect/publish";
import { reconcileCompany } from "../../src/redirect/reconcile";
import { recordKeys, type SiteRecord } from "../../src/redirect/records";
import { slugFilterKey } from "../../src/redirect/slug-filter";
import adminWorker from "../../workers/admin";
import { ADMIN_ORIGIN, api, apiVia, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { edgeFetch } from "../helpers/fixtures";
import { countingDb, locationOf } from "../helpers/redirect";

/** The real KV for reads, but every write fails (as KV does when it is having a bad day). */
const kvWhoseWritesFail = {
  get: (...args: Parameters<KVNamespace["get"]>) => env.LINKS_KV.get(...args),
  list: (...args: Parameters<KVNamespace["list"]>) => env.LINKS_KV.list(...args),
  put: async () => {
    throw new Error("KV PUT failed: 503 Service Unavailable");
  },
  delete: async () => {
    throw new Error("KV DELETE failed: 503 Service Unavailable");
  },
} as unknown as KVNamespace;

/** The admin API over a KV whose writes fail. */
const apiWithBrokenKv = apiVia(adminWorker.fetch, { LINKS_KV: kvWhoseWritesFail });

const outboxRows = async (companyId: string) =>
  (
    await env.DB.prepare("SELECT kind, ref, attempts, last_error FROM kv_outbox WHERE company_id = ?")
      .bind(companyId)
      .all()
  ).results;

async function cron(scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await adminWorker.scheduled(createScheduledController({ scheduledTime, cron: "0 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

afterEach(() => vi.restoreAllMocks());

describe("a write whose KV publish fails", () => {
  it("answers 201 once, creates no duplicate on retry, and reaches the edge once the outbox drains", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const t = await newTenant();
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
      201,
    );
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" });

    const create = { title: "Pricing", link_text: "pricing", destination_url: "https://acme.example/pricing" };
    const headers = { "idempotency-key": "add-pricing" };
    const first = await apiWithBrokenKv(t.key, "POST", `/v1/groups/${group.id}/links`, create, headers);
    expectStatus(first, 201);
    const retry = await apiWithBrokenKv(t.key, "POST", `/v1/groups/${group.id}/links`, create, headers);
    expect({ status: retry.status, body: retry.body }).toEqual({ status: first.status, body: first.body });
    const links = await env.DB.prepare(
      "SELECT count(*) AS n FROM default_links WHERE group_id = ? AND deleted_at IS NULL",
    )
      .bind(group.id)
      .first<{ n: number }>();
    expect(links!.n).toBe(2);

    // KV still holds the old site record (the group with only its original link); the outbox remembers.
    expect(await outboxRows(t.companyId)).toEqual([
      expect.objectContaining({ kind: "group", ref: group.id, last_error: expect.stringContaining("KV PUT failed") }),
    ]);
    const linksInKv = async () =>
      (await env.LINKS_KV.get<SiteRecord>(recordKeys.site(t.hostname), "json"))!.groups[group.id]!.links;
    expect(await linksInKv()).toHaveLength(1);

    await cron();
    expect(await outboxRows(t.companyId)).toEqual([]);
    expect(await linksInKv()).toHaveLength(2);
    expect(locationOf(await edgeFetch(`https://${t.hostname}/jane-doe--pricing`))).toMatch(
      /^https:\/\/acme\.example\/pricing\?/,
    );
  });

  it("a failed PATCH is not served forever: the edge follows once the outbox drains", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const t = await newTenant();
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/old" }),
      201,
    );
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" });
    const original = bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/links`), 200).data[0]!;

    const patched = await apiWithBrokenKv(t.key, "PATCH", `/v1/links/${original.id}`, {
      destination_url: "https://acme.example/new",
    });
    expectStatus(patched, 200);
    expect(patched.body.destination_url).toBe("https://acme.example/new");
    expect(locationOf(await edgeFetch(`https://${t.hostname}/jane-doe`))).toMatch(/^https:\/\/acme\.example\/old\?/);

    expect(await drainOutbox(env, { companyId: t.companyId })).toEqual({ published: 1, failed: 0 });
    expect(locationOf(await edgeFetch(`https://${t.hostname}/jane-doe`))).toMatch(/^https:\/\/acme\.example\/new\?/);
  });

  it("is retried after the response, so a passing KV hiccup heals by itself", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const t = await newTenant();
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
      201,
    );
    // Only the first put fails.
    let failures = 1;
    const flakyKv = {
      get: (...args: Parameters<KVNamespace["get"]>) => env.LINKS_KV.get(...args),
      put: async (...args: Parameters<KVNamespace["put"]>) => {
        if (failures-- > 0) throw new Error("KV PUT failed once");
        return env.LINKS_KV.put(...args);
      },
      delete: (...args: Parameters<KVNamespace["delete"]>) => env.LINKS_KV.delete(...args),
    } as unknown as KVNamespace;
    const ctx = createExecutionContext();
    const response = await adminWorker.fetch(
      new Request(`${ADMIN_ORIGIN}/v1/groups/${group.id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
        body: JSON.stringify({ referral_links_enabled: false }),
      }),
      { ...env, LINKS_KV: flakyKv },
      ctx,
    );
    expect(response.status).toBe(200);
    await response.text();
    await waitOnExecutionContext(ctx); // the after-response retry
    expect(await outboxRows(t.companyId)).toEqual([]);
    // A group whose links are off is not in the site record: its partners' links fall back.
    const site = await env.LINKS_KV.get<SiteRecord>(recordKeys.site(t.hostname), "json");
    expect(Object.keys(site!.groups)).not.toContain(group.id);
  });
});

describe("the after-response retry", () => {
  it("runs only when something is left: not after a write that published, after one that did not", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const t = await newTenant();
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
      201,
    );
    const { db, queries } = countingDb(env.DB);
    const outboxReadsOfCompany = () =>
      queries.filter((query) => query.includes("FROM kv_outbox") && query.includes("company_id = ?1"));
    const counted = apiVia(adminWorker.fetch, { DB: db });
    // The helper waits for the response's waitUntil work, the retry included.
    expectStatus(await counted(t.key, "PATCH", `/v1/groups/${group.id}`, { referral_links_enabled: false }), 200);
    expect(outboxReadsOfCompany()).toEqual([]);

    const countedWithBrokenKv = apiVia(adminWorker.fetch, { DB: db, LINKS_KV: kvWhoseWritesFail });
    const enable = { referral_links_enabled: true };
    expectStatus(await countedWithBrokenKv(t.key, "PATCH", `/v1/groups/${group.id}`, enable), 200);
    expect(outboxReadsOfCompany()).toHaveLength(3); // three tries after the response, all failing
    expect(await outboxRows(t.companyId)).toEqual([expect.objectContaining({ kind: "group", ref: group.id })]);
    // The company's next write here (one that publishes nothing itself) retries what is left; then nothing more.
    expectStatus(await counted(t.key, "PATCH", `/v1/groups/${group.id}`, { name: "Renamed" }), 200);
    expect(await outboxRows(t.companyId)).toEqual([]);
    const site = await env.LINKS_KV.get<SiteRecord>(recordKeys.site(t.hostname), "json");
    expect(Object.keys(site!.groups)).toContain(group.id); // its links work again
    const reads = outboxReadsOfCompany().length;
    expectStatus(await counted(t.key, "PATCH", `/v1/groups/${group.id}`, { name: "Affiliates" }), 200);
    expect(outboxReadsOfCompany()).toHaveLength(reads);
  });
});

describe("the KV reconcile job", () => {
  it("repairs wrong, missing and orphaned records and reports what it fixed; a second run fixes nothing", async () => {
    const t = await newTenant();
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
      201,
    );
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" });
    const siteKey = recordKeys.site(t.hostname);
    const janeKey = recordKeys.slug(t.companyId, "jane-doe");
    const orphanKey = recordKeys.slug(t.companyId, "nobody-here");
    const right = await env.LINKS_KV.get<SiteRecord>(siteKey, "json");

    const { [group.id]: _removed, ...otherGroups } = right!.groups; // as if the group's links were off
    await env.LINKS_KV.put(siteKey, JSON.stringify({ ...right, groups: otherGroups }));
    await env.LINKS_KV.delete(janeKey);
    await env.LINKS_KV.put(orphanKey, JSON.stringify({ partnerId: "ptn_gone" }));
    await env.LINKS_KV.delete(slugFilterKey(t.companyId));

    const report = await reconcileCompany(env, t.companyId);
    expect(report.fixed).toEqual(
      expect.arrayContaining([
        { key: siteKey, action: "put" },
        { key: janeKey, action: "put" },
        { key: orphanKey, action: "delete" },
        { key: slugFilterKey(t.companyId), action: "put" },
      ]),
    );
    expect(report.fixed).toHaveLength(4);
    expect(await env.LINKS_KV.get(siteKey, "json")).toEqual(right);
    expect(await env.LINKS_KV.get(orphanKey)).toBeNull();
    expect(locationOf(await edgeFetch(`https://${t.hostname}/jane-doe`))).toMatch(/^https:\/\/acme\.example\/a\?/);

    const again = await reconcileCompany(env, t.companyId);
    expect(again.fixed).toEqual([]);
    expect(again.checked).toBe(report.checked);
  });

  it("never touches another company's records", async () => {
    const a = await newTenant();
    const b = await newTenant();
    expectStatus(await api(b.key, "POST", "/v1/groups", { name: "B", destination_url: "https://b.example/" }), 201);
    const bKey = recordKeys.site(b.hostname);
    await env.LINKS_KV.put(bKey, JSON.stringify({ tampered: true }));
    await reconcileCompany(env, a.companyId);
    expect(await env.LINKS_KV.get(bKey, "json")).toEqual({ tampered: true });
  });
});
