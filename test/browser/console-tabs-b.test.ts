// The console's Lead submission, Deal registration and Application tabs in Chromium: edit and reset
// the application form, view it live, apply there as a partner, approve in the console; lead
// submission on a plan without it (why not, which plan has it); stages, leads and deals; keyboard
// only through these tabs; axe on every page, readable at 360 px, screenshots at 390 and 1280 px.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibleDescription,
  type Company,
  type ConsoleStack,
  checkPage,
  expectCleanLoad,
  focusedElement,
  openPage,
  type Stack,
  type StorageState,
  startConsoleStack,
  tabTo,
} from "./harness";

let consoleStack: ConsoleStack;
let stack: Stack;
let acme: Company;
let solo: Company;
let acmeSession: StorageState;
let soloSession: StorageState;
let groupId: string;
let groupSlug: string;

const LEAD = { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "hank@globex.example" };

beforeAll(async () => {
  consoleStack = await startConsoleStack();
  stack = consoleStack.stack;
  acme = await stack.createCompany("Acme Analytics", "enterprise", { ownerEmail: "ann@acme.example" });
  solo = await stack.createCompany("Solo Studio", "starter", { ownerEmail: "sol@solo.example" });
  const group = await stack.api(acme, "POST", "/v1/groups", {
    name: "Creators",
    destination_url: "https://acme.com/signup",
  });
  expect(group.status).toBe(201);
  groupId = group.body.id!;
  groupSlug = group.body.slug!;
  expect(
    (await stack.api(solo, "POST", "/v1/groups", { name: "Friends", destination_url: "https://solo.com/" })).status,
  ).toBe(201);
  // A partner with leads and a deal, so the lists and pages show something real.
  const features = await stack.api(acme, "PATCH", `/v1/groups/${groupId}`, {
    features: { lead_submission: true, deal_registration: true },
  });
  expect(features.status, JSON.stringify(features.body)).toBe(200);
  const partner = await stack.api(acme, "POST", "/v1/partners", {
    first_name: "Jane",
    last_name: "Doe",
    email: "jane@partners.example",
    group_id: groupId,
  });
  expect(partner.status).toBe(201);
  const credential = await stack.api(acme, "POST", `/v1/partners/${partner.body.id}/credentials`, { name: "CRM" });
  expect(credential.status).toBe(201);
  for (const [path, values] of [
    ["/partner/v1/leads", LEAD],
    ["/partner/v1/leads", { ...LEAD, company_name: "Initech", contact_email: "bill@initech.example" }],
    ["/partner/v1/deals", { ...LEAD, company_name: "Umbrella", deal_value: 48000 }],
  ] as const) {
    const response = await fetch(`${stack.adminUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${credential.body.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ values }),
    });
    expect(response.status, await response.text()).toBe(201);
  }
  [acmeSession, soloSession] = [await consoleStack.signIn(acme), await consoleStack.signIn(solo)];
});

afterAll(async () => {
  await consoleStack?.dispose();
});

const tabPath = (slug: string) => `/console/groups/${groupId}/${slug}`;

const consolePage = (path: string, session = acmeSession) => consoleStack.open(path, session);

/** Clicks a button (or link) and waits for the page it leads to. */
async function press(page: Page, name: string, role: "button" | "link" = "button") {
  await Promise.all([page.waitForEvent("load"), page.getByRole(role, { name, exact: true }).click()]);
}

describe("console form tabs in Chromium", () => {
  it("edits the application form (an error beside its field first), resets it after confirming", async () => {
    const watched = await consolePage(tabPath("application"));
    const { page } = watched;
    expect(await page.locator("#switch").textContent()).toContain("Disabled means the group is not gated");
    await checkPage(page, "console-tab-application-off");
    await press(page, "Turn on applications");
    expect(page.url()).toBe(`${stack.adminUrl}${tabPath("application")}?notice=turned-on#switch`);
    expect(await page.locator("#switch").textContent()).toContain("Applications are on: the group is gated.");

    // A choice without options: the service's refusal beside the Options field, what was typed kept.
    const add = page.locator("form", { has: page.getByRole("button", { name: "Add field" }) });
    await add.getByLabel("Label", { exact: true }).fill("Audience size");
    await add.getByLabel("Type").selectOption("select");
    await add.getByLabel("Required: partners must answer it").check();
    await press(page, "Add field");
    expect(await page.title()).toMatch(/^Error: Application — Creators/);
    const options = page.getByLabel("Options");
    expect(await accessibleDescription(options)).toContain("Options: a select field needs at least one option");
    expect(await options.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Label", { exact: true }).inputValue()).toBe("Audience size");
    await checkPage(page, "console-tab-application-error");
    await options.fill("Under 1,000\n1,000 to 10,000\nOver 10,000");
    await press(page, "Add field");
    expect(page.url()).toContain("?notice=form-saved#fields");
    const fields = page.locator("ol.form-fields > li strong");
    expect(await fields.allTextContents()).toContain("Audience size");

    // Edit a field on its own page, and move it up.
    await press(page, "Edit the field Website", "link");
    expect(await page.locator("h3").textContent()).toBe("Edit the field “Website”");
    await checkPage(page, "console-field-edit");
    await page.getByLabel("Label", { exact: true }).fill("Your website or channel");
    await press(page, "Save field");
    await press(page, "Move up the field Your website or channel");
    const order = await fields.allTextContents();
    expect(order.indexOf("Your website or channel")).toBe(order.indexOf("Company") - 1);
    const form = await stack.api(acme, "GET", `/v1/groups/${groupId}/forms/application`);
    expect(form.body.version).toBe(4);

    // Reset: a confirmation page first, then the default form as a new version.
    await press(page, "Reset application form", "link");
    expect(await page.locator("h3").textContent()).toBe("Reset the application form?");
    await checkPage(page, "console-form-reset-confirm");
    await press(page, "Reset application form");
    expect(await page.getByRole("status").first().textContent()).toContain("The form was reset to its default");
    expect(await fields.allTextContents()).toEqual([
      "First name",
      "Last name",
      "Email",
      "Company",
      "Website",
      "How will you promote us?",
    ]);
    expect((await stack.api(acme, "GET", `/v1/groups/${groupId}/forms/application`)).body.version).toBe(5);
    expectCleanLoad(watched, "application tab");
    await watched.close();
  });

  it("views the live application form, applies there as a partner, and approves in the console", async () => {
    const watched = await consolePage(tabPath("application"));
    const { page } = watched;
    // One question of its own, so the live form shows the edit.
    const add = page.locator("form", { has: page.getByRole("button", { name: "Add field" }) });
    await add.getByLabel("Label", { exact: true }).fill("Your newsletter's name");
    await press(page, "Add field");
    const live = page.getByRole("link", { name: "View live application form (opens in a new tab)" });
    expect(await live.getAttribute("href")).toBe(`${stack.adminUrl}/programs/${acme.slug}/${groupSlug}`);
    const [program] = await Promise.all([page.context().waitForEvent("page"), live.click()]);
    await program.waitForLoadState();
    expect(program.url()).toBe(`${stack.adminUrl}/programs/${acme.slug}/${groupSlug}`);
    await program.getByLabel("First name").fill("Rosa");
    await program.getByLabel("Last name").fill("Diaz");
    await program.getByLabel("Email").fill("rosa@creators.example");
    await program.getByLabel("Your newsletter's name").fill("The Diaz Digest");
    await Promise.all([
      program.waitForEvent("load"),
      program.getByRole("button", { name: "Send application" }).click(),
    ]);
    expect(program.url()).toMatch(/\/applied$/);
    expect(await program.locator("h1").textContent()).toBe("Application received");
    await program.close();

    await page.reload();
    const pending = page.getByRole("region", { name: "Pending applications" });
    expect(await pending.textContent()).toContain("rosa@creators.example");
    await checkPage(page, "console-tab-application");
    await press(page, "Rosa Diaz", "link");
    expect(await page.locator("main").textContent()).toContain("The Diaz Digest");
    await checkPage(page, "console-application-review");
    await press(page, "Approve application");
    expect(await page.getByRole("status").first().textContent()).toBe(
      "Application approved: the applicant is now a partner of this group.",
    );
    const decided = page.getByRole("region", { name: "Decided applications" });
    expect(await decided.textContent()).toContain("Rosa Diaz");
    const partners = await stack.api(acme, "GET", `/v1/partners?group_id=${groupId}`);
    expect((partners.body.data as { email: string }[]).map((p) => p.email)).toContain("rosa@creators.example");
    expectCleanLoad(watched, "approve");
    await watched.close();
  });

  it("on the starter plan, lead submission cannot be turned on: the page says why and which plan has it", async () => {
    const watched = await openPage(consoleStack.browser, stack, { storageState: soloSession });
    const { page } = watched;
    await page.goto(`${stack.adminUrl}/console`);
    await press(page, "Friends", "link");
    await press(page, "Lead submission", "link");
    expect(await page.getByRole("button", { name: "Turn on lead submission" }).count()).toBe(0);
    const why = (await page.locator(".plan-gate").textContent()) ?? "";
    expect(why).toContain("Not included in your plan. The starter plan does not include lead submission.");
    expect(why).toContain("Lead submission is included in the growth and enterprise plans");
    await checkPage(page, "console-tab-lead-starter");
    expectCleanLoad(watched, "starter lead tab");
    await watched.close();
  });

  it("shows leads and deals with their stages; moves a lead (history) and registers a deal", async () => {
    const watched = await consolePage(tabPath("lead-submission"));
    const { page } = watched;
    const leads = page.getByRole("region", { name: "Leads" });
    expect(await leads.locator("tbody tr").count()).toBe(2);
    await checkPage(page, "console-tab-lead-submission");
    await press(page, "Globex", "link");
    await page.getByLabel("Stage").selectOption({ label: "Qualified" });
    await press(page, "Move lead");
    expect(await page.locator("ol.history").textContent()).toContain(
      "moved from New to Qualified, by ann@acme.example",
    );
    await checkPage(page, "console-lead");

    await page.goto(`${stack.adminUrl}${tabPath("deal-registration")}`);
    await checkPage(page, "console-tab-deal-registration");
    await press(page, "Register a deal for a partner", "link");
    await page.getByLabel("Partner", { exact: true }).selectOption({ label: "Jane Doe (jane@partners.example)" });
    await page.getByLabel("Company name").fill("Stark Industries");
    await page.getByLabel("Contact name").fill("Pepper Potts");
    await page.getByLabel("Contact email").fill("not-an-email");
    await press(page, "Register deal");
    expect(await accessibleDescription(page.getByLabel("Contact email"))).toContain(
      "Contact email must be an email address",
    );
    await checkPage(page, "console-deal-new-error");
    await page.getByLabel("Contact email").fill("pepper@stark.example");
    await press(page, "Register deal");
    expect(await page.getByRole("status").first().textContent()).toBe("Deal registered.");
    await checkPage(page, "console-deal");
    expectCleanLoad(watched, "leads and deals");
    await watched.close();
  });

  it("keyboard only: through the three tabs, their sections and a form, with visible focus", async () => {
    const watched = await consolePage(tabPath("settings"));
    const { page } = watched;
    const nav = () => page.getByRole("navigation", { name: "Group sections" });
    await tabTo(page, nav().getByRole("link", { name: "Lead submission" }), { max: 30 });
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/lead-submission$/);
    // The tab's own section links, then a stage added with the keyboard alone.
    await tabTo(
      page,
      page.getByRole("navigation", { name: "On this tab" }).getByRole("link", { name: "Pipeline stages" }),
    );
    await page.keyboard.press("Enter");
    await tabTo(page, page.getByLabel("Stage name"), { max: 60 });
    await page.keyboard.type("Demo booked");
    await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").first().textContent()).toBe("Stage added.");
    expect(await page.locator("table.stages").textContent()).toContain("Demo booked");
    // Move it up with the keyboard: its button is a real button, reached by Tab.
    await tabTo(page, page.getByRole("button", { name: "Move up the stage Demo booked" }), { max: 80 });
    await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").first().textContent()).toBe("Stage moved.");

    // Back up to the tab nav from the middle of the page; after a page load, Tab goes forwards from the top.
    for (const [label, backwards] of [
      ["Deal registration", true],
      ["Application", false],
    ] as const) {
      await tabTo(page, nav().getByRole("link", { name: label }), { max: 40, backwards });
      await page.keyboard.press("Enter");
      await page.waitForLoadState();
      expect(await nav().locator('[aria-current="page"]').textContent()).toBe(label);
    }
    // In the Application tab: the switch, then the add-field form's first control.
    await tabTo(page, page.getByRole("button", { name: /^Turn (on|off) applications$/ }), { max: 30 });
    await tabTo(page, page.getByRole("link", { name: "View live application form (opens in a new tab)" }));
    await tabTo(page, page.getByLabel("Title"), { max: 10 });
    expect(await focusedElement(page)).toMatch(/^input#field-title/);
    await watched.close();
  });
});
