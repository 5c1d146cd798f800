// Where a visitor goes when a link cannot be followed as is: fallback URL or 404 page, the
// group's original link for a deleted default link, the new group after a move.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { archiveGroup, createGroup, setReferralLinksEnabled } from "../../src/groups/service";
import { deleteDefaultLink } from "../../src/links/service";
import { listPartnerLinks, movePartner, updatePartner } from "../../src/partners/service";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch } from "../helpers/fixtures";
import { clickIdOf, locationOf } from "../helpers/redirect";

const FALLBACK = "https://acme.example/partners?from=link";

/** A fallback redirect: exact URL, no cookie, no tracking, the redirect headers. */
async function expectFallback(response: Response, label = "") {
  expect(await response.text(), label).toBe("");
  expect(response.status, label).toBe(302);
  expect(locationOf(response), label).toBe(FALLBACK);
  expect(response.headers.get("set-cookie"), label).toBeNull();
  expect(response.headers.get("cache-control"), label).toBe("private, no-store");
  expect(response.headers.get("x-robots-tag"), label).toBe("noindex");
  expect(response.headers.get("referrer-policy"), label).toBe("strict-origin-when-cross-origin");
}

/** The small 404 page (HEAD: same headers, no body). */
async function expectNotFoundPage(response: Response, method = "GET") {
  const body = await response.text();
  expect(response.status).toBe(404);
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe("private, no-store");
  expect(response.headers.get("x-robots-tag")).toBe("noindex");
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("set-cookie")).toBeNull();
  if (method === "HEAD") {
    expect(body).toBe("");
  } else {
    expect(body).toContain("<h1>Link not found</h1>");
    expect(body).toContain('<meta name="robots" content="noindex">');
    expect(body.length).toBeLessThan(2000);
  }
}

describe("unknown slugs", () => {
  it("go to the company's fallback URL exactly: no cookie, no tracking params, no visitor query", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: FALLBACK });
    await addPartner(companyId, groupId, "jane"); // a real partner exists; the slug asked for does not
    await expectFallback(await edgeFetch(`https://${hostname}/nobody-here`));
    await expectFallback(await edgeFetch(`https://${hostname}/nobody-here?utm_source=x&ps_xid=evil`), "with query");
    await expectFallback(await edgeFetch(`https://${hostname}/jane--nope`), "unknown link text");
    await expectFallback(await edgeFetch(`https://${hostname}/nobody-here`, { method: "HEAD" }), "HEAD");
  });

  it("show a small 404 page when the company has no fallback URL", async () => {
    const { hostname } = await createCompanyFixture();
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/nobody-here`));
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/nobody-here`, { method: "HEAD" }), "HEAD");
  });
});

describe("links that are switched off", () => {
  it(`a group with referral links off behaves like an unknown slug (fallback), \
and works again when back on`, async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: FALLBACK });
    await addPartner(companyId, groupId, "jane");
    await setReferralLinksEnabled(env, companyId, groupId, false);
    await expectFallback(await edgeFetch(`https://${hostname}/jane`));
    await expectFallback(await edgeFetch(`https://${hostname}/jane`, { method: "HEAD" }), "HEAD");

    await setReferralLinksEnabled(env, companyId, groupId, true);
    const on = await edgeFetch(`https://${hostname}/jane`);
    await on.text();
    expect(locationOf(on)).toBe(`https://dest.example/landing?ps_xid=${clickIdOf(on)}&ps_partner_key=jane`);
  });

  it("a group with referral links off shows the 404 page when there is no fallback URL", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    await setReferralLinksEnabled(env, companyId, groupId, false);
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/jane`));
  });

  it("an archived partner's slugs go to the fallback", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: FALLBACK });
    const partner = await addPartner(companyId, groupId, "gone");
    await createDefaultLink(env, companyId, groupId, {
      title: "Docs",
      destinationUrl: "https://dest.example/docs",
      linkText: "docs",
    });
    await updatePartner(env, companyId, partner.id, { status: "archived" });
    await expectFallback(await edgeFetch(`https://${hostname}/gone`), "gone");
    await expectFallback(await edgeFetch(`https://${hostname}/gone--docs`), "gone--docs");
  });

  it("an archived group's partners' slugs go to the fallback", async () => {
    const { hostname, companyId } = await createCompanyFixture({ fallbackUrl: FALLBACK });
    const seasonal = await createGroup(env, companyId, {
      name: "Seasonal",
      destinationUrl: "https://dest.example/season",
    });
    await addPartner(companyId, seasonal.id, "summer");
    const before = await edgeFetch(`https://${hostname}/summer`);
    await before.text();
    expect(before.status).toBe(302);
    expect(locationOf(before)).toMatch(/^https:\/\/dest\.example\/season\?ps_xid=/);
    await archiveGroup(env, companyId, seasonal.id);
    await expectFallback(await edgeFetch(`https://${hostname}/summer`));
  });
});

describe("default links", () => {
  it("a default link with link text `pricing` gives every partner the slug `<key>--pricing`", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    const early = await addPartner(companyId, groupId, "early-bird");
    await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing",
      utmParams: [["utm_content", "pricing"]],
      linkText: "pricing",
    });
    const late = await addPartner(companyId, groupId, "late-comer");
    for (const partner of [early, late]) {
      const links = await listPartnerLinks(env, companyId, partner.id);
      expect(links.map((link) => link.slug)).toEqual([partner.partnerKey, `${partner.partnerKey}--pricing`]);
      const response = await edgeFetch(`https://${hostname}/${partner.partnerKey}--pricing`);
      await response.text();
      expect(locationOf(response), partner.partnerKey).toBe(
        `https://dest.example/pricing?utm_content=pricing&ps_xid=${clickIdOf(response)}` +
          `&ps_partner_key=${partner.partnerKey}`,
      );
    }
  });

  it("a deleted default link's slugs lead to the group's original link, with the original link's UTMs", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/home?ref=partners",
      utmParams: [
        ["utm_source", "partner"],
        ["utm_campaign", "{partner_key}"],
      ],
    });
    await addPartner(companyId, groupId, "jane");
    const pricing = await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing#plans",
      utmParams: [["utm_content", "pricing"]],
      lockUtms: true,
      linkText: "pricing",
    });
    const before = await edgeFetch(`https://${hostname}/jane--pricing`);
    await before.text();
    expect(locationOf(before)).toBe(
      `https://dest.example/pricing?utm_content=pricing&ps_xid=${clickIdOf(before)}&ps_partner_key=jane#plans`,
    );

    await deleteDefaultLink(env, companyId, pricing.id);
    const after = await edgeFetch(`https://${hostname}/jane--pricing?utm_campaign=spring`);
    await after.text();
    expect(after.status).toBe(302);
    // The original link is not locked, so the marketer's utm_campaign still wins.
    expect(locationOf(after)).toBe(
      "https://dest.example/home?ref=partners&utm_source=partner&utm_campaign=spring" +
        `&ps_xid=${clickIdOf(after)}&ps_partner_key=jane`,
    );
    expect(after.headers.get("set-cookie")).toContain(`edgeref_ref=${clickIdOf(after)}.jane;`);
  });
});

describe("moved partners", () => {
  it(`resolve their existing slugs through the new group: same link text → that link, \
else the new group's original`, async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ destinationUrl: "https://dest.example/a" });
    await createDefaultLink(env, companyId, groupId, {
      title: "Docs",
      destinationUrl: "https://dest.example/a-docs",
      linkText: "docs",
    });
    await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/a-pricing",
      linkText: "pricing",
    });
    const partner = await addPartner(companyId, groupId, "jane");
    const warm = await edgeFetch(`https://${hostname}/jane--docs`);
    await warm.text();
    expect(locationOf(warm)).toMatch(/^https:\/\/dest\.example\/a-docs\?/);

    const resellers = await createGroup(env, companyId, {
      name: "Resellers",
      destinationUrl: "https://dest.example/b",
      utmParams: [["utm_source", "resellers"]],
    });
    await createDefaultLink(env, companyId, resellers.id, {
      title: "Docs",
      destinationUrl: "https://dest.example/b-docs",
      utmParams: [["utm_content", "docs-{partner_key}"]],
      linkText: "docs",
    });
    await createDefaultLink(env, companyId, resellers.id, {
      title: "FAQ",
      destinationUrl: "https://dest.example/b-faq",
      linkText: "faq",
    });
    await movePartner(env, companyId, partner.id, resellers.id);

    const expectations: [string, (xid: string) => string][] = [
      ["jane", (xid) => `https://dest.example/b?utm_source=resellers&ps_xid=${xid}&ps_partner_key=jane`],
      ["jane--docs", (xid) => `https://dest.example/b-docs?utm_content=docs-jane&ps_xid=${xid}&ps_partner_key=jane`],
      // No `pricing` link in the new group: its original link.
      ["jane--pricing", (xid) => `https://dest.example/b?utm_source=resellers&ps_xid=${xid}&ps_partner_key=jane`],
      // A link text only the new group has: the move gave the partner that slug too.
      ["jane--faq", (xid) => `https://dest.example/b-faq?ps_xid=${xid}&ps_partner_key=jane`],
    ];
    for (const [slug, expected] of expectations) {
      const response = await edgeFetch(`https://${hostname}/${slug}`);
      await response.text();
      expect(response.status, slug).toBe(302);
      expect(locationOf(response), slug).toBe(expected(clickIdOf(response)));
    }
    // Slugs are never rewritten: the old ones are all still there.
    const rows = await env.DB.prepare("SELECT slug FROM partner_links WHERE partner_id = ? ORDER BY slug")
      .bind(partner.id)
      .all<{ slug: string }>();
    expect(rows.results.map((row) => row.slug)).toEqual(["jane", "jane--docs", "jane--faq", "jane--pricing"]);
  });
});
