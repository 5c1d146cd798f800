// Bots, link previews, HEAD and prefetches are redirected but not counted.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addPartner, createCompanyFixture, edgeFetch, eventually } from "../helpers/fixtures";

async function rawKind(clickId: string) {
  const row = await env.DB.prepare("SELECT kind FROM clicks WHERE click_id = ?")
    .bind(clickId)
    .first<{ kind: string }>();
  return row?.kind ?? null;
}

async function countedClicks(partnerId: string) {
  const row = await env.DB.prepare("SELECT coalesce(sum(clicks), 0) AS n FROM click_counts_hourly WHERE partner_id = ?")
    .bind(partnerId)
    .first<{ n: number }>();
  return row!.n;
}

const cases: [string, RequestInit, string][] = [
  [
    "Googlebot",
    { headers: { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" } },
    "bot",
  ],
  [
    "Slack link preview",
    { headers: { "user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" } },
    "bot",
  ],
  [
    "Facebook preview",
    { headers: { "user-agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)" } },
    "bot",
  ],
  ["curl", { headers: { "user-agent": "curl/8.5.0" } }, "bot"],
  ["no user agent", { headers: { "user-agent": "" } }, "bot"],
  ["HEAD", { method: "HEAD" }, "head"],
  ["Sec-Purpose: prefetch", { headers: { "sec-purpose": "prefetch" } }, "prefetch"],
  ["Sec-Purpose: prefetch;prerender", { headers: { "sec-purpose": "prefetch;prerender" } }, "prefetch"],
  ["Purpose: prefetch", { headers: { purpose: "prefetch" } }, "prefetch"],
];

describe("not counted", () => {
  it(`redirects bots, previews, HEAD and prefetches, stores them flagged, \
and counts only the human click`, async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    const partner = await addPartner(companyId, groupId, "jane");
    const sent: [string, string, string][] = [];
    for (const [name, init, kind] of cases) {
      const response = await edgeFetch(`https://${hostname}/jane`, init);
      expect(response.status, name).toBe(302);
      await response.text();
      sent.push([name, new URL(response.headers.get("location")!).searchParams.get("ps_xid")!, kind]);
    }
    for (const [name, clickId, kind] of sent) {
      expect(await eventually(() => rawKind(clickId), kind), name).toBe(kind);
    }
    expect(await countedClicks(partner.id)).toBe(0);

    await (await edgeFetch(`https://${hostname}/jane`)).text();
    expect(await eventually(() => countedClicks(partner.id), 1)).toBe(1);
  });
});
