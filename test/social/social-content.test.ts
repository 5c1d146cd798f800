// A group's social content through the API: defaults, saving, placeholders, X's weighted length
// (twitter-text: each link 23, CJK and emoji 2), and the preview with the partner's real link and
// share URLs.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../src/api-keys/service";
import { createCompany } from "../../src/companies/service";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { addVerifiedLinkDomain } from "../helpers/fixtures";

/** A company whose links are served on a real-looking domain: X counts a URL as 23 only with a known TLD. */
async function newTenant() {
  const n = crypto.randomUUID().slice(0, 8);
  const company = await createCompany(env, { name: `Acme ${n.slice(0, 4)}`, plan: "enterprise" });
  const hostname = `try-${n}.acme-example.com`;
  await addVerifiedLinkDomain(company.id, { hostname });
  const key = await createApiKey(env, company.id, { name: "test" });
  return { company, hostname, key: key.secret };
}

async function tenantWithGroup(groupName = "Affiliates") {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: groupName, destination_url: "https://acme.example/" }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: `jane${crypto.randomUUID().slice(0, 6)}@example.com`,
      first_name: "Jane",
      last_name: "Doe",
      group_id: group.id,
    }),
    201,
  );
  const path = `/v1/groups/${group.id}/social-content` as const;
  return { ...t, group, partner, path };
}

const fieldsOf = (r: { body: { errors?: { field: string }[] } }) => r.body.errors?.map((e) => e.field);

describe("social content: reading and saving", () => {
  it("a new group shows the defaults, with every placeholder they may use", async () => {
    const t = await tenantWithGroup();
    const r = await api(t.key, "GET", t.path);
    expectStatus(r, 200);
    expect(r.body).toMatchObject({
      object: "social_content",
      group_id: t.group.id,
      customized: false,
      placeholders: ["{link}", "{partner_first_name}", "{company_name}", "{group_name}"],
      updated_at: null,
    });
    expect(r.body.twitter.message).toContain("{link}");
    expect(r.body.linkedin.title).toContain("{company_name}");
    expect(r.body.email.subject).toBe("{partner_first_name} recommends {company_name}");
    expect(r.body.email.body).toContain("{link}");
  });

  it("saves any of the texts; the others keep their value", async () => {
    const t = await tenantWithGroup();
    const defaults = bodyOf(await api(t.key, "GET", t.path), 200);
    const first = await api(t.key, "PATCH", t.path, { twitter: { message: "  Join {company_name}: {link}  " } });
    expectStatus(first, 200);
    expect(first.body).toMatchObject({
      customized: true,
      twitter: { message: "Join {company_name}: {link}" },
      linkedin: defaults.linkedin,
      email: defaults.email,
    });
    expect(first.body.updated_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const second = await api(t.key, "PATCH", t.path, {
      linkedin: { title: "{group_name} at {company_name}" },
      email: { body: "Hi!\n\n{link}\n\n— {partner_first_name}" },
    });
    expectStatus(second, 200);
    expect(second.body).toMatchObject({
      twitter: { message: "Join {company_name}: {link}" },
      linkedin: { title: "{group_name} at {company_name}", message: defaults.linkedin.message },
      email: { subject: defaults.email.subject, body: "Hi!\n\n{link}\n\n— {partner_first_name}" },
    });
    expect(bodyOf(await api(t.key, "GET", t.path), 200)).toEqual(second.body);
  });

  it("an unknown placeholder is a 422 naming each field and placeholder; nothing is saved", async () => {
    const t = await tenantWithGroup();
    const before = await tableSnapshot();
    const r = await api(t.key, "PATCH", t.path, {
      twitter: { message: "Hi {partner_name}, see {link}" },
      linkedin: { title: "Fine {company_name}", message: "{Link} and {partner_last_name} and {Link}" },
      email: { subject: "No {placeholders} here" },
    });
    expectStatus(r, 422);
    expect(r.body.type).toBe("urn:edgeref:problem:validation-failed");
    expect(fieldsOf(r)).toEqual(["twitter.message", "linkedin.message", "email.subject"]);
    expect(r.body.errors?.[0]?.message).toBe(
      "unknown placeholder {partner_name}; use {link}, {partner_first_name}, {company_name}, {group_name}",
    );
    expect(r.body.errors?.[1]?.message).toMatch(/^unknown placeholders \{Link\}, \{partner_last_name\}; use /);
    expect(await tableSnapshot()).toEqual(before);
  });

  it.each([
    [{ twitter: { message: "   " } }, "twitter.message", "must not be empty"],
    [{ email: { subject: "Line one\nline two" } }, "email.subject", "must be a single line"],
    [{ linkedin: { title: "a".repeat(201) } }, "linkedin.title", ""],
    [{ twitter: {} }, "twitter.message", ""],
    [{ twitter: { message: "x", hashtags: "y" } }, "twitter.hashtags", "is not a field this request accepts"],
    [{ facebook: { message: "x" } }, "facebook", "is not a field this request accepts"],
    [{ email: { body: "bad \ud800 text" } }, "email.body", "must be valid Unicode text"],
  ])("refuses %j on %s", async (body, field, message) => {
    const t = await tenantWithGroup();
    const r = await api(t.key, "PATCH", t.path, body);
    expectStatus(r, 422);
    expect(fieldsOf(r)).toEqual([field]);
    if (message) expect(r.body.errors?.[0]?.message).toBe(message);
    expect(bodyOf(await api(t.key, "GET", t.path), 200).customized).toBe(false);
  });

  it("braces that are not placeholders are plain text", async () => {
    const t = await tenantWithGroup();
    const r = await api(t.key, "PATCH", t.path, { twitter: { message: "Code: { a: 1 } {} {{link}} {link}" } });
    expectStatus(r, 200);
  });
});

describe("social content: X's length on save", () => {
  const save = (t: Awaited<ReturnType<typeof tenantWithGroup>>, message: string) =>
    api(t.key, "PATCH", t.path, { twitter: { message } });

  it("a link counts 23 whatever its length: 256 letters, a space, {link} is 280 and saves; 257 is a 422", async () => {
    const t = await tenantWithGroup();
    expectStatus(await save(t, `${"a".repeat(256)} {link}`), 200);
    const over = await save(t, `${"a".repeat(257)} {link}`);
    expectStatus(over, 422);
    expect(fieldsOf(over)).toEqual(["twitter.message"]);
    expect(over.body.errors?.[0]?.message).toBe(
      "is 281 characters as X counts them for the sample partner (each link counts 23); X allows 280",
    );
    expect(bodyOf(await api(t.key, "GET", t.path), 200).twitter.message).toBe(`${"a".repeat(256)} {link}`);
  });

  it("ten links (359 characters once rendered) are 239 for X and save", async () => {
    const t = await tenantWithGroup();
    expectStatus(await save(t, Array.from({ length: 10 }, () => "{link}").join(" ")), 200);
  });

  it("CJK characters and emoji count 2: 140 of them save, 141 do not", async () => {
    const t = await tenantWithGroup();
    expectStatus(await save(t, "日".repeat(140)), 200);
    expectStatus(await save(t, "日".repeat(141)), 422);
    expectStatus(await save(t, "🎉".repeat(140)), 200);
    expectStatus(await save(t, `${"🎉".repeat(140)}!`), 422);
  });

  it("counts the company's and the group's real names", async () => {
    const t = await tenantWithGroup("G".repeat(100));
    // 100 (group) + 1 + 179 = 280; the company name (≥ 11 characters here) pushes it over.
    expectStatus(await save(t, `{group_name} ${"b".repeat(179)}`), 200);
    expectStatus(await save(t, `{group_name} {company_name}${"b".repeat(179)}`), 422);
  });

  it("saving other texts is not refused for an X message made long by a later rename", async () => {
    const t = await tenantWithGroup("Short");
    expectStatus(await save(t, `{group_name} ${"b".repeat(200)}`), 200);
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { name: "L".repeat(100) }), 200);
    expectStatus(await api(t.key, "PATCH", t.path, { email: { subject: "Hello" } }), 200);
    expectStatus(await save(t, `{group_name} ${"b".repeat(200)}`), 422);
  });
});

describe("social content: preview", () => {
  it("for a partner of the group: the texts with the partner's real link, X's length and the share URLs", async () => {
    const t = await tenantWithGroup();
    expectStatus(
      await api(t.key, "PATCH", t.path, {
        twitter: { message: "{partner_first_name} & {company_name}: {link}" },
        email: { subject: "{partner_first_name} recommends {company_name}", body: "Hi,\n{link}\nBye" },
      }),
      200,
    );
    const r = await api(t.key, "POST", `${t.path}/preview`, { partner_id: t.partner.id });
    expectStatus(r, 200);
    const link = `https://${t.hostname}/${t.partner.partner_key}`;
    expect(r.body).toMatchObject({
      object: "social_content_preview",
      group_id: t.group.id,
      partner: { id: t.partner.id, first_name: "Jane", sample: false },
      link,
      twitter: { message: `Jane & ${t.company.name}: ${link}`, max_length: 280 },
      email: { subject: `Jane recommends ${t.company.name}`, body: `Hi,\n${link}\nBye` },
      warnings: [],
    });
    // "Jane & " + company name + ": " + the link as 23.
    expect(r.body.twitter.length).toBe(7 + t.company.name.length + 2 + 23);
    const x = new URL(r.body.twitter.share_url);
    expect(`${x.origin}${x.pathname}`).toBe("https://x.com/intent/tweet");
    expect(x.searchParams.get("text")).toBe(r.body.twitter.message);
    expect(r.body.linkedin.share_url).toBe(
      `https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(link)}`,
    );
    expect(r.body.linkedin.message).toContain(link);
    expect(r.body.email.share_url).toBe(
      `mailto:?subject=Jane%20recommends%20${encodeURIComponent(t.company.name)}` +
        `&body=Hi%2C%0D%0A${encodeURIComponent(link)}%0D%0ABye`,
    );
  });

  it("without a partner: a sample partner, the saved or default texts", async () => {
    const t = await tenantWithGroup();
    const r = await api(t.key, "POST", `${t.path}/preview`, {});
    expectStatus(r, 200);
    expect(r.body.partner).toEqual({ id: null, first_name: "Alex", sample: true });
    expect(r.body.link).toBe(`https://${t.hostname}/sample-partner`);
    expect(r.body.email.subject).toBe(`Alex recommends ${t.company.name}`);
    expect(r.body.linkedin.message).toContain(`the Affiliates program of ${t.company.name}`);
    expect(JSON.stringify(r.body)).not.toMatch(/\{(link|partner_first_name|company_name|group_name)\}/);
  });

  it("a draft is previewed without being saved; over 280 it is a warning, not an error", async () => {
    const t = await tenantWithGroup();
    const before = await tableSnapshot();
    const r = await api(t.key, "POST", `${t.path}/preview`, {
      partner_id: t.partner.id,
      twitter: { message: `${"x".repeat(300)} {link}` },
      linkedin: { title: "Draft title for {partner_first_name}" },
    });
    expectStatus(r, 200);
    expect(r.body.twitter.length).toBe(324);
    expect(r.body.linkedin.title).toBe("Draft title for Jane");
    expect(r.body.warnings).toEqual([
      {
        field: "twitter.message",
        message: "is 324 characters as X counts them for this partner (each link counts 23); X allows 280",
      },
    ]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("a long first name can take a saved post over 280 for that partner: the preview warns", async () => {
    const t = await tenantWithGroup();
    expectStatus(
      await api(t.key, "PATCH", t.path, { twitter: { message: `{partner_first_name} ${"z".repeat(270)}` } }),
      200,
    );
    const long = bodyOf(
      await api(t.key, "POST", "/v1/partners", {
        email: `long${crypto.randomUUID().slice(0, 6)}@example.com`,
        first_name: "Maximiliana-Josefina",
        last_name: "L",
        group_id: t.group.id,
      }),
      201,
    );
    const r = await api(t.key, "POST", `${t.path}/preview`, { partner_id: long.id });
    expectStatus(r, 200);
    expect(r.body.warnings.map((w) => w.field)).toEqual(["twitter.message"]);
  });

  it("names with markup, emoji and line breaks are carried as text, encoded in every share URL", async () => {
    const t = await tenantWithGroup("<b>Team</b> 🚀 & co");
    const r = await api(t.key, "POST", `${t.path}/preview`, {
      twitter: { message: "{group_name} {link}" },
      email: { subject: "{group_name}", body: "Line 1\nLine 2 {group_name}" },
    });
    expectStatus(r, 200);
    expect(r.body.twitter.message).toBe(`<b>Team</b> 🚀 & co ${r.body.link}`);
    expect(new URL(r.body.twitter.share_url).searchParams.get("text")).toBe(r.body.twitter.message);
    expect(r.body.email.share_url).toBe(
      `mailto:?subject=${encodeURIComponent("<b>Team</b> 🚀 & co")}` +
        `&body=Line%201%0D%0ALine%202%20${encodeURIComponent("<b>Team</b> 🚀 & co")}`,
    );
  });

  it("without a verified link domain: no link, a warning, {link} left visible", async () => {
    const t = await tenantWithGroup();
    const domains = bodyOf(await api(t.key, "GET", "/v1/link-domains"), 200);
    for (const domain of domains.data) expectStatus(await api(t.key, "DELETE", `/v1/link-domains/${domain.id}`), 200);
    const r = await api(t.key, "POST", `${t.path}/preview`, { partner_id: t.partner.id });
    expectStatus(r, 200);
    expect(r.body.link).toBeNull();
    expect(r.body.linkedin.share_url).toBeNull();
    expect(r.body.twitter.message).toContain("{link}");
    expect(r.body.warnings).toEqual([
      { field: "link", message: "the company has no verified link domain yet: there is no partner link to share" },
    ]);
  });

  it.each([
    ["an unknown partner", () => ({ partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz" }), "no partner with id"],
    ["a draft with an unknown placeholder", () => ({ email: { body: "{coupon}" } }), "unknown placeholder {coupon}"],
  ])("%s: 422 on the field", async (_, body, message) => {
    const t = await tenantWithGroup();
    const r = await api(t.key, "POST", `${t.path}/preview`, body());
    expectStatus(r, 422);
    expect(r.body.errors?.[0]?.message).toContain(message);
  });

  it("a partner of another group of the company: 422 on partner_id", async () => {
    const t = await tenantWithGroup();
    const other = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Other", destination_url: "https://acme.example/o" }),
      201,
    );
    const r = await api(t.key, "POST", `/v1/groups/${other.id}/social-content/preview`, { partner_id: t.partner.id });
    expectStatus(r, 422);
    expect(r.body.errors).toEqual([{ field: "partner_id", message: "the partner is not in this group" }]);
  });

  it("an unknown group: 404 on every route", async () => {
    const t = await tenantWithGroup();
    const path = "/v1/groups/grp_01jd3k5qv0r8t2x7m9c4b6n1pz/social-content";
    expectStatus(await api(t.key, "GET", path), 404);
    expectStatus(await api(t.key, "PATCH", path, { twitter: { message: "x" } }), 404);
    expectStatus(await api(t.key, "POST", `${path}/preview`, {}), 404);
  });
});
