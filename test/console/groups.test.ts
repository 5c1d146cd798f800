// The Groups tab and a group's page: the hourly stats as the API reads them, the plan's group limit
// shown and enforced with the API's message, "Create group", the tab nav (placeholders for the tabs
// not built yet), and the Settings tab (rename → new program page link, terms URL rules of the API).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GROUP_TABS } from "../../src/console/group-page";
import { runRollup } from "../../src/rollup/rollup";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { recordClick } from "../helpers/clicks";
import { consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

/** A path's page, following the console's redirects (303) to the page they lead to. */
async function follow(browser: Awaited<ReturnType<typeof consoleTenant>>["browser"], path: string) {
  let r = await browser.get(path);
  for (let i = 0; i < 3 && r.status === 303 && r.location; i++) r = await browser.get(r.location);
  return r;
}

/** The cells of the groups table's row for `name`: [partners, clicks, signups, revenue]. */
function groupRow(html: string, name: string): string[] {
  const row = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((r) => r.includes(`>${name}</a>`));
  if (!row) throw new Error(`no row for ${name}`);
  return [...row.matchAll(/<td data-label="[^"]+">([\s\S]*?)<\/td>/g)].map((m) =>
    decodeHtml(
      m[1]!
        .replace(/<[^>]+>/g, "")
        .replace(/\s+/g, " ")
        .trim(),
    ),
  );
}

/** The rows a group creation writes. */
async function groupRows() {
  const snapshot = await tableSnapshot();
  return { groups: snapshot.groups, default_links: snapshot.default_links, forms: snapshot.forms };
}

describe("Groups tab", () => {
  it("lists each group's partners, clicks, signups (paid + unpaid), USD revenue, as the API's list does", async () => {
    const t = await consoleTenant("growth");
    const group = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
      201,
    );
    const jane = await addPartner(t.companyId, group.id, `jane-${crypto.randomUUID().slice(0, 6)}`);
    await addPartner(t.companyId, group.id);
    for (let i = 0; i < 3; i++) await recordClick({ companyId: t.companyId, groupId: group.id, partnerId: jane.id });
    for (const key of ["c-paid", "c-unpaid"]) {
      const body = { customer_key: key, email: `${key}@buyer.example`, partner_key: jane.partnerKey };
      expectStatus(await api(t.key, "POST", "/v1/customers", body), 201);
    }
    const sale = { key: "t1", customer_key: "c-paid", amount: 12345, currency: "USD" };
    expectStatus(await api(t.key, "POST", "/v1/transactions", sale), 201);

    const before = await t.browser.get("/console");
    expect(groupRow(before.html, "Affiliates")).toEqual(["0", "0", "0 (0 paid, 0 unpaid)", "$0.00"]);
    expect(before.html).toContain("Statistics are updated hourly. None yet");

    await runRollup(env);
    const page = await t.browser.get("/console");
    expect(page.status).toBe(200);
    expect(groupRow(page.html, "Affiliates")).toEqual(["2", "3", "2 (1 paid, 1 unpaid)", "$123.45"]);
    const listed = bodyOf(await api(t.key, "GET", "/v1/groups"), 200).data[0]!;
    expect(listed.stats).toMatchObject({ partners: 2, clicks: 3, signups_paid: 1, signups_unpaid: 1 });
    expect(listed.stats.revenue_usd_cents).toBe(12345);
    expect(page.html).toContain(`Last updated <time datetime="${listed.stats.refreshed_at}">`);
    expect(page.html).toContain("1 of 10 groups on the growth plan");
  });

  it("shows the plan's group limit ('2 of 10') and, without a limit, the count", async () => {
    const growth = await consoleTenant("growth");
    for (const name of ["One", "Two"]) {
      expectStatus(await api(growth.key, "POST", "/v1/groups", { name, destination_url: "https://a.example/" }), 201);
    }
    expect((await growth.browser.get("/console")).html).toContain("2 of 10 groups on the growth plan");
    const enterprise = await consoleTenant("enterprise");
    expect((await enterprise.browser.get("/console")).html).toContain(
      "0 groups (the enterprise plan has no group limit)",
    );
  });

  it("'Create group' with a name and a link destination creates it through the API's service, opens it", async () => {
    const t = await consoleTenant("growth");
    await t.browser.get("/console/groups/new");
    const r = await t.browser.post("/console/groups", { name: "Resellers", destination_url: "https://acme.example/r" });
    expect(r.status).toBe(303);
    const id = /^\/console\/groups\/(grp_[0-9a-z]+)\?notice=group-created$/.exec(r.location ?? "")?.[1];
    expect(id).toBeTruthy();
    const opened = await follow(t.browser, r.location!);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain("Group created.");
    expect(opened.html).toContain("<h1>Resellers");
    const group = bodyOf(await api(t.key, "GET", `/v1/groups/${id}`), 200);
    expect(group).toMatchObject({ name: "Resellers", is_default: true });
    const links = bodyOf(await api(t.key, "GET", `/v1/groups/${id}/links`), 200);
    expect(links.data[0]).toMatchObject({ destination_url: "https://acme.example/r" });
  });

  it("create: empty fields and an API rule (destination URL) shown beside their fields; nothing written", async () => {
    const t = await consoleTenant();
    await t.browser.get("/console/groups/new");
    const before = await tableSnapshot();
    const empty = await t.browser.post("/console/groups", { name: "  ", destination_url: "" });
    expect(empty.status).toBe(422);
    expect(fieldError(empty.html, "name")).toBe("Enter a name for the group");
    expect(fieldError(empty.html, "destination_url")).toBe("Enter the link destination");
    const bad = await t.browser.post("/console/groups", { name: "Fine", destination_url: "ftp://acme.example/" });
    expect(bad.status).toBe(422);
    expect(fieldError(bad.html, "destination_url")).toBe(
      "Link destination must be an absolute http or https URL without credentials",
    );
    expect(bad.html).toContain('value="Fine"');
    // The API says the same about the same value.
    const viaApi = await api(t.key, "POST", "/v1/groups", { name: "Fine", destination_url: "ftp://acme.example/" });
    expectStatus(viaApi, 422);
    expect(viaApi.body.errors).toEqual([
      { field: "destination_url", message: "must be an absolute http or https URL without credentials" },
    ]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("the plan's group limit is enforced with the API's message, next to the name; nothing written", async () => {
    const t = await consoleTenant("starter");
    expectStatus(await api(t.key, "POST", "/v1/groups", { name: "First", destination_url: "https://a.example/" }), 201);
    const list = await t.browser.get("/console");
    expect(list.html).toContain("1 of 1 group on the starter plan");
    await t.browser.get("/console/groups/new");
    const groupsBefore = await groupRows();
    const r = await t.browser.post("/console/groups", { name: "Second", destination_url: "https://a.example/2" });
    expect(r.status).toBe(403);
    const viaApi = await api(t.key, "POST", "/v1/groups", { name: "Second", destination_url: "https://a.example/2" });
    expectStatus(viaApi, 403);
    expect(viaApi.body.detail).toBe("The starter plan allows 1 live group; archive one or upgrade.");
    expect(fieldError(r.html, "name")).toBe(viaApi.body.detail);
    expect(r.html).toContain("<title>Error: Create a group");
    // (The groups service leaves a harmless KV outbox row for a refused create, API and console alike.)
    expect(await groupRows()).toEqual(groupsBefore);
  });
});

describe("a group's page", () => {
  async function withGroup(name = "Affiliates") {
    const t = await consoleTenant();
    const group = bodyOf(await api(t.key, "POST", "/v1/groups", { name, destination_url: "https://a.example/" }), 201);
    return { ...t, group };
  }

  it("has a tab nav of the seven tabs, the current one marked; tabs not built yet say they are coming", async () => {
    const t = await withGroup();
    const root = await t.browser.get(`/console/groups/${t.group.id}`);
    expect(root.status).toBe(303);
    expect(root.location).toBe(`/console/groups/${t.group.id}/offers`);
    expect(GROUP_TABS.map((tab) => tab.label)).toEqual([
      "Offers",
      "Links",
      "Lead submission",
      "Deal registration",
      "Social content",
      "Application",
      "Settings",
    ]);
    for (const tab of GROUP_TABS) {
      const r = await t.browser.get(`/console/groups/${t.group.id}/${tab.slug}`);
      expect(r.status, tab.slug).toBe(200);
      const links = [...r.html.matchAll(/<nav aria-label="Group sections" class="tabs">([\s\S]*?)<\/nav>/g)][0]![1]!;
      expect(links).toContain(
        `<a href="/console/groups/${t.group.id}/${tab.slug}" aria-current="page">${tab.label}</a>`,
      );
      expect(links.match(/aria-current/g)).toHaveLength(1);
      expect(r.html.includes("Coming soon"), tab.slug).toBe(!tab.built);
    }
    expect((await t.browser.get(`/console/groups/${t.group.id}/nonsense`)).status).toBe(404);
  });

  it("Settings: the program page link to copy, preview; a rename shows the new link, referral links stay", async () => {
    const t = await withGroup("Affiliates");
    const partner = await addPartner(t.companyId, t.group.id);
    const linksBefore = bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/links`), 200);
    const page = await t.browser.get(`/console/groups/${t.group.id}/settings`);
    const oldUrl = `https://admin.edgeref.test/programs/${t.company.slug}/affiliates`;
    expect(page.html).toContain(`value="${oldUrl}" readonly=""`);
    expect(page.html).toContain(`<a href="${oldUrl}" target="_blank" rel="noopener">Preview the program page`);
    expect(page.html).toMatch(
      /<button type="button" class="secondary" hidden="" data-copy-target="field-program_page_url"/,
    );
    expect(page.html).toMatch(/<script src="\/assets\/copy\.[0-9a-f]+\.js" defer="">/);
    expect(decodeHtml(page.html)).toContain("Partners' referral links do not change.");

    const r = await t.browser.post(`/console/groups/${t.group.id}/settings`, {
      name: "Premium partners",
      terms_url: "",
    });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/console/groups/${t.group.id}/settings?notice=saved`);
    const after = await t.browser.get(r.location!);
    expect(after.html).toContain("Saved.");
    expect(after.html).toContain(`value="https://admin.edgeref.test/programs/${t.company.slug}/premium-partners"`);
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200).program_page_url).toBe(
      `https://admin.edgeref.test/programs/${t.company.slug}/premium-partners`,
    );
    // The old page redirects; the partner's referral links are what they were.
    const old = await api(null, "GET", `/programs/${t.company.slug}/affiliates`);
    expect(old.status).toBe(301);
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/links`), 200)).toEqual(linksBefore);
  });

  it("Settings: the terms URL must be public https (the API's rule and words); empty uses the company's", async () => {
    const t = await withGroup();
    await t.browser.get(`/console/groups/${t.group.id}/settings`);
    const before = await tableSnapshot();
    for (const [url, message] of [
      ["http://acme.com/terms", "must use https"],
      ["https://partners.intranet/terms", "must not use a reserved or internal hostname"],
      ["https://10.0.0.1/terms", "must not point to a private or reserved address"],
    ] as const) {
      const r = await t.browser.post(`/console/groups/${t.group.id}/settings`, { name: "Affiliates", terms_url: url });
      expect(r.status, url).toBe(422);
      expect(fieldError(r.html, "terms_url"), url).toBe(`Terms of service URL ${message}`);
      const viaApi = await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { terms_url: url });
      expectStatus(viaApi, 422);
      expect(viaApi.body.errors).toEqual([{ field: "terms_url", message }]);
    }
    expect(await tableSnapshot()).toEqual(before);
    const ok = await t.browser.post(`/console/groups/${t.group.id}/settings`, {
      name: "Affiliates",
      terms_url: "https://acme.com/terms/affiliates",
    });
    expect(ok.status).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200).terms_url).toBe(
      "https://acme.com/terms/affiliates",
    );
    await t.browser.post(`/console/groups/${t.group.id}/settings`, { name: "Affiliates", terms_url: "" });
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200).terms_url).toBeNull();
  });

  it("Settings: an empty name is named; a name over 100 characters gets the API's rule", async () => {
    const t = await withGroup();
    await t.browser.get(`/console/groups/${t.group.id}/settings`);
    const empty = await t.browser.post(`/console/groups/${t.group.id}/settings`, { name: "", terms_url: "" });
    expect(fieldError(empty.html, "name")).toBe("Enter a name for the group");
    const long = await t.browser.post(`/console/groups/${t.group.id}/settings`, {
      name: "x".repeat(101),
      terms_url: "",
    });
    expect(long.status).toBe(422);
    expect(fieldError(long.html, "name")).toBe("Group name must be 100 characters or fewer");
  });
});
