// Unknown slugs and hosts are cheap: no D1 query once an isolate is warm, remembered across
// isolates, and an IP that keeps missing is answered without storage at all. Real links never suffer.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createGroup } from "../../src/groups/service";
import { LimitedClients } from "../../src/lib/limited-clients";
import { updatePartner } from "../../src/partners/service";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { recordKeys, writeBackKey } from "../../src/redirect/records";
import { UNKNOWN_HOST_TTL_SECONDS } from "../../src/redirect/resolve";
import { loadSlugsVersion, SlugFilter, slugFilterKey } from "../../src/redirect/slug-filter";
import { SLUG_FILTER_CONFIRM_MS, SlugFilterCache } from "../../src/redirect/slug-filter-cache";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch } from "../helpers/fixtures";
import { countingDb, locationOf, recordingStorage } from "../helpers/redirect";

const DESTINATION = "https://dest.example/landing";
const FALLBACK = "https://fallback.example/";
/** EDGE_MISS_LIMITER's limit (wrangler.toml and vitest.config.ts). */
const MISS_LIMIT = 100;

/** A fresh edge isolate on a clock the test moves: its own record cache, slug filters and limited IPs. */
function isolate(clock: { now: number }) {
  const now = () => clock.now;
  const limitedClients = new LimitedClients(60_000, 10_000, now);
  const app = createEdgeApp({
    cache: new IsolateCache({ maxEntries: 10_000, freshMs: 15_000, missFreshMs: 5_000, now }),
    slugFilters: new SlugFilterCache({ now }),
    limitedClients,
    clickSink: () => ({ send: async () => undefined }),
  });
  return { app, limitedClients };
}

async function get(
  app: ReturnType<typeof createEdgeApp>,
  url: string,
  options: { stores?: { DB?: D1Database; LINKS_KV?: KVNamespace }; ip?: string } = {},
) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = options.ip ? { "cf-connecting-ip": options.ip } : {};
  const response = await app.fetch(new Request(url, { headers }), { ...env, ...options.stores }, ctx);
  await waitOnExecutionContext(ctx);
  await response.text();
  return response;
}

const randomSlug = () => `r${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const randomIp = () => `2001:db8::${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;

async function companyWithPartners(...keys: string[]) {
  const fixture = await createCompanyFixture({ destinationUrl: DESTINATION, fallbackUrl: FALLBACK });
  for (const key of keys) await addPartner(fixture.companyId, fixture.groupId, key);
  return fixture;
}

async function companySlugs(companyId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT slug FROM partner_links WHERE company_id = ?")
    .bind(companyId)
    .all<{ slug: string }>();
  return results.map((row) => row.slug);
}

async function filterInKv(companyId: string) {
  return SlugFilter.decode(await env.LINKS_KV.get(slugFilterKey(companyId), "arrayBuffer"));
}

describe("unknown slugs after warm-up", () => {
  it("cost no D1 query: the company's slug filter answers them, real links still redirect", async () => {
    const { hostname } = await companyWithPartners("jane-doe");
    const clock = { now: Date.now() };
    const { app } = isolate(clock);
    const d1 = countingDb(env.DB);
    // Warm-up: the first unknown slug loads host, company and filter, and confirms its version.
    expect(locationOf(await get(app, `https://${hostname}/${randomSlug()}`, { stores: { DB: d1.db } }))).toBe(FALLBACK);
    const afterWarmUp = d1.queries.length;

    for (let i = 0; i < 200; i++) {
      const response = await get(app, `https://${hostname}/${randomSlug()}`, { stores: { DB: d1.db } });
      expect(response.status).toBe(302);
      expect(locationOf(response)).toBe(FALLBACK);
    }
    expect(d1.queries.slice(afterWarmUp)).toEqual([]);

    // Past the confirmation window, one small read confirms the version again, then none.
    clock.now += SLUG_FILTER_CONFIRM_MS + 1;
    for (let i = 0; i < 20; i++) await get(app, `https://${hostname}/${randomSlug()}`, { stores: { DB: d1.db } });
    expect(d1.queries.slice(afterWarmUp)).toEqual(["SELECT slugs_version AS version FROM companies WHERE id = ?"]);

    const real = await get(app, `https://${hostname}/jane-doe`, { stores: { DB: d1.db } });
    expect(real.status).toBe(302);
    expect(locationOf(real).startsWith(`${DESTINATION}?`)).toBe(true);
  });

  it(`new partners, moves and new default links keep the filter in KV current, \
and their slugs resolve at once`, async () => {
    const { hostname, companyId, groupId } = await companyWithPartners("jane-doe");
    // The shared isolate has the company's filter loaded and confirmed.
    const miss = await edgeFetch(`https://${hostname}/${randomSlug()}`);
    await miss.text();
    expect(locationOf(miss)).toBe(FALLBACK);

    await addPartner(companyId, groupId, "new-partner");
    await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing",
      linkText: "pricing",
    });
    const other = await createGroup(env, companyId, {
      name: "Resellers",
      destinationUrl: "https://dest.example/resellers",
    });
    await createDefaultLink(env, companyId, other.id, {
      title: "Demo",
      destinationUrl: "https://dest.example/demo",
      linkText: "demo",
    });
    const mover = await addPartner(companyId, groupId, "mover");
    await updatePartner(env, companyId, mover.id, { groupId: other.id }); // gains mover--demo

    for (const [slug, destination] of [
      ["new-partner", DESTINATION],
      ["jane-doe--pricing", "https://dest.example/pricing"],
      ["new-partner--pricing", "https://dest.example/pricing"],
      ["mover--demo", "https://dest.example/demo"],
    ]) {
      const response = await edgeFetch(`https://${hostname}/${slug}`);
      await response.text();
      expect(response.status, slug).toBe(302);
      expect(locationOf(response).startsWith(`${destination}?`), slug).toBe(true);
    }

    const filter = await filterInKv(companyId);
    expect(filter?.version).toBe(await loadSlugsVersion(env.DB, companyId));
    const slugs = await companySlugs(companyId);
    expect(slugs).toContain("mover--demo");
    for (const slug of slugs) expect(filter!.has(slug), slug).toBe(true);
  });

  it("a stale filter never hides a real slug: D1's version says it is behind, and the edge asks D1", async () => {
    const { hostname, companyId, groupId } = await companyWithPartners("jane-doe");
    const clock = { now: Date.now() };
    const { app } = isolate(clock); // another isolate: the admin side cannot drop its cache
    await get(app, `https://${hostname}/${randomSlug()}`); // filter loaded and confirmed here
    const staleFilter = await filterInKv(companyId);

    // The filter's publish fails (KV down for that key): the new link's slugs are only in D1.
    const filterPutFails = new Proxy(env.LINKS_KV, {
      get(target, property) {
        if (property === "put") {
          return (key: string, ...rest: unknown[]) =>
            key.startsWith("v1:slugs:")
              ? Promise.reject(new Error("KV PUT failed: 503"))
              : (target.put as (...args: unknown[]) => Promise<void>).call(target, key, ...rest);
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await createDefaultLink({ ...env, LINKS_KV: filterPutFails }, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing",
      linkText: "pricing",
    });
    errors.mockRestore();
    expect((await filterInKv(companyId))?.version).toBe(staleFilter!.version);
    expect(staleFilter!.has("jane-doe--pricing")).toBe(false);

    // Once this isolate's confirmation is older than the window, it sees the filter is behind.
    clock.now += SLUG_FILTER_CONFIRM_MS + 1;
    const response = await get(app, `https://${hostname}/jane-doe--pricing`);
    expect(response.status).toBe(302);
    expect(locationOf(response).startsWith("https://dest.example/pricing?")).toBe(true);
  });

  it("a slug whose own KV record exists resolves whatever the filter says", async () => {
    const { hostname, companyId } = await companyWithPartners("jane-doe");
    const version = (await loadSlugsVersion(env.DB, companyId))!;
    // A filter that claims to be current but knows no slug at all.
    await env.LINKS_KV.put(slugFilterKey(companyId), SlugFilter.build(version, [], 0).encode());
    const { app } = isolate({ now: Date.now() });
    await get(app, `https://${hostname}/${randomSlug()}`); // that filter is loaded and confirmed
    const d1 = countingDb(env.DB);
    expect(locationOf(await get(app, `https://${hostname}/${randomSlug()}`, { stores: { DB: d1.db } }))).toBe(FALLBACK);
    expect(d1.queries).toEqual([]); // the filter is trusted...
    const response = await get(app, `https://${hostname}/jane-doe`, { stores: { DB: d1.db } });
    expect(response.status).toBe(302); // ...yet a slug with its own KV record is read first
    expect(locationOf(response).startsWith(`${DESTINATION}?`)).toBe(true);
  });
});

describe("unknown hosts", () => {
  it(`are remembered in KV for a minute: another isolate answers them without D1; \
adding the domain clears it`, async () => {
    const hostname = `unknown-${crypto.randomUUID().slice(0, 8)}.test`;
    const clock = { now: Date.now() };
    expect((await get(isolate(clock).app, `https://${hostname}/jane-doe`)).status).toBe(404);

    const key = writeBackKey(recordKeys.site(hostname));
    expect(await env.LINKS_KV.get(key)).toBe("null");
    const [listed] = (await env.LINKS_KV.list({ prefix: key })).keys;
    expect(listed!.expiration! * 1000 - Date.now()).toBeLessThanOrEqual(UNKNOWN_HOST_TTL_SECONDS * 1000);

    const d1 = countingDb(env.DB);
    const again = await get(isolate(clock).app, `https://${hostname}/${randomSlug()}`, { stores: { DB: d1.db } });
    expect(again.status).toBe(404);
    expect(d1.queries).toEqual([]);

    const { companyId, groupId } = await createCompanyFixture({ hostname, destinationUrl: DESTINATION });
    await addPartner(companyId, groupId, "jane-doe");
    expect(await env.LINKS_KV.get(key)).toBeNull();
    expect((await get(isolate(clock).app, `https://${hostname}/jane-doe`)).status).toBe(302);
  });
});

describe("miss limiter (EDGE_MISS_LIMITER, per client IP)", () => {
  it("answers an IP over the limit from the isolate alone; other IPs and real links are unaffected", async () => {
    const { hostname } = await companyWithPartners("jane-doe", "john-roe");
    const clock = { now: Date.now() };
    const { app, limitedClients } = isolate(clock);
    const [limitedIp, otherIp] = [randomIp(), randomIp()];
    expect((await get(app, `https://${hostname}/jane-doe`, { ip: limitedIp })).status).toBe(302);

    let misses = 0;
    // The limiter counts in fixed 60 s windows: if one ends mid-loop, the next fills after 100 more.
    while (!limitedClients.isLimited(limitedIp) && misses < 3 * MISS_LIMIT) {
      expect(locationOf(await get(app, `https://${hostname}/${randomSlug()}`, { ip: limitedIp }))).toBe(FALLBACK);
      misses++;
    }
    expect(limitedClients.isLimited(limitedIp)).toBe(true);
    expect(misses).toBeGreaterThan(MISS_LIMIT);

    // Over the limit: unknown slugs and hosts get the fallback / 404 page with no KV or D1 call.
    for (const url of [`https://${hostname}/${randomSlug()}`, `https://other-${randomSlug()}.test/${randomSlug()}`]) {
      const storage = recordingStorage();
      const response = await get(app, url, { ip: limitedIp, stores: { DB: storage.DB, LINKS_KV: storage.LINKS_KV } });
      expect(storage.calls, url).toEqual([]);
      expect(response.status === 404 || response.headers.get("location") === FALLBACK, url).toBe(true);
    }
    // Its real links still redirect: one cached here (no storage), one the filter says may exist.
    const storage = recordingStorage();
    const cached = await get(app, `https://${hostname}/jane-doe`, {
      ip: limitedIp,
      stores: { DB: storage.DB, LINKS_KV: storage.LINKS_KV },
    });
    expect(storage.calls).toEqual([]);
    expect(locationOf(cached).startsWith(`${DESTINATION}?`)).toBe(true);
    const looked = await get(app, `https://${hostname}/john-roe`, { ip: limitedIp });
    expect(locationOf(looked).startsWith(`${DESTINATION}?`)).toBe(true);

    // Another IP still looks unknown slugs up.
    const other = recordingStorage();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await get(app, `https://${hostname}/${randomSlug()}`, {
      ip: otherIp,
      stores: { DB: other.DB, LINKS_KV: other.LINKS_KV },
    });
    errors.mockRestore();
    expect(other.calls.length).toBeGreaterThan(0);
  });
});
