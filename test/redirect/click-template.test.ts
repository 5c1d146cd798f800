// The Location and Set-Cookie parts remembered per slug record: reused while the isolate holds the
// same records, rebuilt as soon as any record they come from is replaced.
import { describe, expect, it } from "vitest";
import { clickTemplate } from "../../src/redirect/click-template";
import type { LinkRecord, SiteRecord, SlugRecord } from "../../src/redirect/records";

const link = (destinationUrl = "https://acme.example/pricing?plan=pro"): LinkRecord => ({
  id: "lnk_1",
  position: 1,
  linkText: "",
  destinationUrl,
  utmParams: [["utm_source", "{partner_key}"]],
  lockUtms: false,
});
const site = (attributionWindowDays = 30, cookieDomain: string | null = "acme.example"): SiteRecord => ({
  companyId: "cmp_1",
  cookieDomain,
  company: { id: "cmp_1", clickIdParam: "ps_xid", partnerKeyParam: "via", attributionWindowDays, fallbackUrl: null },
  groups: {},
});
const slug = (): SlugRecord => ({
  partnerLinkId: "plk_1",
  partnerId: "ptn_1",
  partnerKey: "jane",
  groupId: "grp_1",
  linkText: "",
  partnerActive: true,
});

const filled = (parts: { head: string; tail: string }, clickId = "01click") => parts.head + clickId + parts.tail;

describe("clickTemplate", () => {
  it("puts the click id in the destination and the cookie", () => {
    const template = clickTemplate(site(), slug(), link(), true);
    expect(filled(template.location)).toBe(
      "https://acme.example/pricing?plan=pro&utm_source=jane&ps_xid=01click&via=jane",
    );
    expect(filled(template.cookie)).toBe(
      "edgeref_ref=01click.jane; Max-Age=2592000; Path=/; SameSite=Lax; Domain=acme.example; Secure",
    );
  });

  it("is reused for the same records and rebuilt when one of them is replaced", () => {
    const [theSite, theSlug, theLink] = [site(), slug(), link()];
    const first = clickTemplate(theSite, theSlug, theLink, true);
    expect(clickTemplate(theSite, theSlug, theLink, true)).toBe(first);

    const newLink = clickTemplate(theSite, theSlug, link("https://acme.example/new"), true);
    expect(filled(newLink.location)).toBe("https://acme.example/new?utm_source=jane&ps_xid=01click&via=jane");
    const newWindow = clickTemplate(site(7), theSlug, theLink, true);
    expect(filled(newWindow.cookie)).toContain("Max-Age=604800;");
    const hostOnly = clickTemplate(site(30, null), theSlug, theLink, true);
    expect(filled(hostOnly.cookie)).not.toContain("Domain=");
    const plainHttp = clickTemplate(theSite, theSlug, theLink, false);
    expect(filled(plainHttp.cookie)).not.toContain("Secure");
    expect(clickTemplate(theSite, theSlug, theLink, true).cookie.tail).toContain("; Secure");
  });
});
