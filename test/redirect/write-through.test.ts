// An admin edit through the service layer is visible at the edge on the very next redirect, even
// right after that redirect was served (and cached). Other isolates catch up from KV once their
// copy is older than ISOLATE_FRESH_MS.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { updateCompanySettings } from "../../src/companies/service";
import { setReferralLinksEnabled } from "../../src/groups/service";
import { claimLinkDomain, removeLinkDomain, verifyLinkDomain } from "../../src/link-domains/service";
import { updateDefaultLink } from "../../src/links/service";
import { updatePartner } from "../../src/partners/service";
import { ISOLATE_FRESH_MS, IsolateCache } from "../../src/redirect/isolate-cache";
import { type CompanyRecord, recordKeys, type SiteRecord } from "../../src/redirect/records";
import { type ResolverDeps, resolveRoute } from "../../src/redirect/resolve";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch } from "../helpers/fixtures";
import { clickIdOf, locationOf, originalLinkId, parseSetCookie, throwingDb } from "../helpers/redirect";

async function redirect(url: string, init?: RequestInit): Promise<Response> {
  const response = await edgeFetch(url, init);
  await response.text();
  return response;
}

describe("write-through to the edge (same isolate, next redirect)", () => {
  it("shows an edited destination and UTMs on the very next redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ destinationUrl: "https://old.example/" });
    await addPartner(companyId, groupId, "jane");
    const warm = await redirect(`https://${hostname}/jane`);
    expect(locationOf(warm)).toBe(`https://old.example/?ps_xid=${clickIdOf(warm)}&ps_partner_key=jane`);

    await updateDefaultLink(env, companyId, await originalLinkId(groupId), {
      destinationUrl: "https://new.example/start?v=2#top",
      utmParams: [
        ["utm_source", "edgeref"],
        ["utm_campaign", "{partner_key}"],
      ],
    });
    const after = await redirect(`https://${hostname}/jane`);
    expect(locationOf(after)).toBe(
      "https://new.example/start?v=2&utm_source=edgeref&utm_campaign=jane" +
        `&ps_xid=${clickIdOf(after)}&ps_partner_key=jane#top`,
    );
    // And KV holds the new record for other isolates.
    const record = await env.LINKS_KV.get<SiteRecord>(recordKeys.site(hostname), "json");
    expect(record!.groups[groupId]!.links[0]!.destinationUrl).toBe("https://new.example/start?v=2#top");
  });

  it("shows a lock on the link's UTMs, and its removal, on the next redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ utmParams: [["utm_source", "partner"]] });
    await addPartner(companyId, groupId, "jane");
    const url = `https://${hostname}/jane?utm_source=newsletter`;
    const open = await redirect(url);
    expect(locationOf(open)).toBe(
      `https://dest.example/landing?utm_source=newsletter&ps_xid=${clickIdOf(open)}&ps_partner_key=jane`,
    );
    await updateDefaultLink(env, companyId, await originalLinkId(groupId), { lockUtms: true });
    const locked = await redirect(url);
    expect(locationOf(locked)).toBe(
      `https://dest.example/landing?utm_source=partner&ps_xid=${clickIdOf(locked)}&ps_partner_key=jane`,
    );
    await updateDefaultLink(env, companyId, await originalLinkId(groupId), { lockUtms: false });
    expect(new URL(locationOf(await redirect(url))).searchParams.get("utm_source")).toBe("newsletter");
  });

  it("shows an edit of a non-original default link on its `key--text` slug", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const docs = await createDefaultLink(env, companyId, groupId, {
      title: "Docs",
      destinationUrl: "https://dest.example/docs",
      linkText: "docs",
    });
    expect(locationOf(await redirect(`https://${hostname}/jane--docs`))).toMatch(
      /^https:\/\/dest\.example\/docs\?ps_xid=/,
    );
    await updateDefaultLink(env, companyId, docs.id, { destinationUrl: "https://docs.example/v2" });
    const after = await redirect(`https://${hostname}/jane--docs`);
    expect(locationOf(after)).toBe(`https://docs.example/v2?ps_xid=${clickIdOf(after)}&ps_partner_key=jane`);
  });

  it("shows the company's fallback URL (set, changed, removed) on the next redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const none = await redirect(`https://${hostname}/nobody`);
    expect(none.status).toBe(404);
    await updateCompanySettings(env, companyId, { fallbackUrl: "https://fallback.example/" });
    expect(locationOf(await redirect(`https://${hostname}/nobody`))).toBe("https://fallback.example/");
    await updateCompanySettings(env, companyId, { fallbackUrl: "https://other-fallback.example/join" });
    expect(locationOf(await redirect(`https://${hostname}/nobody`))).toBe("https://other-fallback.example/join");
    await updateCompanySettings(env, companyId, { fallbackUrl: null });
    const removed = await redirect(`https://${hostname}/nobody`);
    expect(removed.status).toBe(404);
    expect(removed.headers.get("location")).toBeNull();
  });

  it("shows new tracking param names and attribution window on the next redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const warm = await redirect(`https://${hostname}/jane?xid=visitor`);
    expect(locationOf(warm)).toBe(
      `https://dest.example/landing?xid=visitor&ps_xid=${clickIdOf(warm)}&ps_partner_key=jane`,
    );

    await updateCompanySettings(env, companyId, {
      clickIdParam: "xid",
      partnerKeyParam: "via",
      attributionWindowDays: 7,
    });
    const after = await redirect(`https://${hostname}/jane?xid=visitor&ps_xid=kept`);
    const clickId = clickIdOf(after, "xid");
    expect(locationOf(after)).toBe(`https://dest.example/landing?ps_xid=kept&xid=${clickId}&via=jane`);
    expect(after.headers.get("set-cookie")).toBe(
      `edgeref_ref=${clickId}.jane; Max-Age=604800; Path=/; SameSite=Lax; Secure`,
    );
  });

  it("shows the referral-links toggle on the next redirect, both ways", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ fallbackUrl: "https://fallback.example/" });
    await addPartner(companyId, groupId, "jane");
    expect(locationOf(await redirect(`https://${hostname}/jane`))).toMatch(
      /^https:\/\/dest\.example\/landing\?ps_xid=/,
    );
    await setReferralLinksEnabled(env, companyId, groupId, false);
    const off = await redirect(`https://${hostname}/jane`);
    expect(locationOf(off)).toBe("https://fallback.example/");
    expect(off.headers.get("set-cookie")).toBeNull();
    await setReferralLinksEnabled(env, companyId, groupId, true);
    expect(locationOf(await redirect(`https://${hostname}/jane`))).toMatch(
      /^https:\/\/dest\.example\/landing\?ps_xid=/,
    );
  });

  it("shows a partner's new key in the tracking params and cookie; the old slug keeps working", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({
      utmParams: [["utm_campaign", "{partner_key}"]],
    });
    const partner = await addPartner(companyId, groupId, "jane");
    expect(new URL(locationOf(await redirect(`https://${hostname}/jane`))).searchParams.get("ps_partner_key")).toBe(
      "jane",
    );
    await updatePartner(env, companyId, partner.id, { partnerKey: "jane-smith" });
    const after = await redirect(`https://${hostname}/jane`);
    const clickId = clickIdOf(after);
    expect(locationOf(after)).toBe(
      `https://dest.example/landing?utm_campaign=jane-smith&ps_xid=${clickId}&ps_partner_key=jane-smith`,
    );
    expect(parseSetCookie(after.headers.get("set-cookie")!).value).toBe(`${clickId}.jane-smith`);
  });

  it("shows a verified and a removed link domain on the next request; a pending claim serves nothing", async () => {
    const { companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const extra = `${crypto.randomUUID().slice(0, 8)}.test`;
    expect((await redirect(`https://${extra}/jane`)).status).toBe(404); // caches "unknown host" in this isolate
    const domain = await claimLinkDomain(env, companyId, { hostname: extra });
    expect((await redirect(`https://${extra}/jane`)).status).toBe(404);
    await verifyLinkDomain(env, companyId, domain.id, { resolveTxt: async () => [domain.verificationToken] });
    const added = await redirect(`https://${extra}/jane`);
    expect(added.status).toBe(302);
    expect(locationOf(added)).toMatch(/^https:\/\/dest\.example\/landing\?ps_xid=/);
    await removeLinkDomain(env, companyId, domain.id);
    const removed = await redirect(`https://${extra}/jane`);
    expect(removed.status).toBe(404);
    expect(removed.headers.get("location")).toBeNull();
  });

  it("serves a new default link's slugs at once when nobody asked for them before", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    expect(locationOf(await redirect(`https://${hostname}/jane`))).toMatch(/^https:\/\/dest\.example\/landing\?/);
    await createDefaultLink(env, companyId, groupId, {
      title: "Blog",
      destinationUrl: "https://blog.example/",
      linkText: "blog",
    });
    const response = await redirect(`https://${hostname}/jane--blog`);
    expect(locationOf(response)).toBe(`https://blog.example/?ps_xid=${clickIdOf(response)}&ps_partner_key=jane`);
  });
});

describe("other isolates (their own cache, refreshed from KV)", () => {
  function otherIsolate(clock: { now: number }) {
    // A separate cache stands for another isolate, which the admin's write-through cannot reach.
    return new IsolateCache({ maxEntries: 100, freshMs: ISOLATE_FRESH_MS, missFreshMs: 5_000, now: () => clock.now });
  }

  it("picks up an edited group from KV once its copy is older than ISOLATE_FRESH_MS", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ destinationUrl: "https://old.example/" });
    await addPartner(companyId, groupId, "jane");
    const clock = { now: Date.now() };
    const cache = otherIsolate(clock);
    const before = await resolveRoute({ db: env.DB, kv: env.LINKS_KV, cache, waitUntil: () => {} }, hostname, "jane");
    expect(before.group!.links[0]!.destinationUrl).toBe("https://old.example/");

    await updateDefaultLink(env, companyId, await originalLinkId(groupId), { destinationUrl: "https://new.example/" });
    // From now on D1 is out of reach: anything new can only come from KV.
    const deps: ResolverDeps = { db: throwingDb, kv: env.LINKS_KV, cache, waitUntil: () => {} };
    clock.now += ISOLATE_FRESH_MS - 1;
    expect((await resolveRoute(deps, hostname, "jane")).group!.links[0]!.destinationUrl).toBe("https://old.example/");
    clock.now += 2;
    const refreshed = await resolveRoute(deps, hostname, "jane");
    expect(refreshed.group!.links[0]!.destinationUrl).toBe("https://new.example/");
    expect(refreshed.slug!.partnerKey).toBe("jane");
    expect(refreshed.site!.company.id).toBe(companyId);
  });

  it("picks up company settings and a disabled group the same way", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const clock = { now: Date.now() };
    const cache = otherIsolate(clock);
    await resolveRoute({ db: env.DB, kv: env.LINKS_KV, cache, waitUntil: () => {} }, hostname, "jane");

    await updateCompanySettings(env, companyId, { fallbackUrl: "https://fallback.example/", clickIdParam: "xid" });
    await setReferralLinksEnabled(env, companyId, groupId, false);
    clock.now += ISOLATE_FRESH_MS + 1;
    const route = await resolveRoute(
      { db: throwingDb, kv: env.LINKS_KV, cache, waitUntil: () => {} },
      hostname,
      "jane",
    );
    expect(route.site!.company).toEqual<CompanyRecord>({
      id: companyId,
      clickIdParam: "xid",
      partnerKeyParam: "ps_partner_key",
      attributionWindowDays: 90,
      fallbackUrl: "https://fallback.example/",
    });
    expect(route.slug!.groupId).toBe(groupId);
    expect(route.group).toBeNull(); // its links are off: not in the site
  });

  it(`finds a slug created after it remembered the slug as unknown, \
once the miss is older than 5 s (README)`, async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const clock = { now: Date.now() };
    const cache = otherIsolate(clock);
    const deps: ResolverDeps = { db: env.DB, kv: env.LINKS_KV, cache, waitUntil: () => {} };
    expect((await resolveRoute(deps, hostname, "jane--pricing")).slug).toBeNull();

    const pricing = await createDefaultLink(env, companyId, groupId, {
      title: "Pricing",
      destinationUrl: "https://dest.example/pricing",
      linkText: "pricing",
    });
    clock.now += 5_001;
    const route = await resolveRoute(deps, hostname, "jane--pricing");
    expect(route.slug).toMatchObject({ partnerKey: "jane", linkText: "pricing", groupId });
    expect(route.group!.links.map((link) => link.id)).toContain(pricing.id);
  });
});
