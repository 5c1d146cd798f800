// Query precedence: destination < link UTMs < visitor query (unless locked) < tracking params.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { updateCompanySettings } from "../../src/companies/service";
import { buildDestination, type DestinationInput } from "../../src/redirect/destination";
import { updateDefaultLink } from "../../src/links/service";
import { addPartner, createCompanyFixture, edgeFetch } from "../helpers/fixtures";

const tracking = { clickIdParam: "ps_xid", clickId: "01click", partnerKeyParam: "ps_partner_key" };

function build(overrides: Partial<DestinationInput>): string {
  return buildDestination({
    destinationUrl: "https://dest.example/p",
    utmParams: [],
    lockUtms: false,
    partnerKey: "jane",
    incomingSearch: "",
    tracking,
    ...overrides,
  });
}

describe("buildDestination", () => {
  it("layers destination query < link UTMs < visitor query < tracking", () => {
    expect(
      build({
        destinationUrl: "https://dest.example/p?plan=trial&utm_source=site&keep=1",
        utmParams: [
          ["utm_source", "partner"],
          ["utm_medium", "affiliate"],
        ],
        incomingSearch: "?utm_medium=newsletter&plan=pro",
      }),
    ).toBe("https://dest.example/p?keep=1&utm_source=partner&utm_medium=newsletter&plan=pro&ps_xid=01click&ps_partner_key=jane");
  });

  it("substitutes {partner_key} in link parameter values, encoded", () => {
    expect(build({ utmParams: [["utm_campaign", "ref-{partner_key}"], ["note", "a b&c"]] })).toBe(
      "https://dest.example/p?utm_campaign=ref-jane&note=a%20b%26c&ps_xid=01click&ps_partner_key=jane",
    );
  });

  it("keeps the link's UTMs when it locks them, but lets other visitor params through", () => {
    expect(
      build({
        utmParams: [["utm_source", "partner"]],
        lockUtms: true,
        incomingSearch: "?utm_source=spam&utm_term=shoes",
      }),
    ).toBe("https://dest.example/p?utm_source=partner&utm_term=shoes&ps_xid=01click&ps_partner_key=jane");
  });

  it("never lets a visitor set, replace or duplicate the tracking params", () => {
    const location = build({
      incomingSearch: "?ps_xid=evil&PS_XID=evil2&ps%5Fxid=evil3&ps_partner_key=mallory&Ps_Partner_Key=x&a=1",
    });
    expect(location).toBe("https://dest.example/p?a=1&ps_xid=01click&ps_partner_key=jane");
  });

  it("removes tracking names from the destination's own query too", () => {
    expect(build({ destinationUrl: "https://dest.example/p?ps_xid=stale&x=1" })).toBe(
      "https://dest.example/p?x=1&ps_xid=01click&ps_partner_key=jane",
    );
  });

  it("keeps the destination's fragment after the query", () => {
    expect(build({ destinationUrl: "https://dest.example/p?x=1#section-2" })).toBe(
      "https://dest.example/p?x=1&ps_xid=01click&ps_partner_key=jane#section-2",
    );
  });

  it("keeps repeated params in order and params without a value", () => {
    expect(build({ incomingSearch: "?tag=a&tag=b&flag&tag=c" })).toBe(
      "https://dest.example/p?tag=a&tag=b&flag&tag=c&ps_xid=01click&ps_partner_key=jane",
    );
  });

  it("replaces all of a lower layer's repeated values with the higher layer's", () => {
    expect(build({ destinationUrl: "https://dest.example/p?tag=x&tag=y", incomingSearch: "?tag=z" })).toBe(
      "https://dest.example/p?tag=z&ps_xid=01click&ps_partner_key=jane",
    );
  });

  it("keeps the visitor's percent-encoding exactly; encodes unicode and reserved characters in link values", () => {
    const incoming = new URL("https://x.test/s?q=café&e=🎉&cjk=中文&amp=a%26b&plus=a+b&pct=100%25").search;
    expect(build({ incomingSearch: incoming, utmParams: [["utm_term", "café & co/?#="]] })).toBe(
      "https://dest.example/p?utm_term=caf%C3%A9%20%26%20co%2F%3F%23%3D" +
        "&q=caf%C3%A9&e=%F0%9F%8E%89&cjk=%E4%B8%AD%E6%96%87&amp=a%26b&plus=a+b&pct=100%25" +
        "&ps_xid=01click&ps_partner_key=jane",
    );
  });

  it("uses the company's parameter names", () => {
    expect(
      build({ tracking: { clickIdParam: "ref_id", clickId: "01c", partnerKeyParam: "via" }, incomingSearch: "?ps_xid=kept&via=x" }),
    ).toBe("https://dest.example/p?ps_xid=kept&ref_id=01c&via=jane");
  });

  it("property: for any visitor query the result stays on the destination with exactly one of each tracking param", () => {
    const queryChar = fc.constantFrom(..."abcxyz019-_.~!$'()*+,;=:@/?%&#[] é🎉中".split(""), "%41", "%2", "%zz", "ps_xid", "PS_PARTNER_KEY");
    fc.assert(
      fc.property(fc.array(queryChar, { maxLength: 60 }).map((chars) => chars.join("")), (raw) => {
        const search = new URL(`https://x.test/s?${raw}`).search;
        const location = new URL(
          build({ destinationUrl: "https://dest.example/a/b?x=1#frag", incomingSearch: search, utmParams: [["utm_source", "p"]] }),
        );
        expect(location.origin + location.pathname).toBe("https://dest.example/a/b");
        expect(location.hash).toBe("#frag");
        const names = [...location.searchParams.keys()].map((name) => name.toLowerCase());
        expect(names.filter((name) => name === "ps_xid")).toHaveLength(1);
        expect(names.filter((name) => name === "ps_partner_key")).toHaveLength(1);
        expect(location.searchParams.get("ps_xid")).toBe("01click");
        expect(location.searchParams.get("ps_partner_key")).toBe("jane");
      }),
      { numRuns: 500 },
    );
  });
});

describe("query precedence through the edge", () => {
  it("lets marketers' UTMs win over the link's, unless the link locks them", async () => {
    const { hostname, group } = await createCompanyFixture({
      destinationUrl: "https://dest.example/signup?plan=trial",
      utmParams: [
        ["utm_source", "partner"],
        ["utm_campaign", "{partner_key}"],
      ],
    });
    await addPartner(group.companyId, group.id, "ravi");
    const open = await edgeFetch(`https://${hostname}/ravi?utm_campaign=spring&utm_medium=email&tag=a&tag=b`);
    const xid = new URL(open.headers.get("location")!).searchParams.get("ps_xid");
    expect(open.headers.get("location")).toBe(
      `https://dest.example/signup?plan=trial&utm_source=partner&utm_campaign=spring&utm_medium=email&tag=a&tag=b&ps_xid=${xid}&ps_partner_key=ravi`,
    );

    const [original] = (await env.DB.prepare("SELECT id FROM default_links WHERE group_id = ?").bind(group.id).all<{ id: string }>()).results;
    await updateDefaultLink(env, group.companyId, original!.id, { lockUtms: true });
    const locked = await edgeFetch(`https://${hostname}/ravi?utm_campaign=spring&utm_medium=email&ps_xid=evil`);
    const lockedXid = new URL(locked.headers.get("location")!).searchParams.get("ps_xid");
    expect(lockedXid).not.toBe("evil");
    expect(locked.headers.get("location")).toBe(
      `https://dest.example/signup?plan=trial&utm_source=partner&utm_campaign=ravi&utm_medium=email&ps_xid=${lockedXid}&ps_partner_key=ravi`,
    );
  });

  it("honours the company's tracking parameter names", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "tom");
    await updateCompanySettings(env, companyId, { clickIdParam: "ref_click", partnerKeyParam: "ref_partner" });
    const response = await edgeFetch(`https://${hostname}/tom?ref_partner=mallory`);
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.getAll("ref_partner")).toEqual(["tom"]);
    expect(location.searchParams.getAll("ref_click")).toHaveLength(1);
    expect(location.searchParams.has("ps_xid")).toBe(false);
  });
});
