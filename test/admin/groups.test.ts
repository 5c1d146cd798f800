// Groups, plans and group settings through the API.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const newGroup = (key: string, name = "Affiliates", extra: object = {}) =>
  api(key, "POST", "/v1/groups", { name, destination_url: "https://acme.example/signup", ...extra });

describe("groups: happy path", () => {
  it("creates a group with its original link; the first group becomes the default", async () => {
    const t = await newTenant();
    const created = await newGroup(t.key, "Affiliates", {
      utm: { utm_source: "partner", utm_campaign: "{partner_key}" },
      custom_params: { ref: "x" },
    });
    expectStatus(created, 201);
    expect(created.body).toMatchObject({
      object: "group",
      name: "Affiliates",
      slug: "affiliates",
      is_default: true,
      referral_links_enabled: true,
    });
    expect(created.body.program_page_url).toBe(`https://admin.edgeref.test/programs/${t.company.slug}/affiliates`);
    const links = await api(t.key, "GET", `/v1/groups/${created.body.id}/links`);
    expectStatus(links, 200);
    expect(links.body.data).toHaveLength(1);
    expect(links.body.data[0]).toMatchObject({
      position: 1,
      is_original: true,
      destination_url: "https://acme.example/signup",
      utm: { utm_source: "partner", utm_campaign: "{partner_key}" },
      custom_params: { ref: "x" },
      link_text: "",
    });
    const second = await newGroup(t.key, "Resellers");
    expectStatus(second, 201);
    expect(second.body.is_default).toBe(false);
    expect(bodyOf(await api(t.key, "GET", "/v1/company"), 200).default_group_id).toBe(created.body.id);
  });

  it("lists groups with cursor pagination, each with stats (zeros before the first rollup)", async () => {
    const t = await newTenant();
    const ids = [];
    for (const name of ["A", "B", "C"]) ids.push(bodyOf(await newGroup(t.key, name), 201).id);
    const first = await api(t.key, "GET", "/v1/groups?limit=2");
    expectStatus(first, 200);
    expect(first.body.data.map((g: { id: string }) => g.id)).toEqual(ids.slice(0, 2));
    expect(first.body.has_more).toBe(true);
    expect(first.body.data[0]!.stats).toEqual({
      partners: 0,
      clicks: 0,
      signups_paid: 0,
      signups_unpaid: 0,
      revenue_usd_cents: 0,
      refreshed_at: null,
    });
    const rest = await api(t.key, "GET", `/v1/groups?limit=2&starting_after=${ids[1]}`);
    expectStatus(rest, 200);
    expect(rest.body.data.map((g: { id: string }) => g.id)).toEqual([ids[2]]);
    expect(rest.body.has_more).toBe(false);

    // As the hourly rollup would leave them (the rollup itself is tested in test/rollup).
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO group_stats (group_id, company_id, partners, clicks, signups_paid, signups_unpaid, " +
          "revenue_usd_cents, refreshed_at) VALUES (?, ?, 3, 40, 2, 5, 12345, ?)",
      ).bind(ids[0], t.companyId, Date.UTC(2026, 10, 25, 8)),
      env.DB.prepare("INSERT OR REPLACE INTO rollup_state (name, value) VALUES ('last_run_at:' || ?, ?)").bind(
        t.companyId,
        Date.UTC(2026, 10, 25, 8),
      ),
    ]);
    const got = await api(t.key, "GET", `/v1/groups/${ids[0]}`);
    expectStatus(got, 200);
    expect(got.body.stats).toEqual({
      partners: 3,
      clicks: 40,
      signups_paid: 2,
      signups_unpaid: 5,
      revenue_usd_cents: 12345,
      refreshed_at: "2026-11-25T08:00:00.000Z",
    });
  });

  it("changes the default group and refuses to archive it", async () => {
    const t = await newTenant();
    const a = bodyOf(await newGroup(t.key, "A"), 201);
    const b = bodyOf(await newGroup(t.key, "B"), 201);
    const archiveDefault = await api(t.key, "POST", `/v1/groups/${a.id}/archive`);
    expectStatus(archiveDefault, 409);
    expect(problemType(archiveDefault)).toBe("default-group");
    const changed = await api(t.key, "PATCH", "/v1/company", { default_group_id: b.id });
    expectStatus(changed, 200);
    expect(changed.body.default_group_id).toBe(b.id);
    const archived = await api(t.key, "POST", `/v1/groups/${a.id}/archive`);
    expectStatus(archived, 200);
    expect(archived.body.archived_at).not.toBeNull();
    const toArchived = await api(t.key, "PATCH", "/v1/company", { default_group_id: a.id });
    expectStatus(toArchived, 422);
    expect(toArchived.body.errors?.[0]?.field).toBe("default_group_id");
  });

  it("renames a group: the program page slug follows and the old page redirects to the new one", async () => {
    const t = await newTenant();
    const g = bodyOf(await newGroup(t.key, "Affiliates"), 201);
    const renamed = await api(t.key, "PATCH", `/v1/groups/${g.id}`, { name: "Premium Partners" });
    expectStatus(renamed, 200);
    expect(renamed.body.slug).toBe("premium-partners");
    const page = await api(null, "GET", `/programs/${t.company.slug}/premium-partners`);
    expectStatus(page, 200);
    expect(page.body).toContain("Premium Partners");
    const old = await api(null, "GET", `/programs/${t.company.slug}/affiliates`);
    expectStatus(old, 301);
    expect(old.headers.get("location")).toBe(`/programs/${t.company.slug}/premium-partners`);
    // Renaming back revives the first slug; the intermediate one now redirects.
    await api(t.key, "PATCH", `/v1/groups/${g.id}`, { name: "Affiliates" });
    expect((await api(null, "GET", `/programs/${t.company.slug}/affiliates`)).status).toBe(200);
    expect((await api(null, "GET", `/programs/${t.company.slug}/premium-partners`)).status).toBe(301);
    // Another group cannot take a slug that still redirects.
    const other = await newGroup(t.key, "Premium Partners");
    expectStatus(other, 201);
    expect(other.body.slug).toBe("premium-partners-2");
  });
});

describe("groups: error cases", () => {
  it.each([
    [{ name: "A", destination_url: "javascript:alert(1)" }, "destination_url"],
    [{ name: "A", destination_url: "ftp://files.example/" }, "destination_url"],
    [{ name: "A", destination_url: "https://user:pw@acme.example/" }, "destination_url"],
    [{ name: "A", destination_url: "/relative" }, "destination_url"],
    [{ name: "", destination_url: "https://acme.example/" }, "name"],
    [{ destination_url: "https://acme.example/" }, "name"],
    [{ name: "A", destination_url: "https://acme.example/", color: "red" }, "color"],
    [{ name: "A", destination_url: "https://acme.example/", utm: { utm_source: 5 } }, "utm.utm_source"],
    [{ name: "A", destination_url: "https://acme.example/", custom_params: { utm_x: "1" } }, "custom_params.utm_x"],
  ])("refuses %j with 422 naming the field, writing nothing", async (body, field) => {
    const t = await newTenant();
    const before = await tableSnapshot();
    const r = await api(t.key, "POST", "/v1/groups", body);
    expectStatus(r, 422);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body.errors?.map((e: { field: string }) => e.field).join(" ")).toContain(field);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("answers 404 for an unknown group", async () => {
    const t = await newTenant();
    const r = await api(t.key, "GET", "/v1/groups/grp_nope");
    expectStatus(r, 404);
    expect(problemType(r)).toBe("not-found");
  });
});

describe("plans", () => {
  it("allows one live group on starter: a second is a 403 naming the limit, until one is archived", async () => {
    const t = await newTenant("starter");
    const first = await newGroup(t.key, "A");
    expectStatus(first, 201);
    const second = await newGroup(t.key, "B");
    expectStatus(second, 403);
    expect(problemType(second)).toBe("plan-limit-groups");
    expect(bodyOf(await api(t.key, "GET", "/v1/groups"), 200).data).toHaveLength(1);
  });

  it("enforces the group limit under concurrent creates", async () => {
    const t = await newTenant("starter");
    const results = await Promise.all(["A", "B", "C", "D"].map((name) => newGroup(t.key, name)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 403)).toHaveLength(3);
  });

  it("gates lead submission, deal registration and application forms by plan", async () => {
    const starter = await newTenant("starter");
    const sg = bodyOf(await newGroup(starter.key), 201);
    for (const [feature, type] of [
      ["lead_submission", "plan-feature-lead-submission"],
      ["deal_registration", "plan-feature-deal-registration"],
      ["application_form", "plan-feature-application-forms"],
    ]) {
      const r = await api(starter.key, "PATCH", `/v1/groups/${sg.id}`, { features: { [feature!]: true } });
      expectStatus(r, 403, feature);
      expect(problemType(r)).toBe(type);
    }
    const growth = await newTenant("growth");
    const gg = bodyOf(await newGroup(growth.key), 201);
    const lead = await api(growth.key, "PATCH", `/v1/groups/${gg.id}`, {
      features: { lead_submission: true, application_form: true },
    });
    expectStatus(lead, 200);
    expect(lead.body.features).toEqual({ lead_submission: true, deal_registration: false, application_form: true });
    expect(
      (await api(growth.key, "PATCH", `/v1/groups/${gg.id}`, { features: { deal_registration: true } })).status,
    ).toBe(403);
    expect(bodyOf(await api(growth.key, "GET", "/v1/company"), 200).plan_limits).toEqual({
      max_groups: 10,
      lead_submission: true,
      deal_registration: false,
      application_forms: true,
    });
  });
});

describe("group settings: terms of service", () => {
  it("shows the group's terms URL, else the company's, as effective_terms_url", async () => {
    const t = await newTenant();
    const g = bodyOf(await newGroup(t.key), 201);
    expect(g.effective_terms_url).toBeNull();
    await api(t.key, "PATCH", "/v1/company", { terms_url: "https://acme.com/terms" });
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${g.id}`), 200).effective_terms_url).toBe(
      "https://acme.com/terms",
    );
    const own = await api(t.key, "PATCH", `/v1/groups/${g.id}`, { terms_url: "https://acme.com/terms/resellers" });
    expect(own.body).toMatchObject({
      terms_url: "https://acme.com/terms/resellers",
      effective_terms_url: "https://acme.com/terms/resellers",
    });
    const page = await api(null, "GET", `/programs/${t.company.slug}/${g.slug}`);
    expect(page.body).toContain('href="https://acme.com/terms/resellers"');
    const cleared = await api(t.key, "PATCH", `/v1/groups/${g.id}`, { terms_url: null });
    expectStatus(cleared, 200);
    expect(cleared.body.effective_terms_url).toBe("https://acme.com/terms");
  });

  it.each([
    "http://acme.com/terms",
    "https://localhost/terms",
    "https://intranet.local/terms",
    "https://10.0.0.8/terms",
    "https://192.168.1.20/terms",
    "https://127.0.0.1/terms",
    "https://2130706433/terms",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/terms",
    "https://[fd00::1]/terms",
    "https://[::ffff:10.0.0.1]/terms",
    "https://user:pass@acme.com/terms",
    "https://terms/",
    "https://acme.test/terms",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "not a url",
  ])("refuses %s as a terms URL", async (url) => {
    const t = await newTenant();
    const g = bodyOf(await newGroup(t.key), 201);
    const r = await api(t.key, "PATCH", `/v1/groups/${g.id}`, { terms_url: url });
    expectStatus(r, 422);
    expect(r.body.errors?.[0]?.field).toBe("terms_url");
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${g.id}`), 200).terms_url).toBeNull();
  });

  it.each([
    "https://acme.com/terms",
    "https://legal.acme.co.uk/partners?v=2#section",
    "https://8.8.8.8/terms",
    "https://[2606:4700::1111]/t",
  ])("accepts %s as a terms URL", async (url) => {
    const t = await newTenant();
    const g = bodyOf(await newGroup(t.key), 201);
    const r = await api(t.key, "PATCH", `/v1/groups/${g.id}`, { terms_url: url });
    expectStatus(r, 200);
  });
});
