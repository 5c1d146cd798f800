// The pipelines of the Lead submission and Deal registration tabs: stages (add, rename, reorder,
// remove when empty — the service's 409 beside the stage), the group's leads and deals with their
// stages, a lead's or deal's page (answers, history, move), the deal pipeline's final stage rules,
// registering a deal for a partner; and isolation: another company's or group's lead, deal or stage
// id in the URL is the 404 page. Every refusal writes nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createGroup, updateGroup } from "../../src/groups/service";
import { submitLead } from "../../src/leads/service";
import { listStages } from "../../src/pipelines/service";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

const LEAD = { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "hank@globex.example" };
const DEAL = { ...LEAD, deal_value: "12000", expected_close_date: "2026-12-24", notes: "" };

async function tenant() {
  const t = await consoleTenant("enterprise");
  const group = await createGroup(env, t.companyId, { name: "Resellers", destinationUrl: "https://a.example/" });
  await updateGroup(env, t.companyId, group.id, { leadSubmissionEnabled: true, dealRegistrationEnabled: true });
  const partner = await addPartner(t.companyId, group.id);
  const lead = (values: Record<string, unknown> = LEAD) =>
    submitLead(env, { companyId: t.companyId, partnerId: partner.id }, values);
  const stages = (kind: "lead" | "deal") => listStages(env, t.companyId, group.id, kind);
  const leadTab = `/console/groups/${group.id}/lead-submission`;
  const dealTab = `/console/groups/${group.id}/deal-registration`;
  return { ...t, group, partner, lead, stages, leadTab, dealTab };
}

const stageNames = (html: string) => [...decodeHtml(html).matchAll(/<th scope="row">\d+\. ([^<]+)</g)].map((m) => m[1]);

describe("pipeline stages", () => {
  it("adds, renames and reorders stages; the API shows the pipeline so", async () => {
    const t = await tenant();
    await t.browser.get(t.leadTab);
    const added = await t.browser.post(`${t.leadTab}/stages`, { name: "Demo booked" });
    expect(added.location).toBe(`${t.leadTab}?notice=stage-added#stages`);
    const demo = (await t.stages("lead")).find((s) => s.name === "Demo booked")!;
    expect((await t.browser.get(`${t.leadTab}/stages/${demo.id}`)).html).toContain("Rename the stage “Demo booked”");
    const renamed = await t.browser.post(`${t.leadTab}/stages/${demo.id}`, { name: "Demo done" });
    expect(renamed.location).toBe(`${t.leadTab}?notice=saved#stages`);
    const moved = await t.browser.post(`${t.leadTab}/stages/${demo.id}/move`, { position: "2" });
    expect(moved.location).toBe(`${t.leadTab}?notice=stage-moved#stages`);
    const pipeline = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/pipelines/lead`), 200);
    expect(pipeline.stages.map((s) => s.name)).toEqual([
      "New",
      "Demo done",
      "Contacted",
      "Qualified",
      "Converted",
      "Disqualified",
    ]);
    expect(stageNames((await t.browser.get(t.leadTab)).html)).toEqual(pipeline.stages.map((s) => s.name));
  });

  it("refuses a duplicate or empty name beside the field, and removing a stage that holds leads (409)", async () => {
    const t = await tenant();
    await t.lead();
    await t.browser.get(t.leadTab);
    const before = await tableSnapshot();
    const duplicate = await t.browser.post(`${t.leadTab}/stages`, { name: "qualified" });
    expect(duplicate.status).toBe(422);
    expect(fieldError(duplicate.html, "name")).toBe("Stage name: the pipeline already has a stage 'qualified'");
    expect(duplicate.html).toContain('value="qualified"');
    const empty = await t.browser.post(`${t.leadTab}/stages`, { name: " " });
    expect(fieldError(empty.html, "name")).toBe("Enter a name for the stage");
    const [first] = await t.stages("lead");
    const full = await t.browser.post(`${t.leadTab}/stages/${first!.id}/remove`);
    expect(full.status).toBe(409);
    expect(fieldError(full.html, `stage-${first!.id}`)).toBe(
      "The stage 'New' still holds leads; move them to another stage first.",
    );
    expect(full.html).toContain(`<a href="#field-stage-${first!.id}">`);
    expect(await tableSnapshot()).toEqual(before);
    // An empty stage goes.
    const contacted = (await t.stages("lead")).find((s) => s.name === "Contacted")!;
    expect((await t.browser.post(`${t.leadTab}/stages/${contacted.id}/remove`)).location).toBe(
      `${t.leadTab}?notice=removed#stages`,
    );
    expect((await t.stages("lead")).map((s) => s.name)).not.toContain("Contacted");
  });

  it("keeps the deal pipeline's final stage last: renamed only; a forced removal is the service's 409", async () => {
    const t = await tenant();
    const page = await t.browser.get(t.dealTab);
    const final = (await t.stages("deal")).find((s) => s.isFinal)!;
    expect(decodeHtml(page.html)).toContain('3. Closed won<span class="badge">Final stage</span>');
    expect(page.html).not.toContain(`stages/${final.id}/remove`);
    expect(page.html).not.toContain(`stages/${final.id}/move`);
    expect(page.html).toContain(`href="${t.dealTab}/stages/${final.id}"`);
    const before = await tableSnapshot();
    const removed = await t.browser.post(`${t.dealTab}/stages/${final.id}/remove`);
    expect(removed.status).toBe(409);
    expect(fieldError(removed.html, `stage-${final.id}`)).toBe(
      "The deal pipeline's final stage cannot be removed; rename it instead.",
    );
    expect(await tableSnapshot()).toEqual(before);
    // A stage added goes before it.
    await t.browser.post(`${t.dealTab}/stages`, { name: "Negotiation" });
    expect((await t.stages("deal")).map((s) => s.name)).toEqual([
      "Registered",
      "In progress",
      "Negotiation",
      "Closed won",
    ]);
  });
});

describe("leads", () => {
  it("lists the group's leads with their stages; a lead's page moves it and shows its history", async () => {
    const t = await tenant();
    const lead = await t.lead();
    const tab = decodeHtml((await t.browser.get(t.leadTab)).html);
    expect(tab).toContain(`<a href="${t.leadTab}/leads/${lead.id}">Globex</a>`);
    expect(tab).toContain(`<td data-label="Partner">${t.partner.firstName} ${t.partner.lastName}</td>`);
    expect(tab).toContain('<td data-label="Stage">New</td>');
    const page = decodeHtml((await t.browser.get(`${t.leadTab}/leads/${lead.id}`)).html);
    expect(page).toContain("<h3>Lead: Globex</h3>");
    expect(page).toContain("<dt>Contact email</dt><dd>hank@globex.example</dd>");
    expect(page).toContain(`Submitted into New, by the partner ${t.partner.firstName} ${t.partner.lastName}`);

    const qualified = (await t.stages("lead")).find((s) => s.name === "Qualified")!;
    const moved = await t.browser.post(`${t.leadTab}/leads/${lead.id}/move`, { stage_id: qualified.id });
    expect(moved.location).toBe(`${t.leadTab}/leads/${lead.id}?notice=lead-moved`);
    const after = decodeHtml((await t.browser.get(moved.location!)).html);
    expect(after).toContain("The lead was moved.");
    expect(after).toContain("<dt>Stage</dt><dd>Qualified</dd>");
    expect(after).toContain(`moved from New to Qualified, by ${t.email}`);
    const api_ = bodyOf(await api(t.key, "GET", `/v1/leads/${lead.id}`), 200);
    expect(api_.stage.name).toBe("Qualified");
    expect(api_.history!.at(-1)!.moved_by).toEqual({ kind: "company", id: t.user.id });
    expect(decodeHtml((await t.browser.get(t.leadTab)).html)).toContain('<td data-label="Stage">Qualified</td>');
  });

  it("refuses a stage of another pipeline beside the stage field; nothing written", async () => {
    const t = await tenant();
    const lead = await t.lead();
    await t.browser.get(`${t.leadTab}/leads/${lead.id}`);
    const [dealStage] = await t.stages("deal");
    const before = await tableSnapshot();
    const r = await t.browser.post(`${t.leadTab}/leads/${lead.id}/move`, { stage_id: dealStage!.id });
    expect(r.status).toBe(422);
    expect(fieldError(r.html, "stage_id")).toBe("Stage: no stage with this id in the lead pipeline");
    const empty = await t.browser.post(`${t.leadTab}/leads/${lead.id}/move`, { stage_id: "" });
    expect(fieldError(empty.html, "stage_id")).toBe("Choose the stage to move it to");
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("deals", () => {
  it("saves the final stage's rules: who may close deals, whether closing creates a customer", async () => {
    const t = await tenant();
    await t.browser.get(t.dealTab);
    const saved = await t.browser.post(`${t.dealTab}/final-stage`, { movers: "partners" });
    expect(saved.location).toBe(`${t.dealTab}?notice=saved#final-stage`);
    const pipeline = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/pipelines/deal`), 200);
    expect(pipeline.final_stage).toEqual({ movers: "partners", creates_customer: false });
    const page = decodeHtml((await t.browser.get(t.dealTab)).html);
    expect(page).toContain('value="partners" checked=""');
    expect(page).not.toContain('name="creates_customer" type="checkbox" value="yes" checked=""');
    const before = await tableSnapshot();
    const bad = await t.browser.post(`${t.dealTab}/final-stage`, { movers: "everyone", creates_customer: "yes" });
    expect(bad.status).toBe(422);
    expect(fieldError(bad.html, "movers")).toMatch(/^Invalid option: expected one of "company"\|"partners"/);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("registers a deal for a partner of the group; refusals beside their fields", async () => {
    const t = await tenant();
    const elsewhere = await createGroup(env, t.companyId, { name: "Other", destinationUrl: "https://a.example/o" });
    const stranger = await addPartner(t.companyId, elsewhere.id);
    const form = await t.browser.get(`${t.dealTab}/deals/new`);
    expect(form.status).toBe(200);
    const html = decodeHtml(form.html);
    expect(html).toContain(`<option value="${t.partner.id}">${t.partner.firstName} ${t.partner.lastName}`);
    expect(html).toContain('name="expected_close_date" type="date"');

    const before = await tableSnapshot();
    const missing = await t.browser.post(`${t.dealTab}/deals`, { partner_id: "", company_name: "Initech" });
    expect(missing.status).toBe(422);
    expect(fieldError(missing.html, "partner_id")).toBe("Choose the partner the deal is registered for");
    const invalid = await t.browser.post(`${t.dealTab}/deals`, {
      ...DEAL,
      partner_id: t.partner.id,
      contact_email: "not an email",
      deal_value: "lots",
    });
    expect(invalid.status).toBe(422);
    expect(fieldError(invalid.html, "contact_email")).toBe("Contact email must be an email address");
    expect(fieldError(invalid.html, "deal_value")).toBe("Estimated deal value (USD) must be a number");
    expect(invalid.html).toContain('value="lots"');
    const other = await t.browser.post(`${t.dealTab}/deals`, { ...DEAL, partner_id: stranger.id });
    expect(fieldError(other.html, "partner_id")).toBe("Partner is not in this group: register it from their group");
    expect(await tableSnapshot()).toEqual(before);

    const registered = await t.browser.post(`${t.dealTab}/deals`, { ...DEAL, partner_id: t.partner.id });
    expect(registered.status, registered.html).toBe(303);
    const dealId = /\/deals\/(deal_[0-9a-z]+)\?notice=deal-registered$/.exec(registered.location!)![1]!;
    const deal = bodyOf(await api(t.key, "GET", `/v1/deals/${dealId}`), 200);
    expect(deal).toMatchObject({
      partner_id: t.partner.id,
      group_id: t.group.id,
      submitted_by: "company",
      values: { company_name: "Globex", deal_value: 12000, expected_close_date: "2026-12-24" },
    });
    const tab = decodeHtml((await t.browser.get(t.dealTab)).html);
    expect(tab).toContain(`<a href="${t.dealTab}/deals/${dealId}">Globex</a>`);
    expect(tab).toContain('<td data-label="Stage">Registered</td>');
  });

  it("moves a deal into the final stage: closed, a customer with the key given; then it no longer moves", async () => {
    const t = await tenant();
    await t.browser.get(`${t.dealTab}/deals/new`);
    const registered = await t.browser.post(`${t.dealTab}/deals`, { ...DEAL, partner_id: t.partner.id });
    const page = registered.location!.replace(/\?.*$/, "");
    const dealId = page.split("/").at(-1)!;
    const final = (await t.stages("deal")).find((s) => s.isFinal)!;
    const open = decodeHtml((await t.browser.get(page)).html);
    expect(open).toContain(`(final: closes the deal)`);
    expect(open).toContain('name="customer_key"');
    const closed = await t.browser.post(`${page}/move`, { stage_id: final.id, customer_key: "acct_4711" });
    expect(closed.location).toBe(`${page}?notice=deal-moved`);
    const deal = bodyOf(await api(t.key, "GET", `/v1/deals/${dealId}`), 200);
    expect(deal.closed_at).not.toBeNull();
    const customer = await env.DB.prepare("SELECT customer_key, partner_id FROM customers WHERE id = ?1")
      .bind(deal.customer_id)
      .first();
    expect(customer).toEqual({ customer_key: "acct_4711", partner_id: t.partner.id });
    const after = decodeHtml((await t.browser.get(page)).html);
    expect(after).toContain("This deal is closed: it no longer moves or changes.");
    expect(after).not.toContain(`action="${page}/move"`);
    expect(after).toContain(`moved from Registered to Closed won, by ${t.email}`);
    const before = await tableSnapshot();
    const [first] = await t.stages("deal");
    const again = await t.browser.post(`${page}/move`, { stage_id: first!.id });
    expect(again.status).toBe(409);
    expect(fieldError(again.html, "stage_id")).toBe(
      "The deal is closed (in its final stage): it can no longer change.",
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("a customer key already taken is the service's 409 beside the key; the deal stays open", async () => {
    const t = await tenant();
    await t.browser.get(`${t.dealTab}/deals/new`);
    const one = (await t.browser.post(`${t.dealTab}/deals`, { ...DEAL, partner_id: t.partner.id })).location!;
    const two = (await t.browser.post(`${t.dealTab}/deals`, { ...DEAL, partner_id: t.partner.id })).location!;
    const final = (await t.stages("deal")).find((s) => s.isFinal)!;
    const first = one.replace(/\?.*$/, "");
    const second = two.replace(/\?.*$/, "");
    expect((await t.browser.post(`${first}/move`, { stage_id: final.id, customer_key: "acct_1" })).status).toBe(303);
    await t.browser.get(second);
    const before = await tableSnapshot();
    const taken = await t.browser.post(`${second}/move`, { stage_id: final.id, customer_key: "acct_1" });
    expect(taken.status).toBe(409);
    expect(fieldError(taken.html, "customer_key")).toBe(
      "A customer with key 'acct_1' already exists; the deal was not moved.",
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("deal registration off: no link to register one, and a forced POST is the service's 409", async () => {
    const t = await tenant();
    await updateGroup(env, t.companyId, t.group.id, { dealRegistrationEnabled: false });
    const tab = decodeHtml((await t.browser.get(t.dealTab)).html);
    expect(tab).not.toContain("Register a deal for a partner</a>");
    expect(tab).toContain("Turn deal registration on to register deals for partners.");
    const before = await tableSnapshot();
    const forced = await t.browser.post(`${t.dealTab}/deals`, { ...DEAL, partner_id: t.partner.id });
    expect(forced.status).toBe(409);
    expect(fieldError(forced.html, "partner_id")).toBe("Deal registration is off in the group 'Resellers'.");
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("isolation", () => {
  it("another company's or another group's lead, deal or stage in the URL: the 404 page, nothing written", async () => {
    const a = await tenant();
    const b = await tenant();
    const bLead = await b.lead();
    await b.browser.get(`${b.dealTab}/deals/new`);
    const bDeal = (await b.browser.post(`${b.dealTab}/deals`, { ...DEAL, partner_id: b.partner.id })).location!;
    const bDealId = bDeal.replace(/\?.*$/, "").split("/").at(-1)!;
    const [bStage] = await b.stages("lead");
    // A's other group, with its own lead.
    const aOther = await createGroup(env, a.companyId, { name: "Other", destinationUrl: "https://a.example/o" });
    await updateGroup(env, a.companyId, aOther.id, { leadSubmissionEnabled: true });
    const aPartner = await addPartner(a.companyId, aOther.id);
    const aOtherLead = await submitLead(env, { companyId: a.companyId, partnerId: aPartner.id }, LEAD);
    const [aOtherStage] = await listStages(env, a.companyId, aOther.id, "lead");

    await a.browser.get(a.leadTab);
    const before = await tableSnapshot();
    for (const path of [
      `${a.leadTab}/leads/${bLead.id}`,
      `${a.leadTab}/leads/${aOtherLead.id}`,
      `${a.dealTab}/deals/${bDealId}`,
      `${a.leadTab}/stages/${bStage!.id}`,
      `${a.leadTab}/stages/${aOtherStage!.id}`,
      `${b.leadTab}/leads/${bLead.id}`,
    ]) {
      const r = await a.browser.get(path);
      expect(r.status, path).toBe(404);
      expect(r.html, path).toContain("<h1>Page not found</h1>");
      expect(r.html, path).not.toContain("Globex");
    }
    for (const [path, fields] of [
      [`${a.leadTab}/leads/${bLead.id}/move`, { stage_id: bStage!.id }],
      [`${a.leadTab}/leads/${aOtherLead.id}/move`, { stage_id: aOtherStage!.id }],
      [`${a.dealTab}/deals/${bDealId}/move`, { stage_id: bStage!.id }],
      [`${a.leadTab}/stages/${bStage!.id}`, { name: "Mine" }],
      [`${a.leadTab}/stages/${bStage!.id}/remove`, {}],
      [`${a.leadTab}/stages/${aOtherStage!.id}/move`, { position: "2" }],
    ] as const) {
      expect((await a.browser.post(path, fields)).status, path).toBe(404);
    }
    // B's partner in A's deal form: the API's 422 beside the field.
    await a.browser.get(`${a.dealTab}/deals/new`);
    const foreign = await a.browser.post(`${a.dealTab}/deals`, { ...DEAL, partner_id: b.partner.id });
    expect(foreign.status).toBe(422);
    expect(fieldError(foreign.html, "partner_id")).toBe("Partner: no partner with this id in your company");
    expect(await tableSnapshot()).toEqual(before);
    // Lists show only the group's own.
    const list = (await a.browser.get(a.leadTab)).html;
    expect(list).not.toContain(bLead.id);
    expect(list).not.toContain(aOtherLead.id);
  });
});
