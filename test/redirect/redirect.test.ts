// The redirect as a customer's browser sees it: status, exact Location, cookie, headers.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  addPartner,
  addVerifiedLinkDomain,
  createCompanyFixture,
  createDefaultLink,
  edgeFetch,
} from "../helpers/fixtures";
import { locationOf, parseSetCookie } from "../helpers/redirect";

/** 26 characters of lower-case Crockford base32. */
const CLICK_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;
const DAY_SECONDS = 86_400;

async function setup(options: Parameters<typeof createCompanyFixture>[0] = {}) {
  const fixture = await createCompanyFixture({
    destinationUrl: "https://dest.example/signup?plan=trial",
    utmParams: [
      ["utm_source", "partner"],
      ["utm_campaign", "{partner_key}"],
    ],
    ...options,
  });
  const partner = await addPartner(fixture.companyId, fixture.groupId, "jane-doe");
  return { ...fixture, partner };
}

/** The single tracking cookie of a redirect, with the click id and partner key it carries. */
function trackingCookieOf(response: Response) {
  const headers = response.headers.getAll("Set-Cookie");
  expect(headers).toHaveLength(1);
  const cookie = parseSetCookie(headers[0]!);
  expect(cookie.name).toBe("edgeref_ref");
  const dot = cookie.value.indexOf(".");
  return { ...cookie, raw: headers[0]!, clickId: cookie.value.slice(0, dot), partnerKey: cookie.value.slice(dot + 1) };
}

const expectedLocation = (clickId: string) =>
  "https://dest.example/signup?plan=trial&utm_source=partner&utm_campaign=jane-doe" +
  `&ps_xid=${clickId}&ps_partner_key=jane-doe`;

describe("redirect: status, Location and headers", () => {
  it("answers 302 with the exact destination (own query, link UTMs, tracking last) and an empty body", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    expect(response.status).toBe(302);
    const { clickId } = trackingCookieOf(response);
    expect(clickId).toMatch(CLICK_ID);
    expect(locationOf(response)).toBe(expectedLocation(clickId));
    expect(await response.text()).toBe("");
  });

  it("sends Cache-Control: private, no-store, X-Robots-Tag: noindex and a strict-origin referrer policy", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    await response.text();
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("x-robots-tag")).toBe("noindex");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("answers HEAD with the same 302, headers and cookie, without a body", async () => {
    const { hostname } = await setup();
    const get = await edgeFetch(`https://${hostname}/jane-doe`);
    await get.text();
    const head = await edgeFetch(`https://${hostname}/jane-doe`, { method: "HEAD" });
    expect(head.status).toBe(302);
    expect(await head.text()).toBe("");
    const cookie = trackingCookieOf(head);
    expect(locationOf(head)).toBe(expectedLocation(cookie.clickId));
    for (const name of ["cache-control", "x-robots-tag", "referrer-policy"]) {
      expect(head.headers.get(name), name).toBe(get.headers.get(name));
    }
    // Same cookie attributes as the GET, only the click id differs.
    expect(cookie.raw.replace(cookie.clickId, "X")).toBe(
      trackingCookieOf(get).raw.replace(trackingCookieOf(get).clickId, "X"),
    );
  });

  it("matches slugs case-insensitively and accepts a trailing slash", async () => {
    const { hostname } = await setup();
    for (const path of ["/Jane-Doe", "/JANE-DOE", "/JANE-DOE/", "/jane-doe/", "/jAnE-dOe/?"]) {
      const response = await edgeFetch(`https://${hostname}${path}`);
      await response.text();
      expect(response.status, path).toBe(302);
      const { clickId, partnerKey } = trackingCookieOf(response);
      expect(partnerKey, path).toBe("jane-doe");
      expect(locationOf(response), path).toBe(expectedLocation(clickId));
    }
  });

  it("sends a default link's slug (`key--text`, any case) to that link, with its own UTMs and fragment", async () => {
    const { hostname, companyId, groupId } = await setup();
    await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing#plans",
      utmParams: [["utm_content", "pricing-{partner_key}"]],
      linkText: "pricing",
    });
    for (const slug of ["jane-doe--pricing", "Jane-Doe--PRICING"]) {
      const response = await edgeFetch(`https://${hostname}/${slug}`);
      await response.text();
      expect(response.status, slug).toBe(302);
      const { clickId } = trackingCookieOf(response);
      expect(locationOf(response), slug).toBe(
        `https://dest.example/pricing?utm_content=pricing-jane-doe&ps_xid=${clickId}&ps_partner_key=jane-doe#plans`,
      );
    }
  });
});

describe("redirect: the tracking cookie", () => {
  it(`is edgeref_ref=<click id>.<partner key>; 90 days by default, Path=/, SameSite=Lax, Secure, host-only, \
not HttpOnly`, async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    await response.text();
    const cookie = trackingCookieOf(response);
    expect(cookie.raw).toBe(
      `edgeref_ref=${cookie.clickId}.jane-doe; Max-Age=${90 * DAY_SECONDS}; Path=/; SameSite=Lax; Secure`,
    );
    expect(cookie.attributes.get("max-age")).toBe("7776000");
    expect(cookie.attributes.get("path")).toBe("/");
    expect(cookie.attributes.get("samesite")).toBe("Lax");
    expect(cookie.attributes.has("secure")).toBe(true);
    expect(cookie.attributes.has("domain")).toBe(false);
    // Documented choice: the merchant's front-end reads the click id from it.
    expect(cookie.attributes.has("httponly")).toBe(false);
    expect(cookie.attributes.has("expires")).toBe(false);
  });

  it("carries the same click id as the Location, and a new one on every request", async () => {
    const { hostname } = await setup();
    const seen = new Set<string>();
    let previous = "";
    for (let i = 0; i < 5; i++) {
      const response = await edgeFetch(
        `https://${hostname}/jane-doe`,
        previous ? { headers: { cookie: `edgeref_ref=${previous}` } } : {},
      );
      await response.text();
      const cookie = trackingCookieOf(response);
      expect(new URL(locationOf(response)).searchParams.get("ps_xid")).toBe(cookie.clickId);
      expect(new URL(locationOf(response)).searchParams.get("ps_partner_key")).toBe(cookie.partnerKey);
      expect(cookie.attributes.get("max-age")).toBe("7776000"); // refreshed in full every time
      seen.add(cookie.clickId);
      previous = cookie.value;
    }
    expect(seen.size).toBe(5);
  });

  it("lasts the company's configured attribution window", async () => {
    for (const days of [1, 30, 365]) {
      const { hostname } = await setup({ attributionWindowDays: days });
      const response = await edgeFetch(`https://${hostname}/jane-doe`);
      await response.text();
      expect(trackingCookieOf(response).attributes.get("max-age"), `${days} days`).toBe(String(days * DAY_SECONDS));
    }
  });

  it("uses the link domain's cookie domain when one is set, and is host-only otherwise", async () => {
    const parent = `${crypto.randomUUID().slice(0, 8)}.example`;
    const { hostname, companyId } = await setup({
      hostname: `try.${parent}`,
      cookieDomain: parent,
      attributionWindowDays: 30,
    });
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    await response.text();
    const cookie = trackingCookieOf(response);
    expect(cookie.raw).toBe(
      `edgeref_ref=${cookie.clickId}.jane-doe; Max-Age=2592000; Path=/; SameSite=Lax; Domain=${parent}; Secure`,
    );

    // A second hostname of the same company: one whose cookie domain is itself, one with none.
    const self = `go.${crypto.randomUUID().slice(0, 8)}.example`;
    await addVerifiedLinkDomain(companyId, { hostname: self, cookieDomain: self });
    const onSelf = await edgeFetch(`https://${self}/jane-doe`);
    await onSelf.text();
    expect(trackingCookieOf(onSelf).attributes.get("domain")).toBe(self);

    const bare = `${crypto.randomUUID().slice(0, 8)}.test`;
    await addVerifiedLinkDomain(companyId, { hostname: bare });
    const hostOnly = await edgeFetch(`https://${bare}/jane-doe`);
    await hostOnly.text();
    expect(hostOnly.status).toBe(302);
    expect(trackingCookieOf(hostOnly).attributes.has("domain")).toBe(false);
  });

  it("is Secure on https and on plain http to any host but localhost", async () => {
    const { hostname } = await setup();
    for (const origin of [`https://${hostname}`, `http://${hostname}`, `http://${hostname}:8080`]) {
      const response = await edgeFetch(`${origin}/jane-doe`);
      await response.text();
      expect(response.status, origin).toBe(302);
      const cookie = trackingCookieOf(response);
      expect(cookie.raw, origin).toBe(
        `edgeref_ref=${cookie.clickId}.jane-doe; Max-Age=7776000; Path=/; SameSite=Lax; Secure`,
      );
    }
  });

  it("drops Secure only on plain-http localhost (any port), keeps it on https://localhost", async () => {
    // The only `localhost` link domain in this file (storage is per file, hostnames are unique).
    await setup({ hostname: "localhost" });
    for (const [origin, secure] of [
      ["http://localhost", false],
      ["http://localhost:8787", false],
      ["https://localhost", true],
    ] as const) {
      const response = await edgeFetch(`${origin}/jane-doe`);
      await response.text();
      expect(response.status, origin).toBe(302);
      const cookie = trackingCookieOf(response);
      expect(cookie.raw, origin).toBe(
        `edgeref_ref=${cookie.clickId}.jane-doe; Max-Age=7776000; Path=/; SameSite=Lax${secure ? "; Secure" : ""}`,
      );
    }
  });
});
