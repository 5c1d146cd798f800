// Company settings in the console: default group, terms and fallback URLs (PATCH /v1/company's rules),
// link domains with their state, API keys (the secret shown once, revoke, never the last one).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimLinkDomain } from "../../src/link-domains/service";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { consoleTenant, decodeHtml, fieldError } from "../helpers/console";

describe("company settings", () => {
  it("saves the default group, terms URL and fallback URL; the API then shows them", async () => {
    const t = await consoleTenant();
    const make = async (name: string) =>
      bodyOf(await api(t.key, "POST", "/v1/groups", { name, destination_url: "https://a.example/" }), 201);
    await make("Affiliates");
    const resellers = await make("Resellers");
    const page = await t.browser.get("/console/settings");
    expect(page.status).toBe(200);
    const r = await t.browser.post("/console/settings", {
      default_group_id: resellers.id,
      terms_url: "https://acme.com/terms",
      fallback_url: "https://acme.com/partners",
    });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/console/settings?notice=saved");
    expect(bodyOf(await api(t.key, "GET", "/v1/company"), 200)).toMatchObject({
      default_group_id: resellers.id,
      terms_url: "https://acme.com/terms",
      fallback_url: "https://acme.com/partners",
    });
    const after = await t.browser.get(r.location!);
    expect(after.html).toContain("Saved.");
    expect(after.html).toContain(`<option value="${resellers.id}" selected="">Resellers</option>`);
    // Empty URLs clear them.
    await t.browser.post("/console/settings", { default_group_id: resellers.id, terms_url: "", fallback_url: "" });
    expect(bodyOf(await api(t.key, "GET", "/v1/company"), 200)).toMatchObject({ terms_url: null, fallback_url: null });
  });

  it("shows the API's rule for each URL next to its field; nothing written", async () => {
    const t = await consoleTenant();
    await t.browser.get("/console/settings");
    const before = await tableSnapshot();
    const r = await t.browser.post("/console/settings", {
      terms_url: "http://acme.com/t",
      fallback_url: "javascript:x",
    });
    expect(r.status).toBe(422);
    expect(fieldError(r.html, "terms_url")).toBe("Terms of service URL must use https");
    expect(fieldError(r.html, "fallback_url")).toBe(
      "Fallback URL must be an absolute http or https URL without credentials",
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("lists link domains with their verification state and, for a pending one, the TXT record", async () => {
    const t = await consoleTenant();
    const pending = await claimLinkDomain(env, t.companyId, { hostname: `try-${t.companyId.slice(-6)}.acme.com` });
    const page = await t.browser.get("/console/settings/link-domains");
    const html = decodeHtml(page.html);
    expect(html).toContain(
      `<th scope="row">${t.hostname}</th><td data-label="State">Verified: serves your partner links`,
    );
    expect(html).toContain(`<th scope="row">${pending.hostname}</th><td data-label="State">Pending`);
    // The record to create is in the domain's "Verify" section, the table links to it.
    expect(html).toContain(`<a href="#verify-section-${pending.id}">How to verify`);
    expect(html).toContain(`value="_edgeref-challenge.${pending.hostname}" readonly`);
    expect(html).toContain(`value="${pending.verificationToken}" readonly`);
  });
});

describe("API keys", () => {
  it("creates a key whose secret is shown once and works; the list shows only its prefix", async () => {
    const t = await consoleTenant();
    await t.browser.get("/console/settings/api-keys");
    const r = await t.browser.post("/console/settings/api-keys", { name: "Billing backend" });
    expect(r.status).toBe(200);
    const secret = /value="(sk_live_[A-Za-z0-9_-]{43})" readonly/.exec(r.html)?.[1];
    expect(secret).toBeTruthy();
    expect(r.html).toContain("only this once");
    expectStatus(await api(secret!, "GET", "/v1/groups"), 200);
    const list = await t.browser.get("/console/settings/api-keys");
    expect(list.html).not.toContain(secret);
    expect(list.html).toContain(`<code>${secret!.slice(0, 14)}…</code>`);
    const empty = await t.browser.post("/console/settings/api-keys", { name: "" });
    expect(fieldError(empty.html, "name")).toBe("Enter a name for the key");
  });

  it("revokes a key (the API then refuses it), never the company's last active one (the API's message)", async () => {
    const t = await consoleTenant();
    await t.browser.get("/console/settings/api-keys");
    const created = await t.browser.post("/console/settings/api-keys", { name: "Second" });
    const secret = /value="(sk_live_[A-Za-z0-9_-]{43})" readonly/.exec(created.html)![1]!;
    const second = bodyOf(await api(t.key, "GET", "/v1/api-keys"), 200).data.find((k) => k.name === "Second")!;
    const revoked = await t.browser.post(`/console/settings/api-keys/${second.id}/revoke`);
    expect(revoked.location).toBe("/console/settings/api-keys?notice=revoked");
    expectStatus(await api(secret, "GET", "/v1/groups"), 401);
    const before = await tableSnapshot();
    const last = await t.browser.post(`/console/settings/api-keys/${t.keyId}/revoke`);
    expect(last.status).toBe(409);
    expect(decodeHtml(last.html)).toContain(
      "This is the company's last active API key; create another before revoking it.",
    );
    expect(await tableSnapshot()).toEqual(before);
    expectStatus(await api(t.key, "GET", "/v1/groups"), 200);
  });
});
