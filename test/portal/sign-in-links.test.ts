// Sign-in links into the partner portal, as the admin API issues them: 256-bit, stored as a SHA-256
// only, 15 minutes, for an active partner of the caller's company, not shown again on a replay.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const unique = () => crypto.randomUUID().slice(0, 8);

async function tenantWithPartner() {
  const t = await newTenant("enterprise");
  expectStatus(await api(t.key, "POST", "/v1/groups", { name: "Main", destination_url: "https://acme.example/" }), 201);
  const n = unique();
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: `p${n}@example.com`, first_name: "Pat", last_name: n }),
    201,
  );
  return { ...t, partner };
}

describe("POST /v1/partners/{id}/sign-in-links", () => {
  it("a one-time portal URL for 15 minutes; stores only the token's SHA-256, replays without it", async () => {
    const t = await tenantWithPartner();
    const headers = { "idempotency-key": `link-${unique()}` };
    const before = Date.now();
    const created = await api(t.key, "POST", `/v1/partners/${t.partner.id}/sign-in-links`, undefined, headers);
    expectStatus(created, 201);
    const { url, expires_at } = created.body;
    expect(url).toMatch(
      new RegExp(`^https://admin\\.edgeref\\.test/portal/${t.company.slug}/sign-in/[A-Za-z0-9_-]{43}$`),
    );
    const token = url!.slice(url!.lastIndexOf("/") + 1);
    const expiresAt = Date.parse(expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);

    const rows = await env.DB.prepare("SELECT * FROM portal_sign_in_links WHERE partner_id = ?")
      .bind(t.partner.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({
      company_id: t.companyId,
      token_hash: await sha256Hex(token),
      expires_at: expiresAt,
      used_at: null,
    });
    expect(JSON.stringify(await tableSnapshot())).not.toContain(token);

    const replay = await api(t.key, "POST", `/v1/partners/${t.partner.id}/sign-in-links`, undefined, headers);
    expectStatus(replay, 201);
    expect(replay.body).toMatchObject({ object: "sign_in_link", partner_id: t.partner.id, url: null });
  });

  it("each call is a new link with its own token", async () => {
    const t = await tenantWithPartner();
    const urls = new Set<string>();
    for (let i = 0; i < 3; i++)
      urls.add(bodyOf(await api(t.key, "POST", `/v1/partners/${t.partner.id}/sign-in-links`), 201).url!);
    expect(urls.size).toBe(3);
  });

  it("an archived partner: 422 on partner_id, nothing written", async () => {
    const t = await tenantWithPartner();
    expectStatus(await api(t.key, "PATCH", `/v1/partners/${t.partner.id}`, { status: "archived" }), 200);
    const before = await tableSnapshot();
    const r = await api(t.key, "POST", `/v1/partners/${t.partner.id}/sign-in-links`);
    expectStatus(r, 422);
    expect(r.body.errors).toEqual([{ field: "partner_id", message: "the partner is archived" }]);
    expect(await tableSnapshot()).toEqual(before);
  });
});
