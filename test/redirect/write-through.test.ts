// An admin edit through the service layer is visible at the edge on the next redirect.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { updateCompanySettings } from "../../src/companies/service";
import { setReferralLinksEnabled } from "../../src/groups/service";
import { updateDefaultLink } from "../../src/links/service";
import { IsolateCache, ISOLATE_FRESH_MS } from "../../src/redirect/isolate-cache";
import { recordKeys, type GroupRecord } from "../../src/redirect/records";
import { resolveRoute } from "../../src/redirect/resolve";
import { addPartner, createCompanyFixture, edgeFetch } from "../helpers/fixtures";

async function originalLinkId(groupId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM default_links WHERE group_id = ? AND position = 1").bind(groupId).first<{ id: string }>();
  return row!.id;
}

describe("write-through to the edge", () => {
  it("shows an edited destination and UTMs on the very next redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ destinationUrl: "https://old.example/" });
    await addPartner(companyId, groupId, "jane");
    const warm = await edgeFetch(`https://${hostname}/jane`);
    expect(warm.headers.get("location")).toMatch(/^https:\/\/old\.example\/\?ps_xid=/);

    await updateDefaultLink(env, companyId, await originalLinkId(groupId), {
      destinationUrl: "https://new.example/start",
      utmParams: [["utm_source", "edgeref"]],
    });
    const after = await edgeFetch(`https://${hostname}/jane`);
    expect(after.headers.get("location")).toMatch(/^https:\/\/new\.example\/start\?utm_source=edgeref&ps_xid=/);
    // And KV holds the new record for other isolates.
    const record = await env.LINKS_KV.get<GroupRecord>(recordKeys.group(groupId), "json");
    expect(record!.links[0]!.destinationUrl).toBe("https://new.example/start");
  });

  it("shows company settings and the referral-links toggle on the next redirect", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    await (await edgeFetch(`https://${hostname}/nobody`)).text();
    await updateCompanySettings(env, companyId, { fallbackUrl: "https://fallback.example/", clickIdParam: "xid" });
    expect((await edgeFetch(`https://${hostname}/nobody`)).headers.get("location")).toBe("https://fallback.example/");
    expect(new URL((await edgeFetch(`https://${hostname}/jane`)).headers.get("location")!).searchParams.has("xid")).toBe(true);
    await setReferralLinksEnabled(env, companyId, groupId, false);
    expect((await edgeFetch(`https://${hostname}/jane`)).headers.get("location")).toBe("https://fallback.example/");
  });

  it("another isolate picks up the change from KV once its cached copy is older than ISOLATE_FRESH_MS", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture({ destinationUrl: "https://old.example/" });
    await addPartner(companyId, groupId, "jane");
    let now = Date.now();
    // A separate cache stands for another isolate, which the admin's write-through cannot reach.
    const otherIsolate = new IsolateCache({ maxEntries: 100, freshMs: ISOLATE_FRESH_MS, missFreshMs: 5_000, now: () => now });
    const deps = { db: env.DB, kv: env.LINKS_KV, cache: otherIsolate, waitUntil: () => {} };
    const before = await resolveRoute(deps, hostname, "jane");
    expect(before.group!.links[0]!.destinationUrl).toBe("https://old.example/");

    await updateDefaultLink(env, companyId, await originalLinkId(groupId), { destinationUrl: "https://new.example/" });
    now += ISOLATE_FRESH_MS - 1;
    expect((await resolveRoute(deps, hostname, "jane")).group!.links[0]!.destinationUrl).toBe("https://old.example/");
    now += 2;
    expect((await resolveRoute(deps, hostname, "jane")).group!.links[0]!.destinationUrl).toBe("https://new.example/");
  });
});
