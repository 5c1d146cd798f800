// Resolution order and behaviour when storage fails.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { updateCompanySettings } from "../../src/companies/service";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { recordKeys, writeBackKey } from "../../src/redirect/records";
import { type ResolverDeps, resolveRoute, WRITE_BACK_TTL_SECONDS } from "../../src/redirect/resolve";
import { addPartner, createCompanyFixture } from "../helpers/fixtures";
import { failingKv, rejectingDb, throwingDb, throwingKv } from "../helpers/redirect";

function cacheAt(clock: { now: number }) {
  return new IsolateCache({ maxEntries: 100, freshMs: 1_000, missFreshMs: 1_000, now: () => clock.now });
}

describe("resolveRoute", () => {
  it("loads a cold slug with one D1 query, then writes the records back to KV after the response", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    await env.LINKS_KV.delete(recordKeys.slug(companyId, "jane"));
    const prepare = vi.spyOn(env.DB, "prepare");
    const pending: Promise<unknown>[] = [];
    const deps: ResolverDeps = {
      db: env.DB,
      kv: env.LINKS_KV,
      cache: cacheAt({ now: Date.now() }),
      waitUntil: (p) => pending.push(p),
    };
    const route = await resolveRoute(deps, hostname, "jane");
    expect(prepare).toHaveBeenCalledTimes(1);
    prepare.mockRestore();
    expect(route.slug).toMatchObject({ partnerKey: "jane", groupId });
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    // Written beside the admin side's key, with an expiry; a later lookup finds it there.
    const key = recordKeys.slug(companyId, "jane");
    expect(await env.LINKS_KV.get(writeBackKey(key), "json")).toEqual(route.slug);
    expect(await env.LINKS_KV.get(key)).toBeNull();
    const [listed] = (await env.LINKS_KV.list({ prefix: writeBackKey(key) })).keys;
    expect(listed!.expiration! * 1000 - Date.now()).toBeLessThanOrEqual(WRITE_BACK_TTL_SECONDS * 1000);
    const again = await resolveRoute(
      { ...deps, db: throwingDb, cache: cacheAt({ now: Date.now() }) },
      hostname,
      "jane",
    );
    expect(again.slug).toEqual(route.slug);
  });

  it(`never replaces a record the admin side published: a write-back goes beside it, \
and publishing clears it`, async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: "https://acme.example/old" });
    await addPartner(companyId, groupId, "jane");
    const siteKey = recordKeys.site(hostname);
    // This location's KV has not seen the site record yet: its reads miss.
    const notPropagated = {
      get: (key: string, options: unknown) =>
        key === siteKey ? Promise.resolve(null) : env.LINKS_KV.get(key, options as "json"),
      put: (key: string, value: string, options: KVNamespacePutOptions) => env.LINKS_KV.put(key, value, options),
    } as unknown as KVNamespace;
    const pending: Promise<unknown>[] = [];
    await resolveRoute(
      { db: env.DB, kv: notPropagated, cache: cacheAt({ now: Date.now() }), waitUntil: (p) => pending.push(p) },
      hostname,
      "jane",
    );
    await Promise.all(pending);

    const keys = (await env.LINKS_KV.list({ prefix: siteKey })).keys;
    expect(keys.map((k) => k.name)).toEqual([siteKey]);
    expect(keys[0]!.expiration).toBeUndefined(); // still the admin's record, not an expiring copy
    expect(await env.LINKS_KV.get(writeBackKey(siteKey), "json")).toMatchObject({
      company: { fallbackUrl: "https://acme.example/old" },
    });

    await updateCompanySettings(env, companyId, { fallbackUrl: "https://acme.example/new" });
    expect(await env.LINKS_KV.get(writeBackKey(siteKey))).toBeNull();
    expect(await env.LINKS_KV.get(siteKey, "json")).toMatchObject({
      company: { fallbackUrl: "https://acme.example/new" },
    });
  });

  it("answers from the isolate cache without touching KV or D1 while fresh", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const clock = { now: Date.now() };
    const cache = cacheAt(clock);
    await resolveRoute({ db: env.DB, kv: env.LINKS_KV, cache, waitUntil: () => {} }, hostname, "jane");
    const route = await resolveRoute({ db: throwingDb, kv: failingKv, cache, waitUntil: () => {} }, hostname, "jane");
    expect(route.slug?.partnerKey).toBe("jane");
  });

  it("serves stale cached records when KV and D1 both fail", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const clock = { now: Date.now() };
    const cache = cacheAt(clock);
    await resolveRoute({ db: env.DB, kv: env.LINKS_KV, cache, waitUntil: () => {} }, hostname, "jane");
    clock.now += 60_000; // long past fresh
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const route = await resolveRoute({ db: throwingDb, kv: failingKv, cache, waitUntil: () => {} }, hostname, "jane");
    errors.mockRestore();
    expect(route.site?.companyId).toBe(companyId);
    expect(route.slug?.partnerKey).toBe("jane");
    expect(route.group?.links).toHaveLength(1);
  });

  it("returns nothing, rather than throwing, when storage fails and nothing is cached", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const route = await resolveRoute(
      { db: throwingDb, kv: failingKv, cache: cacheAt({ now: Date.now() }), waitUntil: () => {} },
      "any.test",
      "jane",
    );
    errors.mockRestore();
    expect(route).toEqual({ site: null, slug: null, group: null });
  });

  it("falls back to KV when D1 fails on a cold isolate", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    // Records are in KV from the services' write-through; D1 is down.
    const route = await resolveRoute(
      { db: throwingDb, kv: env.LINKS_KV, cache: cacheAt({ now: Date.now() }), waitUntil: () => {} },
      hostname,
      "jane",
    );
    expect(route.slug?.partnerKey).toBe("jane");
    expect(route.group?.id).toBe(groupId);
  });
});

describe("edge under storage failure", () => {
  const clock = { now: Date.now() };
  async function fetchWith(
    app: ReturnType<typeof createEdgeApp>,
    url: string,
    stores: { DB?: D1Database; LINKS_KV?: KVNamespace },
  ) {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(url), { ...env, ...stores }, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }
  const edgeApp = () => createEdgeApp({ cache: cacheAt(clock), clickSink: () => ({ send: async () => undefined }) });

  it("sends a slug no cache knows to the company's fallback URL while D1 is down", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      fallbackUrl: "https://acme.example/partners",
    });
    await addPartner(companyId, groupId, "jane");
    await env.LINKS_KV.delete(recordKeys.slug(companyId, "jane")); // only D1 knows the slug now
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await fetchWith(edgeApp(), `https://${hostname}/jane`, { DB: rejectingDb });
    errors.mockRestore();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://acme.example/partners");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("keeps redirecting from stale isolate entries when KV and D1 both fail", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/landing",
    });
    await addPartner(companyId, groupId, "jane");
    const app = edgeApp();
    expect((await fetchWith(app, `https://${hostname}/jane`, {})).status).toBe(302); // warms this isolate
    clock.now += 60_000; // every entry is now past its freshness
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await fetchWith(app, `https://${hostname}/jane`, { DB: rejectingDb, LINKS_KV: failingKv });
    errors.mockRestore();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(
      /^https:\/\/dest\.example\/landing\?ps_xid=[0-9a-z]+&ps_partner_key=jane$/,
    );
  });

  it("shows the 404 page, never a 5xx, when nothing answers (rejecting or throwing storage)", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      fallbackUrl: "https://acme.example/partners",
    });
    await addPartner(companyId, groupId, "jane");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const down = await fetchWith(edgeApp(), `https://${hostname}/jane`, { DB: rejectingDb, LINKS_KV: failingKv });
    const throwing = await fetchWith(edgeApp(), `https://${hostname}/jane`, { DB: throwingDb, LINKS_KV: throwingKv });
    errors.mockRestore();
    for (const response of [down, throwing]) {
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await response.text()).toContain("Link not found");
    }
  });
});

describe("edge reads from KV", () => {
  it("passes cacheTtl: 30 (KV's edge cache, Cloudflare's minimum) on every read of a redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const get = vi.fn((key: string, options?: unknown) =>
      env.LINKS_KV.get(key, options as KVNamespaceGetOptions<"json">),
    );
    const put = vi.fn(async () => undefined);
    const spyKv = { get, put } as unknown as KVNamespace;
    const app = createEdgeApp({
      cache: cacheAt({ now: Date.now() }),
      clickSink: () => ({ send: async () => undefined }),
    });
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`https://${hostname}/jane`), { ...env, LINKS_KV: spyKv }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(302);
    // The site and slug records, both found in KV (the admin side wrote them through), in this order.
    expect(get.mock.calls.map(([key]) => key)).toEqual([recordKeys.site(hostname), recordKeys.slug(companyId, "jane")]);
    for (const [key, options] of get.mock.calls) expect(options, key).toEqual({ type: "json", cacheTtl: 30 });
    expect(put).not.toHaveBeenCalled();
  });

  it("reads at most two KV keys in two rounds (README, How it works); one when the site is fresh here", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    await addPartner(companyId, groupId, "john");
    let inFlight = 0;
    const rounds: string[][] = [];
    const get = vi.fn(async (key: string, options?: unknown) => {
      if (inFlight++ === 0) rounds.push([]); // a read issued while none is pending starts a round
      rounds.at(-1)!.push(key);
      try {
        return await env.LINKS_KV.get(key, options as KVNamespaceGetOptions<"json">);
      } finally {
        inFlight--;
      }
    });
    const kv = { get, put: async () => undefined } as unknown as KVNamespace;
    const cache = cacheAt({ now: Date.now() });
    const deps: ResolverDeps = { db: throwingDb, kv, cache, waitUntil: () => {} };

    expect((await resolveRoute(deps, hostname, "jane")).slug?.partnerKey).toBe("jane");
    expect(rounds).toEqual([[recordKeys.site(hostname)], [recordKeys.slug(companyId, "jane")]]);

    rounds.length = 0;
    expect((await resolveRoute(deps, hostname, "john")).slug?.partnerKey).toBe("john");
    expect(rounds).toEqual([[recordKeys.slug(companyId, "john")]]);
  });
});
