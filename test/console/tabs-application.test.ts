// The Application tab: applications on or off (plan-gated; off means the group is not gated),
// "View live application form" (the group's program page), the pending applications to approve or
// reject with an optional reason — through the applications service, as the API — the decided
// ones below, refusals beside their buttons, and another company's or group's application in the
// URL is the 404 page. Every refusal writes nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { submitApplication } from "../../src/applications/service";
import { createGroup, updateGroup } from "../../src/groups/service";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { addConsoleUser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

async function tenant(plan: "starter" | "growth" | "enterprise" = "growth", gated = true) {
  const t = await consoleTenant(plan);
  const group = await createGroup(env, t.companyId, { name: "Creators", destinationUrl: "https://a.example/" });
  if (gated) await updateGroup(env, t.companyId, group.id, { applicationFormEnabled: true });
  const apply = (first: string, extra: Record<string, unknown> = {}) =>
    submitApplication(env, t.companyId, {
      groupId: group.id,
      values: { first_name: first, last_name: "Applicant", email: `${first.toLowerCase()}@apply.example`, ...extra },
    });
  const tab = `/console/groups/${group.id}/application`;
  return { ...t, group, apply, tab };
}

describe("applications on and off", () => {
  it("says what off means, turns them on (gated) and off again; the live form is the program page", async () => {
    const t = await tenant("growth", false);
    const page = decodeHtml((await t.browser.get(t.tab)).html);
    expect(page).toContain(
      "Applications are off. Disabled means the group is not gated: partners who apply join directly.",
    );
    expect(page).toContain(
      `<a href="https://admin.edgeref.test/programs/${t.company.slug}/${t.group.slug}" target="_blank" ` +
        'rel="noopener" class="button-link secondary-link">View live application form' +
        '<span class="visually-hidden"> (opens in a new tab)</span></a>',
    );
    expect(page).toContain("so the program page shows a short join form");
    const on = await t.browser.post(`${t.tab}/enabled`, { enabled: "true" });
    expect(on.location).toBe(`${t.tab}?notice=turned-on#switch`);
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/forms/application`), 200).enabled).toBe(true);
    expect(decodeHtml((await t.browser.get(t.tab)).html)).toContain(
      "Applications are on: the group is gated. Applicants fill in the form below and wait for your approval.",
    );
    await t.browser.post(`${t.tab}/enabled`, { enabled: "false" });
    expect(bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/forms/application`), 200).enabled).toBe(false);
  });

  it("on the starter plan: no switch, why not and which plans have it; a forced POST is the 403", async () => {
    const t = await tenant("starter", false);
    const page = decodeHtml((await t.browser.get(t.tab)).html);
    expect(page).not.toContain("Turn on applications");
    expect(page).toContain(
      "<strong>Not included in your plan.</strong> The starter plan does not include application forms. " +
        "Application forms are included in the growth and enterprise plans",
    );
    const before = await tableSnapshot();
    const forced = await t.browser.post(`${t.tab}/enabled`, { enabled: "true" });
    expect(forced.status).toBe(403);
    expect(fieldError(forced.html, "enabled")).toBe("The starter plan does not include application forms.");
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("deciding applications", () => {
  it("lists pending ones; approving makes the applicant a partner of the group, listed as decided", async () => {
    const t = await tenant();
    const jane = await t.apply("Jane", { company: "Jane & Co" });
    const page = decodeHtml((await t.browser.get(t.tab)).html);
    expect(page).toContain(`<a href="${t.tab}/applications/${jane.id}">Jane Applicant</a>`);
    expect(page).toContain('<td data-label="Email">jane@apply.example</td>');
    expect(page).toContain(`action="${t.tab}/applications/${jane.id}/approve"`);
    expect(page).toContain("No decided application yet.");
    const review = decodeHtml((await t.browser.get(`${t.tab}/applications/${jane.id}`)).html);
    expect(review).toContain("<dt>Company</dt><dd>Jane & Co</dd>");
    expect(review).toContain("Version 1: Apply to our partner program");

    const approved = await t.browser.post(`${t.tab}/applications/${jane.id}/approve`);
    expect(approved.location).toBe(`${t.tab}?notice=approved#decided`);
    const application = bodyOf(await api(t.key, "GET", `/v1/applications/${jane.id}`), 200);
    expect(application).toMatchObject({ status: "approved", group_id: t.group.id });
    const partner = bodyOf(await api(t.key, "GET", `/v1/partners/${application.partner_id!}`), 200);
    expect(partner).toMatchObject({ email: "jane@apply.example", first_name: "Jane", group_id: t.group.id });
    const after = decodeHtml((await t.browser.get(approved.location!)).html);
    expect(after).toContain("Application approved: the applicant is now a partner of this group.");
    expect(after).toContain("No application is waiting for a decision.");
    expect(after).toContain(`Approved — <a href="/console/partners/${partner.id}">partner</a>`);
  });

  it("rejects with an optional reason, kept and shown; a reason too long is refused beside it", async () => {
    const t = await tenant();
    const tom = await t.apply("Tom");
    await t.browser.get(`${t.tab}/applications/${tom.id}`);
    const before = await tableSnapshot();
    const long = await t.browser.post(`${t.tab}/applications/${tom.id}/reject`, { reason: "x".repeat(1001) });
    expect(long.status).toBe(422);
    expect(fieldError(long.html, "reason")).toBe("Reason must be 1000 characters or fewer");
    expect(await tableSnapshot()).toEqual(before);
    const rejected = await t.browser.post(`${t.tab}/applications/${tom.id}/reject`, {
      reason: "We only work with agencies for now.",
    });
    expect(rejected.location).toBe(`${t.tab}?notice=rejected#decided`);
    expect(bodyOf(await api(t.key, "GET", `/v1/applications/${tom.id}`), 200)).toMatchObject({
      status: "rejected",
      rejection_reason: "We only work with agencies for now.",
    });
    const page = decodeHtml((await t.browser.get(t.tab)).html);
    expect(page).toContain('<td data-label="Decision">Rejected: We only work with agencies for now.</td>');
    // A reason is optional.
    const ann = await t.apply("Ann");
    expect((await t.browser.post(`${t.tab}/applications/${ann.id}/reject`, { reason: "" })).status).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/applications/${ann.id}`), 200).rejection_reason).toBeNull();
  });

  it("a decided application is not decided again: the service's 409 beside the button, nothing written", async () => {
    const t = await tenant();
    const sam = await t.apply("Sam");
    await t.browser.get(t.tab);
    await t.browser.post(`${t.tab}/applications/${sam.id}/reject`, {});
    const review = decodeHtml((await t.browser.get(`${t.tab}/applications/${sam.id}`)).html);
    expect(review).not.toContain("Approve application");
    const before = await tableSnapshot();
    const again = await t.browser.post(`${t.tab}/applications/${sam.id}/approve`);
    expect(again.status).toBe(409);
    expect(fieldError(again.html, "approve")).toBe("The application is rejected; only a pending one can be decided.");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("an applicant who became a partner meanwhile: the service's 409 beside Approve", async () => {
    const t = await tenant();
    const pat = await t.apply("Pat");
    await api(t.key, "POST", "/v1/partners", {
      first_name: "Pat",
      last_name: "Applicant",
      email: "pat@apply.example",
      group_id: t.group.id,
    });
    await t.browser.get(t.tab);
    const before = await tableSnapshot();
    const r = await t.browser.post(`${t.tab}/applications/${pat.id}/approve`);
    expect(r.status).toBe(409);
    expect(fieldError(r.html, "approve")).toBe("'pat@apply.example' is already a partner of this program.");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("a viewer sees the applications but no approve or reject", async () => {
    const t = await tenant();
    const lee = await t.apply("Lee");
    const viewer = await addConsoleUser(t.companyId, "viewer");
    const page = await viewer.browser.get(t.tab);
    expect(page.html).toContain("Lee Applicant");
    expect(page.html).not.toContain("/approve");
    const review = await viewer.browser.get(`${t.tab}/applications/${lee.id}`);
    expect(review.status).toBe(200);
    expect(review.html).not.toMatch(/Approve application|Reject application/);
  });
});

describe("isolation", () => {
  it("another company's or group's application in the URL: the 404 page, nothing written", async () => {
    const a = await tenant();
    const b = await tenant();
    const bApp = await b.apply("Bea");
    const other = await createGroup(env, a.companyId, { name: "Other", destinationUrl: "https://a.example/o" });
    await updateGroup(env, a.companyId, other.id, { applicationFormEnabled: true });
    const otherApp = await submitApplication(env, a.companyId, {
      groupId: other.id,
      values: { first_name: "Olga", last_name: "Other", email: "olga@apply.example" },
    });
    await addPartner(a.companyId, a.group.id);
    await a.browser.get(a.tab);
    const before = await tableSnapshot();
    for (const id of [bApp.id, otherApp.id]) {
      const page = await a.browser.get(`${a.tab}/applications/${id}`);
      expect(page.status).toBe(404);
      expect(page.html).toContain("<h1>Page not found</h1>");
      expect((await a.browser.post(`${a.tab}/applications/${id}/approve`)).status).toBe(404);
      expect((await a.browser.post(`${a.tab}/applications/${id}/reject`, { reason: "no" })).status).toBe(404);
    }
    expect(await tableSnapshot()).toEqual(before);
    const list = (await a.browser.get(a.tab)).html;
    expect(list).not.toContain("Bea Applicant");
    expect(list).not.toContain("Olga Other");
  });
});
