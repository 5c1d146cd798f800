// Resolution order and behaviour when storage fails.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { recordKeys } from "../../src/redirect/records";
import { resolveRoute, type ResolverDeps } from "../../src/redirect/resolve";
import { addPartner, createCompanyFixture, edgeFetch } from "../helpers/fixtures";

const failingDb = {
  prepare: () => {
    throw new Error("D1 unavailable");
  },
} as unknown as D1Database;
const failingKv = {
  get: async () => {
    throw new Error("KV unavailable");
  },
  put: async () => {
    throw new Error("KV unavailable");
  },
} as unknown as KVNamespace;

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
    const deps: ResolverDeps = { db: env.DB, kv: env.LINKS_KV, cache: cacheAt({ now: Date.now() }), waitUntil: (p) => pending.push(p) };
    const route = await resolveRoute(deps, hostname, "jane");
    expect(prepare).toHaveBeenCalledTimes(1);
    prepare.mockRestore();
    expect(route.slug).toMatchObject({ partnerKey: "jane", groupId });
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(await env.LINKS_KV.get(recordKeys.slug(companyId, "jane"), "json")).toEqual(route.slug);
  });

  it("answers from the isolate cache without touching KV or D1 while fresh", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const clock = { now: Date.now() };
    const cache = cacheAt(clock);
    await resolveRoute({ db: env.DB, kv: env.LINKS_KV, cache, waitUntil: () => {} }, hostname, "jane");
    const route = await resolveRoute({ db: failingDb, kv: failingKv, cache, waitUntil: () => {} }, hostname, "jane");
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
    const route = await resolveRoute({ db: failingDb, kv: failingKv, cache, waitUntil: () => {} }, hostname, "jane");
    errors.mockRestore();
    expect(route.host?.companyId).toBe(companyId);
    expect(route.slug?.partnerKey).toBe("jane");
    expect(route.group?.links).toHaveLength(1);
  });

  it("returns nothing, rather than throwing, when storage fails and nothing is cached", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const route = await resolveRoute(
      { db: failingDb, kv: failingKv, cache: cacheAt({ now: Date.now() }), waitUntil: () => {} },
      "any.test",
      "jane",
    );
    errors.mockRestore();
    expect(route).toEqual({ host: null, company: null, slug: null, group: null });
  });

  it("falls back to KV when D1 fails on a cold isolate", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    // Records are in KV from the services' write-through; D1 is down.
    const route = await resolveRoute(
      { db: failingDb, kv: env.LINKS_KV, cache: cacheAt({ now: Date.now() }), waitUntil: () => {} },
      hostname,
      "jane",
    );
    expect(route.slug?.partnerKey).toBe("jane");
    expect(route.group?.id).toBe(groupId);
  });
});

describe("edge under storage failure", () => {
  it("never answers 5xx: a throwing handler still shows the 404 page", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await edgeFetch("https://broken.test/jane", { headers: { host: "broken.test" } });
    errors.mockRestore();
    expect(response.status).toBe(404);
    await response.text();
  });
});
