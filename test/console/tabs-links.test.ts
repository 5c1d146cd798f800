// A group's Links tab in the console: the referral-links switch, the default links (at most 3) with
// title, description, destination, UTMs and link text (fixed once created, shown read-only with why),
// add (a 4th refused with the API's message), edit, delete (never the original; another after a
// confirmation page warning to tell partners) — all through the links service and the API's schemas.
import { describe, expect, it } from "vitest";
import { fieldId } from "../../src/web/form";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { addConsoleUser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

/** The page's error beside the field the API names (`utm.utm_source` is `field-utm-utm_source`). */
const errorBeside = (html: string, field: string) => fieldError(html, fieldId(field).slice("field-".length));

/** The page's text as read: entities decoded, link patterns as their text (their slug is a span). */
const shown = (html: string) => decodeHtml(html.replace(/<span class="slug">([^<]*)<\/span>/g, "$1"));

async function withGroup(role: "owner" | "viewer" = "owner") {
  const t = await consoleTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/signup" }),
    201,
  );
  const original = bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/links`), 200).data[0]!;
  const links = `/console/groups/${group.id}/links`;
  const viewer = role === "viewer" ? await addConsoleUser(t.companyId, "viewer") : null;
  return { ...t, group, original, links, viewer };
}

const PRICING = {
  title: "Pricing page",
  description: "Plans and prices.",
  destination_url: "https://acme.example/pricing",
  "utm.utm_source": "partner",
  "utm.utm_campaign": "{partner_key}",
  link_text: "pricing",
};

describe("Links tab", () => {
  it("lists the original link: destination, no link text, the partners' link, delete disabled with why", async () => {
    const t = await withGroup();
    const page = await t.browser.get(t.links);
    expect(page.status).toBe(200);
    const html = shown(page.html);
    expect(html).toContain("1 of 3 default links.");
    expect(html).toContain("Original link");
    expect(html).toContain("https://acme.example/signup");
    expect(html).toContain("None (the original link)");
    expect(html).toContain(`<code>https://${t.hostname}/{partner_key}</code>`);
    expect(page.html).toMatch(/<button type="button" class="secondary outline" disabled="" aria-describedby="[^"]+">/);
    expect(html).toContain("The original link cannot be deleted: it was created with the group");
    expect(page.html).not.toContain(`href="${t.links}/${t.original.id}/delete"`);
    expect(page.html).toContain(`href="${t.links}/new"`);
  });

  it("turns referral links off and on through the groups service (the API then says so)", async () => {
    const t = await withGroup();
    const page = await t.browser.get(t.links);
    expect(decodeHtml(page.html)).toContain("Partners' links send visitors to the destinations below.");
    const off = await t.browser.post(`${t.links}/referral-links`, { referral_links_enabled: "false" });
    expect(off.status).toBe(303);
    expect(off.location).toBe(`${t.links}?notice=saved`);
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200).referral_links_enabled).toBe(false);
    const shown = await t.browser.get(off.location!);
    expect(decodeHtml(shown.html)).toContain("Partners' links to this group lead to the company's fallback URL");
    expect(shown.html).toContain("Turn referral links on");
    await t.browser.post(`${t.links}/referral-links`, { referral_links_enabled: "true" });
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200).referral_links_enabled).toBe(true);
    // Not a boolean: the API's schema refuses it, nothing written.
    const before = await tableSnapshot();
    const bad = await t.browser.post(`${t.links}/referral-links`, { referral_links_enabled: "maybe" });
    expect(bad.status).toBe(422);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("creates two default links (title, description, destination, UTMs, link text); partners get links", async () => {
    const t = await withGroup();
    const partner = await addPartner(t.companyId, t.group.id, `ann-${crypto.randomUUID().slice(0, 6)}`);
    const form = await t.browser.get(`${t.links}/new`);
    expect(form.status).toBe(200);
    expect(decodeHtml(form.html)).toContain("It cannot be changed later: links partners have shared would break.");
    const created = await t.browser.post(t.links, PRICING);
    expect(created.status, created.html).toBe(303);
    expect(created.location).toBe(`${t.links}?notice=created`);
    await t.browser.get(`${t.links}/new`);
    const second = await t.browser.post(t.links, {
      title: "Docs",
      destination_url: "https://acme.example/docs",
      link_text: "docs",
    });
    expect(second.status).toBe(303);
    const links = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/links`), 200).data;
    expect(links.map((link) => link.link_text)).toEqual(["", "pricing", "docs"]);
    expect(links[1]).toMatchObject({
      title: "Pricing page",
      description: "Plans and prices.",
      destination_url: "https://acme.example/pricing",
      utm: { utm_source: "partner", utm_campaign: "{partner_key}" },
      lock_utms: false,
    });
    const partnerLinks = bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/links`), 200).data;
    expect(partnerLinks.map((link) => link.url)).toContain(`https://${t.hostname}/${partner.partnerKey}--pricing`);
    const page = shown((await t.browser.get(`${t.links}?notice=created`)).html);
    expect(page).toContain("Created.");
    expect(page).toContain("3 of 3 default links.");
    expect(page).toContain("<code>utm_source=partner</code>");
    expect(page).toContain(`<code>https://${t.hostname}/{partner_key}--pricing</code>`);
  });

  it("refuses a 4th link with the API's message next to the form; nothing written", async () => {
    const t = await withGroup();
    for (const text of ["one", "two"]) {
      await t.browser.get(`${t.links}/new`);
      const r = await t.browser.post(t.links, {
        title: text,
        destination_url: "https://acme.example/x",
        link_text: text,
      });
      expect(r.status).toBe(303);
    }
    const form = await t.browser.get(`${t.links}/new`);
    expect(decodeHtml(form.html)).toContain("3 of 3 default links. Delete one before adding another.");
    const before = await tableSnapshot();
    const fourth = await t.browser.post(t.links, PRICING);
    expect(fourth.status).toBe(409);
    expect(errorBeside(fourth.html, "title")).toBe("A group has at most 3 default links.");
    expect(fourth.html).toContain('class="error-summary"');
    // What was typed is kept.
    expect(fourth.html).toContain('value="https://acme.example/pricing"');
    expect(await tableSnapshot()).toEqual(before);
  });

  it("shows the API's rules beside each field (destination, UTM, link text, taken text); nothing written", async () => {
    const t = await withGroup();
    await t.browser.get(`${t.links}/new`);
    const before = await tableSnapshot();
    const empty = await t.browser.post(t.links, { title: "", destination_url: "", link_text: "" });
    expect(empty.status).toBe(422);
    expect(errorBeside(empty.html, "title")).toBe("Enter a title for the link");
    expect(errorBeside(empty.html, "destination_url")).toBe("Enter the link destination");
    expect(errorBeside(empty.html, "link_text")).toBe("Enter the link text");
    const bad = await t.browser.post(t.links, {
      ...PRICING,
      destination_url: "ftp://acme.example",
      "utm.utm_source": "x".repeat(501),
      link_text: "Not--ok",
    });
    expect(bad.status).toBe(422);
    expect(errorBeside(bad.html, "destination_url")).toBe(
      "Link destination must be an absolute http or https URL without credentials",
    );
    expect(errorBeside(bad.html, "utm.utm_source")).toBe("utm_source must be 500 characters or fewer");
    expect(errorBeside(bad.html, "link_text")).toBe(
      "Link text: use letters, digits and single dashes (not at the start or end)",
    );
    expect(await tableSnapshot()).toEqual(before);
    expect((await t.browser.post(t.links, PRICING)).status).toBe(303);
    await t.browser.get(`${t.links}/new`);
    const taken = await t.browser.post(t.links, { ...PRICING, title: "Again" });
    expect(taken.status).toBe(409);
    expect(errorBeside(taken.html, "link_text")).toBe("The group already has a link with link text 'pricing'.");
  });

  it("edits a link; its link text is shown read-only with why, and is never sent", async () => {
    const t = await withGroup();
    await t.browser.get(`${t.links}/new`);
    await t.browser.post(t.links, PRICING);
    const link = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/links`), 200).data[1]!;
    const page = await t.browser.get(`${t.links}/${link.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="field-link_text" type="text" value="pricing" readonly=""');
    expect(page.html).not.toContain('name="link_text"');
    expect(decodeHtml(page.html)).toContain(
      "The link text cannot be changed: partners' links already use it, and links they have shared would break.",
    );
    expect(page.html).toContain('value="{partner_key}"');
    const saved = await t.browser.post(`${t.links}/${link.id}`, {
      title: "Plans",
      description: "",
      destination_url: "https://acme.example/plans",
      "utm.utm_source": "partners",
      lock_utms: "yes",
      link_text: "renamed",
    });
    expect(saved.status, saved.html).toBe(303);
    expect(saved.location).toBe(`${t.links}?notice=saved`);
    expect(bodyOf(await api(t.key, "GET", `/v1/links/${link.id}`), 200)).toMatchObject({
      title: "Plans",
      description: "",
      destination_url: "https://acme.example/plans",
      utm: { utm_source: "partners" },
      lock_utms: true,
      link_text: "pricing",
    });
    const bad = await t.browser.post(`${t.links}/${link.id}`, { title: "", destination_url: "nope" });
    expect(bad.status).toBe(422);
    expect(errorBeside(bad.html, "title")).toBe("Enter a title for the link");
    // The original link is edited the same way (its destination is the group's main one).
    await t.browser.get(`${t.links}/${t.original.id}`);
    const original = await t.browser.post(`${t.links}/${t.original.id}`, {
      title: "Main",
      destination_url: "https://acme.example/start",
    });
    expect(original.status).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/links/${t.original.id}`), 200).destination_url).toBe(
      "https://acme.example/start",
    );
  });

  it("deletes a link after a confirmation page warning to tell partners first", async () => {
    const t = await withGroup();
    await t.browser.get(`${t.links}/new`);
    await t.browser.post(t.links, PRICING);
    const link = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/links`), 200).data[1]!;
    const tab = await t.browser.get(t.links);
    expect(tab.html).toContain(`href="${t.links}/${link.id}/delete"`);
    const before = await tableSnapshot();
    const confirm = await t.browser.get(`${t.links}/${link.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(await tableSnapshot()).toEqual(before);
    const html = shown(confirm.html);
    expect(html).toContain("Tell your partners first.");
    expect(html).toContain(`Their links for it: <code>https://${t.hostname}/{partner_key}--pricing</code>`);
    expect(html).toContain("lead to the group's original link destination instead of https://acme.example/pricing");
    expect(confirm.html).toContain(`<form method="post" action="${t.links}/${link.id}/delete"`);
    const deleted = await t.browser.post(`${t.links}/${link.id}/delete`);
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe(`${t.links}?notice=removed`);
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/links`), 200).data).toHaveLength(1);
  });

  it("the original link cannot be deleted: its page says why with no form; a POST gets the API's 409", async () => {
    const t = await withGroup();
    const page = await t.browser.get(`${t.links}/${t.original.id}/delete`);
    expect(page.status).toBe(200);
    expect(decodeHtml(page.html)).toContain("The original link cannot be deleted");
    expect(page.html).not.toContain(`action="${t.links}/${t.original.id}/delete"`);
    const before = await tableSnapshot();
    const r = await t.browser.post(`${t.links}/${t.original.id}/delete`);
    expect(r.status).toBe(409);
    expect(decodeHtml(r.html)).toContain("The original link of a group cannot be deleted.");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("a viewer sees the links, no control to change them; new and delete pages are refused", async () => {
    const t = await withGroup("viewer");
    const viewer = t.viewer!.browser;
    const page = await viewer.get(t.links);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Original link");
    expect(page.html).not.toMatch(/Create a default link|Turn referral links|>Edit<|disabled=""/);
    expect([...page.html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "/console/sign-out",
    ]);
    expect((await viewer.get(`${t.links}/new`)).status).toBe(403);
    expect((await viewer.get(`${t.links}/${t.original.id}/delete`)).status).toBe(403);
    const read = await viewer.get(`${t.links}/${t.original.id}`);
    expect(read.status).toBe(200);
    expect(read.html).not.toContain('<form method="post" action="/console/groups');
    expect(decodeHtml(read.html)).toContain("https://acme.example/signup");
  });

  it("another company's link, or another group's, in the URL is the 404 page; nothing changes", async () => {
    const a = await withGroup();
    const b = await withGroup();
    const sibling = bodyOf(
      await api(a.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/r" }),
      201,
    );
    const siblingLink = bodyOf(await api(a.key, "GET", `/v1/groups/${sibling.id}/links`), 200).data[0]!;
    await a.browser.get(a.links);
    const before = await tableSnapshot();
    for (const id of [b.original.id, siblingLink.id, "lnk_nonsense"]) {
      for (const path of [`${a.links}/${id}`, `${a.links}/${id}/delete`]) {
        const page = await a.browser.get(path);
        expect(page.status, path).toBe(404);
        expect(page.html).toContain("<h1>Page not found</h1>");
        const post = await a.browser.post(path, { title: "Taken", destination_url: "https://evil.example/" });
        expect(post.status, path).toBe(404);
      }
    }
    expect((await a.browser.get(b.links)).status).toBe(404);
    expect((await a.browser.post(`${b.links}/referral-links`, { referral_links_enabled: "false" })).status).toBe(404);
    expect(await tableSnapshot()).toEqual(before);
  });
});
