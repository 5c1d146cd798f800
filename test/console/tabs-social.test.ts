// A group's Social content tab in the console: Twitter/X, LinkedIn and Email editors with the
// placeholders explained, "Preview post" (the draft rendered for the sample partner or a partner of
// the group, with share URLs and X's length warning) and "Update" (the API's 422 beside the field
// for an X post over 280 as X counts it) — through the social content service and the API's schemas.
import { describe, expect, it } from "vitest";
import { fieldId } from "../../src/web/form";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { addConsoleUser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

const errorBeside = (html: string, field: string) => fieldError(html, fieldId(field).slice("field-".length));

async function withGroup() {
  const t = await consoleTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const social = `/console/groups/${group.id}/social-content`;
  const saved = async () => bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/social-content`), 200);
  return { ...t, group, social, saved };
}

/** The preview section's text, tags removed. */
function previewText(html: string): string {
  const section = /<section class="preview"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
  return decodeHtml(section.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ")).trim();
}

describe("Social content tab", () => {
  it("shows the X editor with the default text, the placeholders explained, tabs for LinkedIn and Email", async () => {
    const t = await withGroup();
    const page = await t.browser.get(t.social);
    expect(page.status).toBe(200);
    const html = decodeHtml(page.html);
    expect(html).toContain("These are the default texts until you update them.");
    expect(html).toContain("I'm a partner of {company_name} and I recommend them. Take a look: {link}");
    for (const placeholder of ["{link}", "{partner_first_name}", "{company_name}", "{group_name}"]) {
      expect(html).toContain(`<code>${placeholder}</code>`);
    }
    expect(html).toContain(`Your company's name: ${t.company.name}`);
    expect(page.html).toContain(`<a href="${t.social}?channel=twitter" aria-current="page">Twitter / X</a>`);
    expect(page.html).toContain(`<a href="${t.social}?channel=linkedin">LinkedIn</a>`);
    expect(page.html).toContain('<button type="submit" name="intent" value="preview" class="secondary">');
    const linkedin = await t.browser.get(`${t.social}?channel=linkedin`);
    expect(linkedin.html).toContain('name="linkedin.title"');
    expect(linkedin.html).toContain('name="linkedin.message"');
    const email = await t.browser.get(`${t.social}?channel=email`);
    expect(email.html).toContain('name="email.subject"');
    expect(email.html).toContain('name="email.body"');
  });

  it("Update saves each network's texts through the service (the API then answers them)", async () => {
    const t = await withGroup();
    await t.browser.get(t.social);
    const x = await t.browser.post(t.social, {
      channel: "twitter",
      intent: "update",
      "twitter.message": "{partner_first_name} recommends {company_name}: {link}",
    });
    expect(x.status).toBe(303);
    expect(x.location).toBe(`${t.social}?channel=twitter&notice=saved`);
    await t.browser.post(t.social, {
      channel: "linkedin",
      intent: "update",
      "linkedin.title": "Try {company_name}",
      "linkedin.message": "Sign up: {link}",
    });
    await t.browser.post(t.social, {
      channel: "email",
      intent: "update",
      "email.subject": "Hello from {partner_first_name}",
      "email.body": "Hi,\r\n\r\nSign up: {link}\r\n",
    });
    expect(await t.saved()).toMatchObject({
      customized: true,
      twitter: { message: "{partner_first_name} recommends {company_name}: {link}" },
      linkedin: { title: "Try {company_name}", message: "Sign up: {link}" },
      email: { subject: "Hello from {partner_first_name}", body: "Hi,\n\nSign up: {link}" },
    });
    const page = await t.browser.get(`${t.social}?channel=twitter&notice=saved`);
    expect(page.html).toContain("Saved.");
    expect(decodeHtml(page.html)).not.toContain("These are the default texts");
  });

  it("an X post over 280 as X counts it: the API's 422 beside the X field, nothing saved", async () => {
    const t = await withGroup();
    await t.browser.get(t.social);
    const before = await tableSnapshot();
    // 130 CJK characters count 260, the space 1, the link 23: 284.
    const message = `${"好".repeat(130)} {link}`;
    const r = await t.browser.post(t.social, { channel: "twitter", intent: "update", "twitter.message": message });
    expect(r.status).toBe(422);
    expect(errorBeside(r.html, "twitter.message")).toBe(
      "Post is 284 characters as X counts them for the sample partner (each link counts 23); X allows 280",
    );
    expect(r.html).toContain(message);
    const placeholder = await t.browser.post(t.social, {
      channel: "linkedin",
      intent: "update",
      "linkedin.title": "Hi {first_name}",
      "linkedin.message": "",
    });
    expect(placeholder.status).toBe(422);
    expect(errorBeside(placeholder.html, "linkedin.title")).toBe(
      "Post title: unknown placeholder {first_name}; use {link}, {partner_first_name}, {company_name}, {group_name}",
    );
    expect(errorBeside(placeholder.html, "linkedin.message")).toBe("Message must not be empty");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("Preview post renders the draft for the sample partner: link, length, share URL; nothing saved", async () => {
    const t = await withGroup();
    await t.browser.get(t.social);
    const before = await tableSnapshot();
    const r = await t.browser.post(t.social, {
      channel: "twitter",
      intent: "preview",
      partner_id: "",
      "twitter.message": "{partner_first_name} loves {group_name} at {company_name}: {link}",
    });
    expect(r.status).toBe(200);
    const text = previewText(r.html);
    expect(text).toContain("Preview for the sample partner (Alex)");
    expect(text).toContain(`Alex loves Affiliates at ${t.company.name}: https://${t.hostname}/sample-partner`);
    expect(text).toMatch(/\d+ of 280 characters as X counts them/);
    expect(text).not.toContain("Too long");
    expect(r.html).toContain('href="https://x.com/intent/tweet?text=Alex%20loves%20Affiliates');
    // The draft stays in the editor; nothing was saved.
    expect(decodeHtml(r.html)).toContain(
      ">{partner_first_name} loves {group_name} at {company_name}: {link}</textarea>",
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("previews for a partner chosen from the group's, warns over 280, and refuses another group's", async () => {
    const t = await withGroup();
    const partner = await addPartner(t.companyId, t.group.id, `ann-${crypto.randomUUID().slice(0, 6)}`);
    const other = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/r" }),
      201,
    );
    const stranger = await addPartner(t.companyId, other.id);
    const page = await t.browser.get(`${t.social}?channel=email`);
    expect(page.html).toContain(`<option value="${partner.id}">`);
    expect(page.html).not.toContain(stranger.id);
    const email = await t.browser.post(t.social, {
      channel: "email",
      intent: "preview",
      partner_id: partner.id,
      "email.subject": "{partner_first_name} says hi",
      "email.body": "Link: {link}",
    });
    expect(email.status).toBe(200);
    const text = previewText(email.html);
    expect(text).toContain(`Preview for ${partner.firstName} ${partner.lastName}`);
    expect(text).toContain(`${partner.firstName} says hi`);
    expect(text).toContain(`Link: https://${t.hostname}/${partner.partnerKey}`);
    expect(email.html).toContain(`href="mailto:?subject=${encodeURIComponent(`${partner.firstName} says hi`)}`);
    expect(email.html).toContain(`<option value="${partner.id}" selected="">`);
    // Over 280 in a preview is a warning, not an error (the save refuses it).
    const long = await t.browser.post(t.social, {
      channel: "twitter",
      intent: "preview",
      "twitter.message": `${"a".repeat(270)} {link}`,
    });
    expect(long.status).toBe(200);
    // (The test's link domain, `.test`, is no TLD X knows: the link counts as text here.)
    expect(previewText(long.html)).toMatch(
      /\b\d{3} of 280 characters as X counts them \(each link counts 23\)\. Too long/,
    );
    const refused = await t.browser.post(t.social, {
      channel: "twitter",
      intent: "preview",
      partner_id: stranger.id,
      "twitter.message": "Hi {link}",
    });
    expect(refused.status).toBe(422);
    expect(errorBeside(refused.html, "partner_id")).toBe("Preview for: the partner is not in this group");
    expect(previewText(refused.html)).toBe("");
  });

  it("a viewer reads the saved texts and previews them (a GET), with no form to change them", async () => {
    const t = await withGroup();
    const partner = await addPartner(t.companyId, t.group.id);
    const viewer = await addConsoleUser(t.companyId, "viewer");
    const page = await viewer.browser.get(`${t.social}?channel=linkedin`);
    expect(page.status).toBe(200);
    expect(decodeHtml(page.html)).toContain("Why I recommend {company_name}");
    expect(page.html).not.toContain("<textarea");
    expect(page.html).not.toContain(">Update<");
    expect([...page.html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "/console/sign-out",
    ]);
    const before = await tableSnapshot();
    const preview = await viewer.browser.get(`${t.social}?channel=linkedin&preview=1&partner_id=${partner.id}`);
    expect(preview.status).toBe(200);
    expect(previewText(preview.html)).toContain(`Why I recommend ${t.company.name}`);
    expect(preview.html).toContain(
      `href="https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(`https://${t.hostname}/`)}`,
    );
    expect(await tableSnapshot()).toEqual(before);
    const post = await viewer.browser.post(t.social, { channel: "twitter", intent: "update", "twitter.message": "x" });
    expect(post.status).toBe(403);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("a company without a verified link domain sees why the preview has no link", async () => {
    const t = await withGroup();
    await api(t.key, "GET", "/v1/link-domains");
    const domains = bodyOf(await api(t.key, "GET", "/v1/link-domains"), 200).data;
    for (const domain of domains) await api(t.key, "DELETE", `/v1/link-domains/${domain.id}`);
    const r = await t.browser.get(`${t.social}?channel=linkedin&preview=1`);
    expect(r.status).toBe(200);
    const text = previewText(r.html);
    expect(text).toContain("Your company has no verified link domain yet");
    expect(text).toContain("No LinkedIn share page without a partner link.");
  });

  it("another company's group in the URL is the 404 page; nothing changes", async () => {
    const a = await withGroup();
    const b = await withGroup();
    await a.browser.get(a.social);
    const before = await tableSnapshot();
    expect((await a.browser.get(b.social)).status).toBe(404);
    const r = await a.browser.post(b.social, {
      channel: "twitter",
      intent: "update",
      "twitter.message": "Mine {link}",
    });
    expect(r.status).toBe(404);
    expect(await tableSnapshot()).toEqual(before);
  });
});
