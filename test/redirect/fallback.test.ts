// Where a visitor goes when a link cannot be followed as is.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { setReferralLinksEnabled, createGroup } from "../../src/groups/service";
import { deleteDefaultLink } from "../../src/links/service";
import { movePartner } from "../../src/partners/service";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch } from "../helpers/fixtures";

describe("fallbacks", () => {
  it("sends an unknown slug to the company's fallback URL, without cookie or tracking", async () => {
    const { hostname } = await createCompanyFixture({ fallbackUrl: "https://acme.example/partners" });
    const response = await edgeFetch(`https://${hostname}/nobody-here`);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://acme.example/partners");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("private, no-store");
  });

  it("shows a small 404 page when the company has no fallback URL", async () => {
    const { hostname } = await createCompanyFixture();
    const response = await edgeFetch(`https://${hostname}/nobody-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("x-robots-tag")).toBe("noindex");
    const body = await response.text();
    expect(body).toContain("<h1>Link not found</h1>");
    expect(body.length).toBeLessThan(2000);
  });

  it("treats a group with referral links turned off like an unknown slug, and back on again", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: "https://acme.example/" });
    await addPartner(companyId, groupId, "jane");
    await setReferralLinksEnabled(env, companyId, groupId, false);
    const off = await edgeFetch(`https://${hostname}/jane`);
    expect(off.headers.get("location")).toBe("https://acme.example/");
    await setReferralLinksEnabled(env, companyId, groupId, true);
    const on = await edgeFetch(`https://${hostname}/jane`);
    expect(on.headers.get("location")).toMatch(/^https:\/\/dest\.example\/landing\?ps_xid=/);
  });

  it("sends a deleted default link's slugs to the group's original link", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/home",
      utmParams: [["utm_source", "partner"]],
    });
    await addPartner(companyId, groupId, "jane");
    const pricing = await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing",
      linkText: "pricing",
    });
    const before = await edgeFetch(`https://${hostname}/jane--pricing`);
    expect(before.headers.get("location")).toMatch(/^https:\/\/dest\.example\/pricing\?/);
    await deleteDefaultLink(env, companyId, pricing.id);
    const after = await edgeFetch(`https://${hostname}/jane--pricing`);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^https:\/\/dest\.example\/home\?utm_source=partner&ps_xid=/);
  });

  it("resolves a moved partner's existing slugs through the new group", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ destinationUrl: "https://dest.example/a" });
    await createDefaultLink(env, companyId, groupId, { title: "Docs", destinationUrl: "https://dest.example/a-docs", linkText: "docs" });
    await createDefaultLink(env, companyId, groupId, { title: "Pricing", destinationUrl: "https://dest.example/a-pricing", linkText: "pricing" });
    const partner = await addPartner(companyId, groupId, "jane");

    const resellers = await createGroup(env, companyId, { name: "Resellers", destinationUrl: "https://dest.example/b" });
    await createDefaultLink(env, companyId, resellers.id, { title: "Docs", destinationUrl: "https://dest.example/b-docs", linkText: "docs" });
    await movePartner(env, companyId, partner.id, resellers.id);

    const expectations: [string, string][] = [
      ["jane", "https://dest.example/b?"],
      ["jane--docs", "https://dest.example/b-docs?"],
      ["jane--pricing", "https://dest.example/b?"], // no such text in the new group: its original link
    ];
    for (const [slug, prefix] of expectations) {
      const response = await edgeFetch(`https://${hostname}/${slug}`);
      expect(response.status, slug).toBe(302);
      expect(response.headers.get("location")!.startsWith(prefix), slug).toBe(true);
    }
    const rows = await env.DB.prepare("SELECT slug FROM partner_links WHERE partner_id = ? ORDER BY slug").bind(partner.id).all<{ slug: string }>();
    expect(rows.results.map((row) => row.slug)).toEqual(["jane", "jane--docs", "jane--pricing"]);
  });

  it("sends slugs of an archived partner to the fallback", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: "https://acme.example/" });
    const partner = await addPartner(companyId, groupId, "gone");
    await env.DB.prepare("UPDATE partners SET status = 'archived' WHERE id = ?").bind(partner.id).run();
    const { publishPartnerSlugs } = await import("../../src/redirect/publish");
    await publishPartnerSlugs(env, partner.id);
    const response = await edgeFetch(`https://${hostname}/gone`);
    expect(response.headers.get("location")).toBe("https://acme.example/");
  });
});
