// Query precedence: destination < link UTMs < visitor query (unless locked) < tracking params.
// Unit tests of buildDestination, fast-check properties, and the same rules through the edge.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { updateCompanySettings } from "../../src/companies/service";
import { ApiError } from "../../src/lib/errors";
import { updateDefaultLink } from "../../src/links/service";
import { buildDestination, type DestinationInput } from "../../src/redirect/destination";
import { publishRecord } from "../../src/redirect/publish";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch } from "../helpers/fixtures";
import { clickIdOf, locationOf, originalLinkId, parseSetCookie } from "../helpers/redirect";

const tracking = { clickIdParam: "ps_xid", clickId: "01click", partnerKeyParam: "ps_partner_key" };
const TAIL = "ps_xid=01click&ps_partner_key=jane";

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

/** What a visitor's browser sends: the query of the URL they open, as `URL.search` gives it. */
const searchOf = (query: string) => new URL(`https://x.test/s?${query}`).search;

describe("buildDestination: layers", () => {
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
    ).toBe(`https://dest.example/p?keep=1&utm_source=partner&utm_medium=newsletter&plan=pro&${TAIL}`);
  });

  it("accepts the visitor query with or without its leading `?`, and an empty one", () => {
    expect(build({ incomingSearch: "a=1" })).toBe(`https://dest.example/p?a=1&${TAIL}`);
    expect(build({ incomingSearch: "?a=1" })).toBe(`https://dest.example/p?a=1&${TAIL}`);
    expect(build({ incomingSearch: "?" })).toBe(`https://dest.example/p?${TAIL}`);
    expect(build({ incomingSearch: "" })).toBe(`https://dest.example/p?${TAIL}`);
  });

  it("substitutes every {partner_key} in link parameter values, then encodes them", () => {
    expect(
      build({
        utmParams: [
          ["utm_campaign", "ref-{partner_key}-{partner_key}"],
          ["note", "a b&c"],
        ],
      }),
    ).toBe(`https://dest.example/p?utm_campaign=ref-jane-jane&note=a%20b%26c&${TAIL}`);
  });

  it("lets marketers' UTMs win over the link's", () => {
    expect(
      build({
        utmParams: [
          ["utm_source", "partner"],
          ["utm_campaign", "{partner_key}"],
        ],
        incomingSearch: "?utm_campaign=spring",
      }),
    ).toBe(`https://dest.example/p?utm_source=partner&utm_campaign=spring&${TAIL}`);
  });

  it(`keeps the link's parameters when it locks them (however the visitor spells the name), \
letting others through`, () => {
    expect(
      build({
        utmParams: [
          ["utm_source", "partner"],
          ["ref", "{partner_key}"],
        ],
        lockUtms: true,
        incomingSearch: "?utm_source=spam&utm%5Fsource=spam2&utm_source&ref=x&utm_term=shoes&plan=pro",
      }),
    ).toBe(`https://dest.example/p?utm_source=partner&ref=jane&utm_term=shoes&plan=pro&${TAIL}`);
  });

  it("matches a locked name in any letter case: `UTM_SOURCE=x` cannot override the link's utm_source", () => {
    expect(
      build({
        utmParams: [
          ["utm_source", "partner"],
          ["Ref", "{partner_key}"],
        ],
        lockUtms: true,
        incomingSearch: "?UTM_SOURCE=x&Utm_Source=y&utm%5FSOURCE=z&REF=spam&ref=spam2&UTM_TERM=shoes",
      }),
    ).toBe(`https://dest.example/p?utm_source=partner&Ref=jane&UTM_TERM=shoes&${TAIL}`);
  });

  it(`lets a locked link's destination-query params be replaced by the visitor \
(only the link's own names are locked)`, () => {
    expect(
      build({
        destinationUrl: "https://dest.example/p?plan=trial",
        utmParams: [["utm_source", "partner"]],
        lockUtms: true,
        incomingSearch: "?plan=pro",
      }),
    ).toBe(`https://dest.example/p?utm_source=partner&plan=pro&${TAIL}`);
  });

  it("replaces all of a lower layer's repeated values with the higher layer's", () => {
    expect(build({ destinationUrl: "https://dest.example/p?tag=x&tag=y", incomingSearch: "?tag=z" })).toBe(
      `https://dest.example/p?tag=z&${TAIL}`,
    );
  });

  it("keeps repeated params in order and params without `=`", () => {
    expect(build({ incomingSearch: "?tag=a&tag=b&flag&tag=c&empty=" })).toBe(
      `https://dest.example/p?tag=a&tag=b&flag&tag=c&empty=&${TAIL}`,
    );
  });
});

describe("buildDestination: tracking params", () => {
  it.each([
    ["?ps_xid=evil"],
    ["?PS_XID=evil"],
    ["?ps%5Fxid=evil"],
    ["?ps%5fxid=evil"],
    ["?Ps_Xid=evil&ps_xid=evil2&ps_xid=evil3"],
    ["?ps_xid"],
    ["?ps_xid="],
    ["?ps_partner_key=mallory"],
    ["?PS_PARTNER_KEY=mallory&ps%5Fpartner%5Fkey=mallory2"],
  ])("never lets a visitor set, replace or duplicate them: %s", (incoming) => {
    expect(build({ incomingSearch: `${incoming}&a=1` })).toBe(`https://dest.example/p?a=1&${TAIL}`);
  });

  it("treats names that only look alike (`ps xid`, `ps_xid2`) as ordinary params", () => {
    expect(build({ incomingSearch: "?ps+xid=1&ps_xid2=2&ps_xid=evil" })).toBe(
      `https://dest.example/p?ps+xid=1&ps_xid2=2&${TAIL}`,
    );
  });

  it("removes tracking names, in any case, from the destination's own query too", () => {
    expect(build({ destinationUrl: "https://dest.example/p?ps_xid=stale&PS_PARTNER_KEY=old&x=1" })).toBe(
      `https://dest.example/p?x=1&${TAIL}`,
    );
  });

  it("removes tracking names from the link's own parameters too (README: removed from every lower layer)", () => {
    // A link custom parameter that happens to carry a tracking name must not become a second,
    // earlier click id or partner key: a destination reading the first value would get the wrong one.
    const location = build({
      utmParams: [
        ["ps_xid", "static"],
        ["PS_PARTNER_KEY", "{partner_key}"],
        ["utm_source", "p"],
      ],
    });
    expect(location).toBe(`https://dest.example/p?utm_source=p&${TAIL}`);
  });

  it("uses the company's parameter names; the default names are then ordinary params", () => {
    expect(
      build({
        tracking: { clickIdParam: "ref_id", clickId: "01c", partnerKeyParam: "Via" },
        incomingSearch: "?ps_xid=kept&ps_partner_key=kept2&VIA=x&ref_ID=y",
      }),
    ).toBe("https://dest.example/p?ps_xid=kept&ps_partner_key=kept2&ref_id=01c&Via=jane");
  });
});

describe("buildDestination: URL shape and encoding", () => {
  it("keeps the destination's fragment after the query, with or without a query of its own", () => {
    expect(build({ destinationUrl: "https://dest.example/p?x=1#section-2" })).toBe(
      `https://dest.example/p?x=1&${TAIL}#section-2`,
    );
    expect(build({ destinationUrl: "https://dest.example/p#/app/route?x=1" })).toBe(
      `https://dest.example/p?${TAIL}#/app/route?x=1`,
    );
  });

  it("keeps scheme, host, port and path as configured", () => {
    expect(build({ destinationUrl: "http://Dest.Example:8080/a/b/?" })).toBe(`http://dest.example:8080/a/b/?${TAIL}`);
    expect(build({ destinationUrl: "https://dest.example" })).toBe(`https://dest.example/?${TAIL}`);
  });

  it("keeps the visitor's percent-encoding exactly (unicode, emoji, CJK, reserved characters inside values)", () => {
    const incoming = searchOf(
      "q=café&e=🎉&cjk=中文&amp=a%26b&eq=a%3Db&plus=a%2Bb&space=a+b&pct=100%25" +
        "&slash=a%2Fb&qm=a%3Fb&hash=a%23b&lower=%e2%82%ac",
    );
    expect(build({ incomingSearch: incoming })).toBe(
      "https://dest.example/p?q=caf%C3%A9&e=%F0%9F%8E%89&cjk=%E4%B8%AD%E6%96%87&amp=a%26b&eq=a%3Db&plus=a%2Bb" +
        `&space=a+b&pct=100%25&slash=a%2Fb&qm=a%3Fb&hash=a%23b&lower=%e2%82%ac&${TAIL}`,
    );
  });

  it("encodes unicode and reserved characters in the link's values as UTF-8", () => {
    const location = build({
      utmParams: [
        ["utm_term", "café & co/?#=+%"],
        ["utm_content", "🎉中文"],
      ],
    });
    expect(location).toBe(
      "https://dest.example/p?utm_term=caf%C3%A9%20%26%20co%2F%3F%23%3D%2B%25" +
        `&utm_content=%F0%9F%8E%89%E4%B8%AD%E6%96%87&${TAIL}`,
    );
    const url = new URL(location);
    expect(url.searchParams.get("utm_term")).toBe("café & co/?#=+%");
    expect(url.searchParams.get("utm_content")).toBe("🎉中文");
    expect(url.hash).toBe("");
  });
});

// ---- properties ---------------------------------------------------------------------------

/** Names a company may configure (src/companies/service.ts: letters, digits, _ . -). */
const trackingName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
const LINK_PARAMS: [string, string][] = [
  ["utm_source", "partner"],
  ["utm_campaign", "{partner_key}"],
];
const trackingNames = fc
  .tuple(trackingName, trackingName)
  .filter(([a, b]) => a.toLowerCase() !== b.toLowerCase())
  // Link parameters that carry a tracking name have their own test above.
  .filter((names) => names.every((n) => !LINK_PARAMS.some(([link]) => link === n.toLowerCase())));

/** Visitor query text full of hostile pieces: tracking names in odd spellings, escapes, separators. */
const hostileQuery = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "ps_xid",
        "PS_XID",
        "ps%5Fxid",
        "ps%5fxid",
        "Ps_Partner_Key",
        "ps_partner_key",
        "ref_id",
        "VIA",
        "via",
      ),
      fc.constantFrom(
        "=",
        "&",
        "&&",
        "?",
        "#",
        "+",
        "%",
        "%2",
        "%zz",
        "%25",
        "%26",
        "%3D",
        "%23",
        "%00",
        "%C3",
        "%E2%82",
        "/",
        ";",
      ),
      fc.string({ unit: "binary", maxLength: 6 }),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(""));

const destinationUrl = fc
  .webUrl({ validSchemes: ["http", "https"], withQueryParameters: true, withFragments: true })
  .filter((url) => {
    const parsed = new URL(url);
    return !parsed.username && !parsed.password;
  });

function countNamed(url: URL, name: string): string[] {
  return [...url.searchParams].filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}

describe("buildDestination: properties", () => {
  it(`for any visitor query: same origin, path and fragment; exactly one click id and partner key, \
with the right values`, () => {
    fc.assert(
      fc.property(
        destinationUrl,
        hostileQuery,
        trackingNames,
        fc.boolean(),
        (destination, raw, [clickIdParam, partnerKeyParam], lockUtms) => {
          const expected = new URL(destination);
          const clickId = "01jd3k5qv0r8t2x7m9c4b6n1pz";
          let location = "";
          expect(() => {
            location = buildDestination({
              destinationUrl: destination,
              utmParams: LINK_PARAMS,
              lockUtms,
              partnerKey: "jane-doe",
              incomingSearch: searchOf(raw),
              tracking: { clickIdParam, clickId, partnerKeyParam },
            });
          }).not.toThrow();
          const url = new URL(location);
          expect(url.origin).toBe(expected.origin);
          expect(url.pathname).toBe(expected.pathname);
          expect(url.hash).toBe(expected.hash);
          expect(countNamed(url, clickIdParam)).toEqual([clickId]);
          expect(countNamed(url, partnerKeyParam)).toEqual(["jane-doe"]);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("never throws and stays on the destination, whatever string is passed as the visitor query", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (raw) => {
        const location = build({ destinationUrl: "https://dest.example/a/b?x=1#frag", incomingSearch: raw });
        expect(location.startsWith("https://dest.example/a/b?")).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  // A model of the documented layering, on decoded (name, value) pairs, compared with what a
  // destination's URL parser reads from the result.
  const name = fc.constantFrom(
    "a",
    "b",
    "tag",
    "utm_source",
    "UTM_Source",
    "utm_campaign",
    "café",
    "CAFÉ",
    "a b",
    "x&y",
    "k=v",
    "🎉",
    "ps_xid",
    "PS_Partner_Key",
  );
  const linkName = fc.constantFrom("a", "tag", "utm_source", "utm_campaign", "café", "x&y");
  const value = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 6 }),
    fc.constantFrom("a+b", "100%", "=&#?/", "中文", "{partner_key}"),
  );
  const pairs = (names: fc.Arbitrary<string>) => fc.array(fc.tuple(names, value), { maxLength: 6 });
  const isTracking = (n: string) => n.toLowerCase() === "ps_xid" || n.toLowerCase() === "ps_partner_key";

  function encodeQuery(list: [string, string | undefined][], spaceAsPlus: boolean): string {
    const encode = (s: string) => (spaceAsPlus ? encodeURIComponent(s).replaceAll("%20", "+") : encodeURIComponent(s));
    return list
      .filter(([n, v]) => !(n === "" && v === undefined))
      .map(([n, v]) => (v === undefined ? encode(n) : `${encode(n)}=${encode(v)}`))
      .join("&");
  }

  function overlay(base: [string, string][], top: [string, string][]): [string, string][] {
    if (top.length === 0) return base;
    const names = new Set(top.map(([n]) => n));
    return base.filter(([n]) => !names.has(n)).concat(top);
  }

  it("matches the documented layering model for any destination, link and visitor params", () => {
    fc.assert(
      fc.property(
        pairs(name),
        fc.uniqueArray(fc.tuple(linkName, fc.string({ maxLength: 6 })), { selector: ([n]) => n, maxLength: 4 }),
        pairs(name),
        fc.boolean(),
        fc.boolean(),
        (own, link, visitor, lockUtms, spaceAsPlus) => {
          const destination = new URL(`https://dest.example/p?${encodeQuery(own, false)}#f`).href;
          const location = buildDestination({
            destinationUrl: destination,
            utmParams: link,
            lockUtms,
            partnerKey: "jane",
            incomingSearch: searchOf(encodeQuery(visitor, spaceAsPlus)),
            tracking,
          });
          const decoded = (list: [string, string | undefined][]) =>
            list.filter(([n, v]) => !(n === "" && v === undefined)).map(([n, v]) => [n, v ?? ""] as [string, string]);
          const linkPairs = link.map(([n, v]) => [n, v.replaceAll("{partner_key}", "jane")] as [string, string]);
          const locked = new Set<string>(lockUtms ? link.map(([n]) => n.toLowerCase()) : []);
          let expected = decoded(own).filter(([n]) => !isTracking(n));
          expected = overlay(expected, linkPairs);
          expected = overlay(
            expected,
            decoded(visitor).filter(([n]) => !isTracking(n) && !locked.has(n.toLowerCase())),
          );
          expected = expected.concat([
            ["ps_xid", "01click"],
            ["ps_partner_key", "jane"],
          ]);
          const url = new URL(location);
          expect([...url.searchParams]).toEqual(expected);
          expect(url.hash).toBe("#f");
        },
      ),
      { numRuns: 600 },
    );
  });
});

// ---- through the edge ---------------------------------------------------------------------

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
    await open.text();
    const xid = clickIdOf(open);
    expect(locationOf(open)).toBe(
      "https://dest.example/signup?plan=trial&utm_source=partner&utm_campaign=spring&utm_medium=email&tag=a&tag=b" +
        `&ps_xid=${xid}&ps_partner_key=ravi`,
    );

    await updateDefaultLink(env, group.companyId, await originalLinkId(group.id), { lockUtms: true });
    const locked = await edgeFetch(
      `https://${hostname}/ravi?utm_campaign=spring&utm%5Fsource=x&UTM_SOURCE=y&Utm_Campaign=z` +
        "&utm_medium=email&plan=pro",
    );
    await locked.text();
    const lockedXid = clickIdOf(locked);
    expect(locationOf(locked)).toBe(
      "https://dest.example/signup?utm_source=partner&utm_campaign=ravi&utm_medium=email&plan=pro" +
        `&ps_xid=${lockedXid}&ps_partner_key=ravi`,
    );
  });

  it("never lets the visitor's query set or duplicate the tracking params", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/landing",
    });
    await addPartner(companyId, groupId, "kim");
    const response = await edgeFetch(
      `https://${hostname}/kim?ps_xid=evil&PS_XID=evil&ps%5Fxid=evil&ps_xid=evil2` +
        "&ps_partner_key=mallory&PS_Partner_Key&keep=1",
    );
    await response.text();
    const cookie = parseSetCookie(response.headers.get("set-cookie")!);
    const clickId = cookie.value.split(".")[0]!;
    expect(clickId).not.toBe("evil");
    expect(locationOf(response)).toBe(`https://dest.example/landing?keep=1&ps_xid=${clickId}&ps_partner_key=kim`);
  });

  it("honours the company's tracking parameter names; the default names then pass as plain params", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/landing",
    });
    await addPartner(companyId, groupId, "tom");
    await updateCompanySettings(env, companyId, { clickIdParam: "ref_click", partnerKeyParam: "ref_partner" });
    const response = await edgeFetch(
      `https://${hostname}/tom?ref_partner=mallory&REF_CLICK=evil&ps_xid=kept&ps_partner_key=kept2`,
    );
    await response.text();
    const clickId = clickIdOf(response, "ref_click");
    expect(locationOf(response)).toBe(
      `https://dest.example/landing?ps_xid=kept&ps_partner_key=kept2&ref_click=${clickId}&ref_partner=tom`,
    );
    expect(parseSetCookie(response.headers.get("set-cookie")!).value).toBe(`${clickId}.tom`);
  });

  it("keeps the destination's fragment, unicode, reserved characters, repeats and bare params", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/shop?lang=en#top",
      utmParams: [["utm_term", "café & co"]],
    });
    await addPartner(companyId, groupId, "lee");
    const response = await edgeFetch(
      `https://${hostname}/lee?q=café&e=🎉&cjk=中文&r=a%26b%3Dc%2Bd%25e%2Ff%3Fg%23h&s=a+b&tag=a&tag=b&flag`,
    );
    await response.text();
    const clickId = clickIdOf(response);
    expect(locationOf(response)).toBe(
      "https://dest.example/shop?lang=en&utm_term=caf%C3%A9%20%26%20co" +
        "&q=caf%C3%A9&e=%F0%9F%8E%89&cjk=%E4%B8%AD%E6%96%87&r=a%26b%3Dc%2Bd%25e%2Ff%3Fg%23h&s=a+b&tag=a&tag=b&flag" +
        `&ps_xid=${clickId}&ps_partner_key=lee#top`,
    );
    const url = new URL(locationOf(response));
    expect(url.searchParams.get("q")).toBe("café");
    expect(url.searchParams.get("r")).toBe("a&b=c+d%e/f?g#h");
    expect(url.searchParams.getAll("tag")).toEqual(["a", "b"]);
    expect(url.hash).toBe("#top");
  });

  it("gives exactly one click id when a link's custom parameter carries a tracking name", async () => {
    // Reachable through the admin API: custom_params {"ps_xid": "…"} passes validation.
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/landing",
      utmParams: [
        ["utm_source", "partner"],
        ["ps_xid", "static"],
      ],
    });
    await addPartner(companyId, groupId, "max");
    const response = await edgeFetch(`https://${hostname}/max`);
    await response.text();
    const clickId = parseSetCookie(response.headers.get("set-cookie")!).value.split(".")[0]!;
    expect(new URL(locationOf(response)).searchParams.getAll("ps_xid")).toEqual([clickId]);
    expect(locationOf(response)).toBe(
      `https://dest.example/landing?utm_source=partner&ps_xid=${clickId}&ps_partner_key=max`,
    );
  });

  it("gives exactly one partner key after the company renames its param to one a link already uses", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/landing",
    });
    await createDefaultLink(env, companyId, groupId, {
      title: "Docs",
      destinationUrl: "https://dest.example/docs",
      utmParams: [["ref", "{partner_key}"]], // the API's own example custom param
      linkText: "docs",
    });
    await addPartner(companyId, groupId, "ana");
    await updateCompanySettings(env, companyId, { partnerKeyParam: "ref" });
    const response = await edgeFetch(`https://${hostname}/ana--docs`);
    await response.text();
    expect(new URL(locationOf(response)).searchParams.getAll("ref")).toEqual(["ana"]);
    expect(locationOf(response)).toBe(`https://dest.example/docs?ps_xid=${clickIdOf(response)}&ref=ana`);
  });

  it("refuses a UTM value that is not valid Unicode, and redirects anyway if one was stored", async () => {
    // A lone surrogate passes JSON parsing (JSON "\ud800" in `utm` or `custom_params`); it must be
    // refused at write time, and a stored one (older data) must never break the link.
    const { hostname, companyId, groupId } = await createCompanyFixture({
      destinationUrl: "https://dest.example/landing",
    });
    await addPartner(companyId, groupId, "sam");
    const linkId = await originalLinkId(groupId);
    const refused = await updateDefaultLink(env, companyId, linkId, { utmParams: [["utm_term", "a\ud800b"]] }).catch(
      (error) => error,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.status).toBe(422);
    expect(refused.errors).toEqual([{ field: "utmParams.0.1", message: "must be valid Unicode text" }]);

    await env.DB.prepare("UPDATE default_links SET utm_params = ? WHERE id = ?")
      .bind(JSON.stringify([["utm_term", "a\ud800b"]]), linkId)
      .run();
    await publishRecord(env, { kind: "group", ref: groupId, companyId }); // as every service write does
    const response = await edgeFetch(`https://${hostname}/sam`);
    await response.text();
    expect(response.status).toBe(302);
    const url = new URL(locationOf(response));
    expect(url.origin + url.pathname).toBe("https://dest.example/landing");
    expect(url.searchParams.get("utm_term")).toBe("a\ufffdb");
    expect(url.searchParams.getAll("ps_partner_key")).toEqual(["sam"]);
  });
});
