// Security of the edge surface (partner-link redirects on link domains): a hostname serves only its
// own company's links, whatever the slug, the Host-like headers or the hostname's spelling; an
// unknown, removed or merely claimed hostname serves nothing of anyone; the visitor's query and
// cookies cannot carry another company's tracking values into a redirect, a cookie or a click;
// odd methods and paths never give a 5xx. Every request records the click events it emits.
// Not repeated here: open redirects over arbitrary paths and queries (property in
// test/redirect/security.test.ts) and the query layering (properties in destination.test.ts).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/api-keys/service";
import type { ClickEvent } from "../../src/clicks/event";
import { removeLinkDomain } from "../../src/link-domains/service";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache, isolateCache } from "../../src/redirect/isolate-cache";
import { api, expectStatus } from "../helpers/admin";
import { addPartner, BROWSER_UA, createCompanyFixture, createDefaultLink } from "../helpers/fixtures";
import { parseSetCookie } from "../helpers/redirect";
import { clientIp } from "../helpers/tenancy";

const A_DEST = "https://a-shop.example/landing";
const A_FALLBACK = "https://a-shop.example/partners";
const B_DEST = "https://b-shop.example/landing";
const B_FALLBACK = "https://b-shop.example/partners";
const C_DEST = "https://c-shop.example/landing";

/**
 * One request through a fresh edge app (nothing cached from an earlier request), from its own
 * client IP, with the click events it hands to the queue.
 */
async function visit(url: string, init: RequestInit = {}) {
  const clicks: ClickEvent[] = [];
  const app = createEdgeApp({
    cache: new IsolateCache({ maxEntries: 100, freshMs: 1_000, missFreshMs: 1_000 }),
    clickSink: () => ({ send: async (event: ClickEvent) => clicks.push(event) }),
  });
  const headers = new Headers(init.headers);
  if (!headers.has("user-agent")) headers.set("user-agent", BROWSER_UA);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp());
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(url, { ...init, headers, redirect: "manual" }), env, ctx);
  await waitOnExecutionContext(ctx);
  const body = await response.text();
  return {
    status: response.status,
    body,
    clicks,
    location: response.headers.get("location"),
    cookie: response.headers.get("set-cookie"),
  };
}
type Visit = Awaited<ReturnType<typeof visit>>;

/** Nothing of company B's: not its destination or fallback, no cookie, no click. */
function expectNothingOfB(v: Visit, label: string) {
  expect(v.status, label).toBeLessThan(500);
  expect(v.location?.startsWith("https://b-shop.example/") ?? false, `${label} → ${v.location}`).toBe(false);
  expect(v.cookie, label).toBeNull();
  expect(v.clicks, label).toEqual([]);
}

/** The 404 page: no redirect, no cookie, no click. */
function expectServesNothing(v: Visit, label: string, method = "GET") {
  expect(v.status, label).toBe(404);
  expect(v.location, label).toBeNull();
  expect(v.cookie, label).toBeNull();
  expect(v.clicks, label).toEqual([]);
  if (method === "GET") expect(v.body, label).toContain("Link not found");
}

/** A counted redirect to `destination` for the given company and partner. */
function expectServedBy(
  v: Visit,
  destination: string,
  owner: { companyId: string; partnerId: string; partnerKey: string },
  label: string,
) {
  expect(v.status, label).toBe(302);
  expect(v.location?.startsWith(`${destination}?`), `${label} → ${v.location}`).toBe(true);
  expect(
    v.clicks.map((c) => [c.companyId, c.partnerId]),
    label,
  ).toEqual([[owner.companyId, owner.partnerId]]);
  expect(parseSetCookie(v.cookie!).value, label).toBe(`${v.clicks[0]!.clickId}.${owner.partnerKey}`);
}

const n = crypto.randomUUID().slice(0, 6);
const alphaKey = `alpha-${n}`;
const bravoKey = `bravo-${n}`;
const sharedKey = `shared-${n}`;
let a: Awaited<ReturnType<typeof createCompanyFixture>>;
let b: Awaited<ReturnType<typeof createCompanyFixture>>;
let c: Awaited<ReturnType<typeof createCompanyFixture>>;
const partners: Record<string, { companyId: string; partnerId: string; partnerKey: string }> = {};

beforeAll(async () => {
  a = await createCompanyFixture({ destinationUrl: A_DEST, fallbackUrl: A_FALLBACK });
  // B renames its tracking parameters: its names are plain parameters anywhere else.
  b = await createCompanyFixture({
    destinationUrl: B_DEST,
    fallbackUrl: B_FALLBACK,
    clickIdParam: "bxid",
    partnerKeyParam: "bref",
  });
  c = await createCompanyFixture({ destinationUrl: C_DEST }); // no fallback: unknown slugs get the 404 page
  await createDefaultLink(env, b.companyId, b.groupId, {
    title: "Pricing",
    destinationUrl: `${B_DEST}/pricing`,
    linkText: "pricing",
  });
  for (const [name, fixture, key] of [
    ["alpha", a, alphaKey],
    ["bravo", b, bravoKey],
    ["sharedA", a, sharedKey],
    ["sharedB", b, sharedKey],
  ] as const) {
    const partner = await addPartner(fixture.companyId, fixture.groupId, key);
    partners[name] = { companyId: fixture.companyId, partnerId: partner.id, partnerKey: key };
  }
});

describe("a hostname serves only its own company's links", () => {
  it("B's slugs work on B's hostname (so the refusals below are about the hostname)", async () => {
    expectServedBy(await visit(`https://${b.hostname}/${bravoKey}`), B_DEST, partners.bravo!, "B's key");
    expectServedBy(
      await visit(`https://${b.hostname}/${bravoKey}--pricing`),
      `${B_DEST}/pricing`,
      partners.bravo!,
      "B's link",
    );
  });

  const bSlugs = () => [
    bravoKey,
    bravoKey.toUpperCase(),
    `${bravoKey}/`,
    `${bravoKey}--pricing`,
    `${bravoKey.toUpperCase()}--PRICING`,
  ];

  it("B's slugs on A's hostname: A's fallback exactly, never B's destination, cookie or click", async () => {
    for (const slug of bSlugs()) {
      for (const method of ["GET", "HEAD"]) {
        const v = await visit(`https://${a.hostname}/${slug}?utm_source=x`, { method });
        expectNothingOfB(v, `${method} ${slug}`);
        expect(v.status, `${method} ${slug}`).toBe(302);
        expect(v.location, `${method} ${slug}`).toBe(A_FALLBACK);
      }
    }
  });

  it("B's slugs on C's hostname (no fallback): the 404 page", async () => {
    for (const slug of bSlugs()) {
      for (const method of ["GET", "HEAD"])
        expectServesNothing(await visit(`https://${c.hostname}/${slug}`, { method }), `${method} ${slug}`, method);
    }
  });

  it("a partner key both companies use leads to each hostname's own company", async () => {
    expectServedBy(await visit(`https://${a.hostname}/${sharedKey}`), A_DEST, partners.sharedA!, "on A");
    expectServedBy(await visit(`https://${b.hostname}/${sharedKey}`), B_DEST, partners.sharedB!, "on B");
  });

  it("Host-like headers cannot pick another company's hostname", async () => {
    for (const header of ["host", "x-forwarded-host", "x-original-host", "x-host", "forwarded"]) {
      const value = header === "forwarded" ? `host=${b.hostname}` : b.hostname;
      const v = await visit(`https://${a.hostname}/${bravoKey}`, { headers: { [header]: value } });
      expectNothingOfB(v, header);
      expect(v.location, header).toBe(A_FALLBACK);
    }
  });

  it("other spellings of A's hostname never reach B", async () => {
    const urls = [
      `https://${a.hostname.toUpperCase()}/${bravoKey}`,
      `https://${a.hostname}./${bravoKey}`,
      `https://${a.hostname}:8443/${bravoKey}`,
      `http://${a.hostname}/${bravoKey}`,
      `https://www.${a.hostname}/${bravoKey}`,
      `https://${a.hostname}.${b.hostname}/${bravoKey}`,
      `https://${b.hostname.split(".")[0]}.${a.hostname}/${bravoKey}`,
    ];
    for (const url of urls) expectNothingOfB(await visit(url), url);
  });
});

describe("a hostname no company owns serves nothing", () => {
  it("an unknown hostname: the 404 page, even for slugs that exist on other hostnames", async () => {
    const unknown = `unknown-${crypto.randomUUID().slice(0, 8)}.test`;
    for (const slug of [alphaKey, bravoKey, sharedKey, `${bravoKey}--pricing`]) {
      for (const method of ["GET", "HEAD"])
        expectServesNothing(await visit(`https://${unknown}/${slug}`, { method }), `${method} ${slug}`, method);
    }
  });

  it("a removed link domain: the 404 page at once", async () => {
    const d = await createCompanyFixture({ destinationUrl: "https://d-shop.example/" });
    await addPartner(d.companyId, d.groupId, "delta");
    expect((await visit(`https://${d.hostname}/delta`)).status).toBe(302);
    const domain = await env.DB.prepare("SELECT id FROM link_domains WHERE hostname = ?")
      .bind(d.hostname)
      .first<{ id: string }>();
    await removeLinkDomain(env, d.companyId, domain!.id);
    expectServesNothing(await visit(`https://${d.hostname}/delta`), "removed");
  });

  it("a company claiming another's hostname through the API never takes its traffic", async () => {
    const { secret } = await createApiKey(env, a.companyId, { name: "claim" });
    const claim = await api(secret, "POST", "/v1/link-domains", { hostname: b.hostname, cookie_domain: b.hostname });
    // B verified first, so the claim is refused (409 hostname-taken); a pending claim would do no better.
    expectStatus(claim, 409);
    expectServedBy(await visit(`https://${b.hostname}/${bravoKey}`), B_DEST, partners.bravo!, "B's own slug");
    // Also when the edge must ask D1 (the host record is not in KV): B's row is the verified one.
    await env.LINKS_KV.delete(`v1:host:${b.hostname}`);
    isolateCache.clear();
    expectServedBy(await visit(`https://${b.hostname}/${bravoKey}`), B_DEST, partners.bravo!, "B's own slug, from D1");
    const aSlug = await visit(`https://${b.hostname}/${alphaKey}`);
    expect(aSlug.location, "A's slug on B's hostname").toBe(B_FALLBACK);
    expect(aSlug.clicks).toEqual([]);
    expect(aSlug.cookie).toBeNull();
  });
});

describe("the visitor cannot bring another company's tracking values", () => {
  it("tracking params and cookies in the request never reach the Location, the cookie or the click", async () => {
    const bClickId = "01jd3k5qv0r8t2x7m9c4b6n1pz";
    const forged = [
      `ps_xid=${bClickId}`,
      `PS_XID=${bClickId}`,
      `ps%5Fxid=${bClickId}`,
      `ps_partner_key=${bravoKey}`,
      `Ps_Partner_Key=${bravoKey}`,
      `bxid=${bClickId}`,
      `bref=${bravoKey}`,
      `BXID=${bClickId}`,
      `bref=${alphaKey}`,
    ].join("&");
    const cookie = `edgeref_ref=${bClickId}.${bravoKey}; edgeref_ref=${bClickId}.${alphaKey}`;
    const cases = [
      {
        host: a.hostname,
        slug: alphaKey,
        owner: partners.alpha!,
        destination: A_DEST,
        params: ["ps_xid", "ps_partner_key"],
      },
      { host: b.hostname, slug: bravoKey, owner: partners.bravo!, destination: B_DEST, params: ["bxid", "bref"] },
    ];
    for (const { host, slug, owner, destination, params } of cases) {
      const v = await visit(`https://${host}/${slug}?${forged}`, { headers: { cookie } });
      expectServedBy(v, destination, owner, host);
      const location = new URL(v.location!);
      const [clickIdParam, partnerKeyParam] = params as [string, string];
      const named = (name: string) => [...location.searchParams.keys()].filter((key) => key.toLowerCase() === name);
      expect(named(clickIdParam), host).toEqual([clickIdParam]);
      expect(named(partnerKeyParam), host).toEqual([partnerKeyParam]);
      expect(location.searchParams.get(clickIdParam), host).toBe(v.clicks[0]!.clickId);
      expect(location.searchParams.get(partnerKeyParam), host).toBe(owner.partnerKey);
      expect(v.clicks[0]!.clickId, host).not.toBe(bClickId);
    }
  });
});

describe("odd requests", () => {
  it("no method, path or hostname gives a 5xx or anything of B's", async () => {
    const unknown = `unknown-${crypto.randomUUID().slice(0, 8)}.test`;
    const paths = [
      "/",
      `/${bravoKey}`,
      `/${bravoKey}/x`,
      `/${bravoKey}--pricing`,
      "/robots.txt",
      "/favicon.ico",
      "/%",
      "/%%32%65",
      "//",
      "/..",
      "/.%2e/",
      `/%2F${b.hostname}`,
      `/${bravoKey}?${"q=1&".repeat(2000)}`,
      `/${"a".repeat(5000)}`,
    ];
    for (const host of [a.hostname, c.hostname, unknown]) {
      for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
        for (const path of paths) {
          const label = `${method} ${host}${path.slice(0, 60)}`;
          const withBody = !["GET", "HEAD", "OPTIONS"].includes(method);
          const v = await visit(`https://${host}${path}`, {
            method,
            ...(withBody ? { body: `{"slug":"${bravoKey}"}` } : {}),
          });
          expectNothingOfB(v, label);
          if (!["GET", "HEAD"].includes(method)) expect(v.location, label).toBeNull();
        }
      }
    }
  });

  it("odd headers (huge cookie, bad IP, no user agent, bad referer) never give a 5xx", async () => {
    const headerSets: Record<string, string>[] = [
      { cookie: `edgeref_ref=${"x".repeat(16_000)}` },
      { "cf-connecting-ip": "not-an-ip" },
      { "cf-connecting-ip": "" },
      { "user-agent": "" },
      { referer: "::::not a url" },
      { referer: `https://${b.hostname}/${bravoKey}` },
      { "accept-language": "\u00ff".repeat(100) },
    ];
    for (const headers of headerSets) {
      const label = JSON.stringify(headers).slice(0, 80);
      const v = await visit(`https://${a.hostname}/${alphaKey}`, { headers });
      expect(v.status, label).toBe(302);
      expect(v.location?.startsWith(`${A_DEST}?`), label).toBe(true);
      expect(
        v.clicks.map((click) => click.companyId),
        label,
      ).toEqual([a.companyId]);
    }
  });
});
