// The redirect as a customer's browser sees it: status, exact Location, cookie, headers.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addLinkDomain } from "../../src/companies/service";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch } from "../helpers/fixtures";

const CLICK_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;

function clickIdOf(response: Response): string {
  const location = new URL(response.headers.get("location")!);
  return location.searchParams.get("ps_xid")!;
}

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

describe("redirect: happy path", () => {
  it("answers 302 with the exact destination, tracking params last", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    expect(response.status).toBe(302);
    const clickId = clickIdOf(response);
    expect(clickId).toMatch(CLICK_ID);
    expect(response.headers.get("location")).toBe(
      `https://dest.example/signup?plan=trial&utm_source=partner&utm_campaign=jane-doe&ps_xid=${clickId}&ps_partner_key=jane-doe`,
    );
    expect(await response.text()).toBe("");
  });

  it("sends no-store, noindex and a deliberate referrer policy", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("x-robots-tag")).toBe("noindex");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("sets the tracking cookie: click id + partner key, 90 days, Lax, Secure, not HttpOnly", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`);
    const clickId = clickIdOf(response);
    expect(response.headers.get("set-cookie")).toBe(
      `edgeref_ref=${clickId}.jane-doe; Max-Age=7776000; Path=/; SameSite=Lax; Secure`,
    );
  });

  it("uses the company's attribution window and the link domain's cookie domain", async () => {
    const { hostname, companyId } = await setup({ attributionWindowDays: 30 });
    const parent = `${crypto.randomUUID().slice(0, 8)}.example`;
    // A second hostname of the same company, with a parent cookie domain.
    await addLinkDomain(env, companyId, { hostname: `try.${parent}`, cookieDomain: parent });
    const response = await edgeFetch(`https://try.${parent}/jane-doe`);
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toBe(
      `edgeref_ref=${clickIdOf(response)}.jane-doe; Max-Age=2592000; Path=/; SameSite=Lax; Domain=${parent}; Secure`,
    );
    const hostOnly = await edgeFetch(`https://${hostname}/jane-doe`);
    expect(hostOnly.headers.get("set-cookie")).not.toContain("Domain=");
  });

  it("drops Secure only on plain-http localhost", async () => {
    const local = await setup({ hostname: "localhost" });
    const onLocalhost = await edgeFetch(`http://localhost/jane-doe`);
    expect(onLocalhost.status).toBe(302);
    expect(onLocalhost.headers.get("set-cookie")).not.toContain("Secure");
    expect(local.hostname).toBe("localhost");

    const other = await setup();
    const overHttp = await edgeFetch(`http://${other.hostname}/jane-doe`);
    expect(overHttp.headers.get("set-cookie")).toContain("; Secure");
  });

  it("makes a new click id for every click and refreshes the cookie", async () => {
    const { hostname } = await setup();
    const first = await edgeFetch(`https://${hostname}/jane-doe`);
    const second = await edgeFetch(`https://${hostname}/jane-doe`, { headers: { cookie: `edgeref_ref=${clickIdOf(first)}.jane-doe` } });
    expect(clickIdOf(first)).not.toBe(clickIdOf(second));
    expect(second.headers.get("set-cookie")).toContain(`edgeref_ref=${clickIdOf(second)}.jane-doe`);
  });

  it("answers HEAD with the same redirect and no body", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe`, { method: "HEAD" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^https:\/\/dest\.example\/signup\?plan=trial&/);
    expect(response.headers.get("set-cookie")).toContain("edgeref_ref=");
    expect(await response.text()).toBe("");
  });

  it("matches slugs case-insensitively and accepts a trailing slash", async () => {
    const { hostname } = await setup();
    for (const path of ["/Jane-Doe", "/JANE-DOE/", "/jane-doe/"]) {
      const response = await edgeFetch(`https://${hostname}${path}`);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toContain("ps_partner_key=jane-doe");
    }
  });

  it("sends a default link's slug (`key--text`) to that link", async () => {
    const { hostname, companyId, groupId } = await setup();
    await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing#plans",
      utmParams: [["utm_content", "pricing"]],
      linkText: "pricing",
    });
    const response = await edgeFetch(`https://${hostname}/jane-doe--pricing`);
    expect(response.headers.get("location")).toBe(
      `https://dest.example/pricing?utm_content=pricing&ps_xid=${clickIdOf(response)}&ps_partner_key=jane-doe#plans`,
    );
  });
});
