// The form editor of the Lead submission, Deal registration and Application tabs: on and off (plan-
// gated: on a plan without the feature, no switch but why not and which plan has it), title and
// description, fields (add, edit, move, remove), "Reset form" with a confirmation page — through the
// forms service (each edit a new version, as GET /v1/groups/{id}/forms/{kind} then shows), every
// refusal next to its field in the API's words, and nothing written when refused.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createGroup } from "../../src/groups/service";
import { submitLead } from "../../src/leads/service";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { addConsoleUser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

async function tenantWithGroup(plan: "starter" | "growth" | "enterprise" = "enterprise") {
  const t = await consoleTenant(plan);
  const group = await createGroup(env, t.companyId, { name: "Affiliates", destinationUrl: "https://a.example/" });
  const tab = (slug: string) => `/console/groups/${group.id}/${slug}`;
  const form = async (kind: string) =>
    bodyOf(
      await api(t.key, "GET", `/v1/groups/${group.id}/forms/${kind}` as "/v1/groups/{group_id}/forms/{kind}"),
      200,
    );
  return { ...t, group, tab, form };
}

/** The POST forms' actions on a page. */
const actionsOf = (html: string) => [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);

describe("form editor: title, description and fields", () => {
  it("shows the lead form: its version, fields in order with type and key, the editor's forms", async () => {
    const t = await tenantWithGroup();
    const page = await t.browser.get(t.tab("lead-submission"));
    expect(page.status).toBe(200);
    const html = decodeHtml(page.html);
    expect(html).toContain("<title>Lead submission — Affiliates — ");
    expect(html).toContain('Lead form <span class="badge muted">Version 1</span>');
    expect(html).toContain("Leads already submitted keep the version they were made with");
    const labels = [...html.matchAll(/<div class="form-field-text"><strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
    expect(labels).toEqual(["Company name", "Contact name", "Contact email", "Notes"]);
    expect(html).toContain("Email address · key <code>contact_email</code>");
    const base = t.tab("lead-submission");
    expect(actionsOf(page.html)).toEqual(
      expect.arrayContaining([`${base}/enabled`, `${base}/form`, `${base}/fields`, `${base}/fields/notes/remove`]),
    );
    expect(html).toContain(`<a href="${base}/reset" class="button-link secondary-link">Reset lead form</a>`);
    // The deal and application tabs use the same editor with their own forms.
    const deal = decodeHtml((await t.browser.get(t.tab("deal-registration"))).html);
    expect(deal).toContain("Reset deal form");
    expect(deal).toContain("<strong>Estimated deal value (USD)</strong>");
    const application = decodeHtml((await t.browser.get(t.tab("application"))).html);
    expect(application).toContain("Reset application form");
    expect(application).toContain("<strong>How will you promote us?</strong>");
  });

  it("saves title and description as a new version; an empty title is refused beside it, nothing written", async () => {
    const t = await tenantWithGroup();
    const base = t.tab("lead-submission");
    await t.browser.get(base);
    const saved = await t.browser.post(`${base}/form`, { title: "Refer a customer", description: "We reply fast." });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${base}?notice=form-saved#form`);
    expect(await t.form("lead")).toMatchObject({
      version: 2,
      title: "Refer a customer",
      description: "We reply fast.",
    });
    const after = decodeHtml((await t.browser.get(saved.location!)).html);
    expect(after).toContain("Saved as a new version of the form. Earlier submissions keep theirs.");
    expect(after).toContain('<span class="badge muted">Version 2</span>');

    const before = await tableSnapshot();
    const empty = await t.browser.post(`${base}/form`, { title: "  ", description: "kept" });
    expect(empty.status).toBe(422);
    expect(fieldError(empty.html, "title")).toBe("Enter a title for the lead form");
    // What was typed is kept.
    expect(empty.html).toContain(">kept</textarea>");
    const long = await t.browser.post(`${base}/form`, { title: "x".repeat(201), description: "" });
    expect(fieldError(long.html, "title")).toBe("Title must be 200 characters or fewer");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("adds a field at the end (key made from the label); refusals beside their fields, nothing written", async () => {
    const t = await tenantWithGroup();
    const base = t.tab("lead-submission");
    await t.browser.get(base);
    const added = await t.browser.post(`${base}/fields`, {
      label: "Company size",
      type: "select",
      required: "yes",
      options: "1-10\n\n11-100\r\n100+ ",
      help_text: "Employees",
      placeholder: "",
      key: "",
    });
    expect(added.status, added.html).toBe(303);
    expect(added.location).toBe(`${base}?notice=form-saved#fields`);
    const form = await t.form("lead");
    expect(form.version).toBe(2);
    expect(form.fields.at(-1)).toEqual({
      key: "company_size",
      label: "Company size",
      type: "select",
      required: true,
      options: ["1-10", "11-100", "100+"],
      help_text: "Employees",
      placeholder: null,
    });

    const before = await tableSnapshot();
    const field = (fields: Record<string, string>) =>
      t.browser.post(`${base}/fields`, { label: "Budget", type: "text", options: "", key: "", ...fields });
    const noOptions = await field({ type: "multi-select" });
    expect(noOptions.status).toBe(422);
    expect(fieldError(noOptions.html, "options")).toBe("Options: a select field needs at least one option");
    expect(noOptions.html).toContain('value="Budget"');
    const optionsOnText = await field({ options: "a" });
    expect(fieldError(optionsOnText.html, "options")).toBe("Options: only select and multi-select fields have options");
    const takenKey = await field({ key: "notes" });
    expect(fieldError(takenKey.html, "key")).toBe("Key: the form already has a field 'notes'");
    const badKey = await field({ key: "Budget!" });
    expect(fieldError(badKey.html, "key")).toBe("Key: use lower-case letters, digits and _, starting with a letter");
    const noLabel = await field({ label: "" });
    expect(fieldError(noLabel.html, "label")).toBe("Enter a label for the field");
    const badType = await field({ type: "colour" });
    expect(fieldError(badType.html, "type")).toMatch(/^Invalid option: expected one of "text"/);
    const repeated = await field({ type: "select", options: "a\na" });
    expect(fieldError(repeated.html, "options")).toBe("Options: options must be unique");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("edits a field on its own page (its key fixed); a select without options is refused there", async () => {
    const t = await tenantWithGroup();
    const base = t.tab("lead-submission");
    const page = await t.browser.get(`${base}/fields/notes`);
    expect(page.status).toBe(200);
    const html = decodeHtml(page.html);
    expect(html).toContain("<h3>Edit the field “Notes”</h3>");
    expect(html).toContain("<code>notes</code> — answers are stored under it, so it never changes.");
    expect(html).toContain('<option value="textarea" selected="">Text (several lines)</option>');
    const saved = await t.browser.post(`${base}/fields/notes`, {
      label: "Anything else?",
      type: "textarea",
      required: "yes",
      options: "",
      help_text: "Context helps",
      placeholder: "",
    });
    expect(saved.location).toBe(`${base}?notice=form-saved#fields`);
    expect((await t.form("lead")).fields.at(-1)).toMatchObject({
      key: "notes",
      label: "Anything else?",
      required: true,
      help_text: "Context helps",
    });

    const before = await tableSnapshot();
    const select = await t.browser.post(`${base}/fields/notes`, { label: "Notes", type: "select", options: "" });
    expect(select.status).toBe(422);
    expect(fieldError(select.html, "options")).toBe("Options: a select field needs at least one option");
    expect(select.html).toContain('<option value="select" selected="">');
    expect(await tableSnapshot()).toEqual(before);
    // A field the form does not have: the 404 page.
    expect((await t.browser.get(`${base}/fields/nope`)).status).toBe(404);
    expect((await t.browser.post(`${base}/fields/nope`, { label: "x", type: "text" })).status).toBe(404);
  });

  it("moves fields up and down and removes one; a lead submitted before keeps its version's fields", async () => {
    const t = await tenantWithGroup();
    const base = t.tab("lead-submission");
    await t.browser.post(`${base}/enabled`, { enabled: "true" });
    const partner = await addPartner(t.companyId, t.group.id);
    const lead = await submitLead(
      env,
      { companyId: t.companyId, partnerId: partner.id },
      {
        company_name: "Globex",
        contact_name: "Hank",
        contact_email: "hank@globex.example",
        notes: "Big one",
      },
    );
    await t.browser.get(base);
    const keys = async () => (await t.form("lead")).fields.map((f) => f.key);
    expect((await t.browser.post(`${base}/fields/notes/move`, { position: "1" })).status).toBe(303);
    expect(await keys()).toEqual(["notes", "company_name", "contact_name", "contact_email"]);
    expect((await t.browser.post(`${base}/fields/company_name/move`, { position: "3" })).status).toBe(303);
    expect(await keys()).toEqual(["notes", "contact_name", "company_name", "contact_email"]);
    // The page offers exactly the moves that make sense: not up for the first, not down for the last.
    const page = decodeHtml((await t.browser.get(base)).html);
    expect(page).not.toContain('Move up<span class="visually-hidden"> the field Notes</span>');
    expect(page).toContain('Move down<span class="visually-hidden"> the field Notes</span>');
    expect(page).not.toContain('Move down<span class="visually-hidden"> the field Contact email</span>');
    const bad = await t.browser.post(`${base}/fields/notes/move`, { position: "0" });
    expect(bad.status).toBe(422);
    expect(fieldError(bad.html, "fields-notes")).toMatch(/^Position /);

    expect((await t.browser.post(`${base}/fields/notes/remove`)).location).toBe(`${base}?notice=form-saved#fields`);
    expect(await keys()).toEqual(["contact_name", "company_name", "contact_email"]);
    expect((await t.form("lead")).version).toBe(4);
    // The lead's page still shows its notes, with its own version's label.
    const leadPage = decodeHtml((await t.browser.get(`${base}/leads/${lead.id}`)).html);
    expect(leadPage).toContain("<dt>Notes</dt><dd>Big one</dd>");
    expect(leadPage).toContain("Version 1: Submit a lead");
  });

  it("the application keeps first name, last name, email: no Remove, no type; the refusal shown", async () => {
    const t = await tenantWithGroup();
    const base = t.tab("application");
    const page = decodeHtml((await t.browser.get(base)).html);
    expect(page).not.toContain(`${base}/fields/email/remove`);
    expect(page).toContain(`${base}/fields/company/remove`);
    expect(page).toContain("Always asked: an approved application becomes a partner with it.");
    const edit = decodeHtml((await t.browser.get(`${base}/fields/email`)).html);
    expect(edit).not.toContain('name="type"');
    expect(edit).not.toContain('name="required"');
    // Its label may change.
    const saved = await t.browser.post(`${base}/fields/email`, { label: "Work email", help_text: "", placeholder: "" });
    expect(saved.status).toBe(303);
    expect((await t.form("application")).fields.find((f) => f.key === "email")).toMatchObject({
      label: "Work email",
      type: "email",
      required: true,
    });
    const before = await tableSnapshot();
    const removed = await t.browser.post(`${base}/fields/email/remove`);
    expect(removed.status).toBe(422);
    expect(fieldError(removed.html, "fields-email")).toBe(
      "The application form keeps its 'email' field (it makes the partner)",
    );
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("reset form", () => {
  it("asks first (the GET changes nothing), then restores the default as a new version", async () => {
    const t = await tenantWithGroup();
    const base = t.tab("deal-registration");
    await t.browser.get(base);
    await t.browser.post(`${base}/form`, { title: "Our deals", description: "" });
    await t.browser.post(`${base}/fields/notes/remove`);
    const before = await tableSnapshot();
    const confirm = await t.browser.get(`${base}/reset`);
    expect(confirm.status).toBe(200);
    const html = decodeHtml(confirm.html);
    expect(html).toContain("<title>Reset deal form — Deal registration — Affiliates");
    expect(html).toContain("<h3>Reset the deal form?</h3>");
    expect(html).toContain("(now version 3) are replaced by the default deal form: “Register a deal”");
    expect(html).toContain("It is saved as a new version (4). Deals already submitted keep the version");
    expect(actionsOf(confirm.html)).toContain(`${base}/reset`);
    expect(await tableSnapshot()).toEqual(before);
    const reset = await t.browser.post(`${base}/reset`);
    expect(reset.location).toBe(`${base}?notice=form-reset#form`);
    const form = await t.form("deal");
    expect(form).toMatchObject({ version: 4, title: "Register a deal" });
    expect(form.fields.map((f) => f.key)).toEqual([
      "company_name",
      "contact_name",
      "contact_email",
      "deal_value",
      "expected_close_date",
      "notes",
    ]);
    expect(decodeHtml((await t.browser.get(reset.location!)).html)).toContain(
      "The form was reset to its default (a new version). Earlier submissions keep theirs.",
    );
  });
});

describe("on and off, gated by the plan", () => {
  it("turns lead submission on and off on a plan that has it", async () => {
    const t = await tenantWithGroup("growth");
    const base = t.tab("lead-submission");
    const off = decodeHtml((await t.browser.get(base)).html);
    expect(off).toContain("Lead submission is off: partners cannot submit leads.");
    expect(off).toContain(">Turn on lead submission</button>");
    expect(off).not.toContain("Not included in your plan");
    const on = await t.browser.post(`${base}/enabled`, { enabled: "true" });
    expect(on.location).toBe(`${base}?notice=turned-on#switch`);
    expect((await t.form("lead")).enabled).toBe(true);
    const page = decodeHtml((await t.browser.get(on.location!)).html);
    expect(page).toContain("Lead submission is on: partners can submit leads with the form below.");
    expect(page).toContain(">Turn off lead submission</button>");
    await t.browser.post(`${base}/enabled`, { enabled: "false" });
    expect((await t.form("lead")).enabled).toBe(false);
  });

  it("plan without it: no switch, the API's words, which plan has it; a forced POST: 403, no write", async () => {
    const t = await tenantWithGroup("starter");
    const base = t.tab("lead-submission");
    const page = await t.browser.get(base);
    const html = decodeHtml(page.html);
    expect(html).not.toContain("Turn on lead submission");
    expect(html).not.toContain(`action="${base}/enabled"`);
    expect(html).toContain(
      "<strong>Not included in your plan.</strong> The starter plan does not include lead submission. " +
        "Lead submission is included in the growth and enterprise plans",
    );
    const deal = decodeHtml((await t.browser.get(t.tab("deal-registration"))).html);
    expect(deal).toContain("Deal registration is included in the enterprise plan");
    const before = await tableSnapshot();
    const forced = await t.browser.post(`${base}/enabled`, { enabled: "true" });
    expect(forced.status).toBe(403);
    expect(fieldError(forced.html, "enabled")).toBe("The starter plan does not include lead submission.");
    expect(forced.html).toContain('<a href="#field-enabled">');
    expect(forced.html).toContain('id="field-enabled"');
    expect(await tableSnapshot()).toEqual(before);
    // The form itself can still be prepared.
    expect(actionsOf(page.html)).toContain(`${base}/fields`);
  });
});

describe("viewers", () => {
  it("see the three tabs with no write control, and cannot open the field or reset pages", async () => {
    const t = await tenantWithGroup();
    const viewer = await addConsoleUser(t.companyId, "viewer");
    for (const slug of ["lead-submission", "deal-registration", "application"]) {
      const page = await viewer.browser.get(t.tab(slug));
      expect(page.status, slug).toBe(200);
      expect(actionsOf(page.html), slug).toEqual(["/console/sign-out"]);
      expect(page.html, slug).not.toMatch(
        /Turn on|Reset [a-z]+ form|Add field|Add stage|Register a deal for|Edit<span/,
      );
      expect((await viewer.browser.get(`${t.tab(slug)}/reset`)).status, slug).toBe(403);
      expect((await viewer.browser.get(`${t.tab(slug)}/fields/email`)).status, slug).toBe(403);
    }
    const lead = decodeHtml((await viewer.browser.get(t.tab("lead-submission"))).html);
    expect(lead).toContain("<dt>Title</dt><dd>Submit a lead</dd>");
  });
});
