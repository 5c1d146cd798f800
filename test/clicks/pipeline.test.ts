// End to end: redirects through the edge worker → CLICKS queue → consumer → D1.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import { TRACKING_COOKIE_NAME } from "../../src/redirect/cookie";
import { addPartner, createCompanyFixture, createDefaultLink, edgeFetch, eventually } from "../helpers/fixtures";

async function countsForPartner(partnerId: string) {
  const row = await env.DB.prepare(
    `SELECT coalesce(sum(clicks), 0) AS clicks, coalesce(sum(unique_clicks), 0) AS uniques,
            (SELECT count(*) FROM clicks WHERE partner_id = ?1) AS raw
     FROM click_counts_hourly WHERE partner_id = ?1`,
  )
    .bind(partnerId)
    .first<{ clicks: number; uniques: number; raw: number }>();
  return row!;
}

it("N redirects become N raw clicks and matching hourly counts once the queue drains", async () => {
  const { companyId, groupId, hostname } = await createCompanyFixture();
  await createDefaultLink(env, companyId, groupId, {
    title: "Pricing",
    destinationUrl: "https://dest.example/pricing",
    linkText: "pricing",
  });
  const partner = await addPartner(companyId, groupId);

  const visitors = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"];
  const N = 60;
  const clickIds = new Set<string>();
  for (let i = 0; i < N; i++) {
    const slug = i % 3 === 0 ? `${partner.partnerKey}--pricing` : partner.partnerKey;
    const response = await edgeFetch(`https://${hostname}/${slug}?i=${i}`, {
      headers: { "cf-connecting-ip": visitors[i % visitors.length]! },
    });
    expect(response.status).toBe(302);
    const cookie = response.headers.get("set-cookie")!;
    clickIds.add(cookie.slice(TRACKING_COOKIE_NAME.length + 1, cookie.indexOf(".")));
  }
  expect(clickIds.size).toBe(N);

  const counts = await eventually(() => countsForPartner(partner.id).then((c) => c.raw), N);
  expect(counts).toBe(N);
  const final = await eventually(() => countsForPartner(partner.id).then((c) => c.clicks), N);
  expect(final).toBe(N);
  // Unique clicks = distinct visitors per link and hour, recomputed from the raw rows.
  const distinct = await env.DB.prepare(
    `SELECT count(*) AS n FROM (SELECT DISTINCT partner_link_id, hour, visitor_hash FROM clicks WHERE partner_id = ?)`,
  )
    .bind(partner.id)
    .first<{ n: number }>();
  const { uniques } = await countsForPartner(partner.id);
  expect(uniques).toBe(distinct!.n);
  expect(uniques).toBeGreaterThanOrEqual(10); // 2 links × 5 visitors, more only across an hour boundary

  const { results } = await env.DB.prepare("SELECT click_id FROM clicks WHERE partner_id = ?")
    .bind(partner.id)
    .all<{ click_id: string }>();
  expect(new Set(results.map((row) => row.click_id))).toEqual(clickIds);
});

it("stores no visitor IP in any column of clicks, click_visitors or the hourly counts", async () => {
  const { companyId, groupId, hostname } = await createCompanyFixture();
  const partner = await addPartner(companyId, groupId);
  const ips = ["198.51.100.77", "203.0.113.254", "2001:db8::77"];
  const N = 9;
  for (let i = 0; i < N; i++) {
    const response = await edgeFetch(`https://${hostname}/${partner.partnerKey}`, {
      headers: { "cf-connecting-ip": ips[i % ips.length]!, referer: "https://blog.example/post" },
    });
    await response.text();
    expect(response.status).toBe(302);
  }
  expect(await eventually(() => countsForPartner(partner.id).then((c) => c.raw), N)).toBe(N);
  expect(await eventually(() => countsForPartner(partner.id).then((c) => c.clicks), N)).toBe(N);

  // The IP did reach the visitor hash: three addresses, three visitors.
  const visitors = await env.DB.prepare("SELECT count(DISTINCT visitor_hash) AS n FROM clicks WHERE partner_id = ?")
    .bind(partner.id)
    .first<{ n: number }>();
  expect(visitors!.n).toBe(ips.length);

  // Neither the address nor its unsalted hash appears anywhere, in any column of any row.
  const forbidden = [...ips, ...(await Promise.all(ips.map(async (ip) => (await sha256Hex(ip)).slice(0, 32))))];
  let scanned = 0;
  for (const table of ["clicks", "click_visitors", "click_counts_hourly"]) {
    const { results } = await env.DB.prepare(`SELECT * FROM ${table}`).all<Record<string, unknown>>();
    expect(results.length, table).toBeGreaterThan(0);
    for (const row of results) {
      for (const [column, value] of Object.entries(row)) {
        scanned++;
        for (const needle of forbidden) expect(String(value), `${table}.${column}`).not.toContain(needle);
      }
    }
  }
  expect(scanned).toBeGreaterThan(N * 13);
});
