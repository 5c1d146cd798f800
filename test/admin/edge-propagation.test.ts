// Every admin change reaches the edge: the next redirect after an API call reflects it.
import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/admin/app";
import { api, apiVia, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { FakeDns } from "../helpers/dns";
import { edgeFetch } from "../helpers/fixtures";

async function live() {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" }),
    201,
  );
  const url = `https://${t.hostname}/jane-doe`;
  expect((await edgeFetch(url)).status).toBe(302); // warm every cache
  return { ...t, group, partner, url };
}

describe("company settings at the edge", () => {
  it("fallback URL, tracking param names and attribution window apply on the next redirect", async () => {
    const t = await live();
    const patched = await api(t.key, "PATCH", "/v1/company", {
      fallback_url: "https://acme.example/partners",
      click_id_param: "xid",
      partner_key_param: "ref",
      attribution_window_days: 30,
      attribution_model: "first_click",
    });
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({
      click_id_param: "xid",
      partner_key_param: "ref",
      attribution_window_days: 30,
      attribution_model: "first_click",
    });
    const response = await edgeFetch(t.url);
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("ref")).toBe("jane-doe");
    expect(location.searchParams.get("xid")).toMatch(/^[0-9a-z]{26}$/);
    expect(response.headers.get("set-cookie")).toContain("Max-Age=2592000");
    expect((await edgeFetch(`https://${t.hostname}/nobody`)).headers.get("location")).toBe(
      "https://acme.example/partners",
    );
  });

  it("refuses identical click id and partner key param names", async () => {
    const t = await live();
    const r = await api(t.key, "PATCH", "/v1/company", { click_id_param: "ps_partner_key" });
    expectStatus(r, 422);
    expect(r.body.errors?.[0]?.field).toBe("partner_key_param");
  });
});

describe("link domains at the edge", () => {
  it("adds a custom hostname with a parent cookie domain, serves it once verified, then removes it", async () => {
    const t = await live();
    const parent = `${crypto.randomUUID().slice(0, 8)}.example`;
    const added = await api(t.key, "POST", "/v1/link-domains", { hostname: `Try.${parent}`, cookie_domain: parent });
    expectStatus(added, 201);
    expect(added.body).toMatchObject({
      object: "link_domain",
      hostname: `try.${parent}`,
      cookie_domain: parent,
      status: "pending",
    });
    const dns = new FakeDns();
    dns.setTxt(added.body.verification.name, [added.body.verification.value]);
    const verified = await apiVia(createAdminApp({ resolveTxt: dns.resolveTxt }).fetch)(
      t.key,
      "POST",
      `/v1/link-domains/${added.body.id}/verify`,
    );
    expect(verified.body).toMatchObject({ status: "verified" });
    const response = await edgeFetch(`https://try.${parent}/jane-doe`);
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toContain(`Domain=${parent}`);

    const removed = await api(t.key, "DELETE", `/v1/link-domains/${added.body.id}`);
    expectStatus(removed, 200);
    const gone = await edgeFetch(`https://try.${parent}/jane-doe`);
    expect(gone.status).toBe(404);
    await gone.text();
  });

  it.each([
    [{ hostname: "try.acme.com", cookie_domain: "other.com" }, "cookie_domain"],
    [{ hostname: "try.acme.com", cookie_domain: "cme.com" }, "cookie_domain"],
    [{ hostname: "try.acme.com", cookie_domain: "com" }, "cookie_domain"],
    [{ hostname: "try.acme.co.uk", cookie_domain: "co.uk" }, "cookie_domain"],
    [{ hostname: "acme.github.io", cookie_domain: "github.io" }, "cookie_domain"],
    [{ hostname: "https://try.acme.com" }, "hostname"],
    [{ hostname: "try acme.com" }, "hostname"],
  ])("refuses %j", async (body, field) => {
    const t = await newTenant();
    const before = await api(t.key, "GET", "/v1/link-domains");
    const r = await api(t.key, "POST", "/v1/link-domains", body);
    expectStatus(r, 422);
    expect(r.body.errors?.map((e: { field: string }) => e.field)).toEqual([field]);
    expect((await api(t.key, "GET", "/v1/link-domains")).body).toEqual(before.body);
  });

  it("refuses a hostname another company verified", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const r = await api(b.key, "POST", "/v1/link-domains", { hostname: a.hostname });
    expectStatus(r, 409);
    expect(r.body.type).toBe("urn:edgeref:problem:hostname-taken");
  });
});

describe("groups, links and partners at the edge", () => {
  it("referral links off, then on; archived group → fallback", async () => {
    const t = await live();
    await api(t.key, "PATCH", "/v1/company", { fallback_url: "https://acme.example/closed" });
    await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { referral_links_enabled: false });
    expect((await edgeFetch(t.url)).headers.get("location")).toBe("https://acme.example/closed");
    await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { referral_links_enabled: true });
    expect((await edgeFetch(t.url)).headers.get("location")).toMatch(/^https:\/\/acme\.example\/a\?/);

    const other = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Other", destination_url: "https://acme.example/o" }),
      201,
    );
    await api(t.key, "PATCH", "/v1/company", { default_group_id: other.id });
    await api(t.key, "POST", `/v1/groups/${t.group.id}/archive`);
    expect((await edgeFetch(t.url)).headers.get("location")).toBe("https://acme.example/closed");
  });

  it("an edited original link destination", async () => {
    const t = await live();
    const original = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/links`), 200).data[0]!;
    await api(t.key, "PATCH", `/v1/links/${original.id}`, {
      destination_url: "https://acme.example/new",
      custom_params: { via: "{partner_key}" },
    });
    expect((await edgeFetch(t.url)).headers.get("location")).toMatch(
      /^https:\/\/acme\.example\/new\?via=jane-doe&ps_xid=/,
    );
  });
});
