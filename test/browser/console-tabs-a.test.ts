// A group's Links, Offers and Social content tabs in Chromium: add two default links and fail to add
// a fourth (the API's message beside the form), try to delete the original (disabled, with why),
// delete another after its warning; set up an offer with a trigger (without JavaScript) and see its
// summary; preview a social post for a partner and save it; keyboard only through these tabs; axe
// on every page, readable at 360 px, screenshots at 390 and 1280 px.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibleDescription,
  type Company,
  type ConsoleStack,
  checkPage,
  expectCleanLoad,
  focusedElement,
  type Stack,
  type StorageState,
  startConsoleStack,
  tabTo,
} from "./harness";

let consoleStack: ConsoleStack;
let stack: Stack;
let acme: Company;
let signedIn: StorageState;
let groupId: string;

beforeAll(async () => {
  consoleStack = await startConsoleStack();
  stack = consoleStack.stack;
  acme = await stack.createCompany("Acme Analytics", "growth", { ownerEmail: "tabs@acme.example" });
  await stack.verifyLocalhost(acme);
  const group = await stack.api(acme, "POST", "/v1/groups", {
    name: "Affiliates",
    destination_url: "https://acme.com/signup",
  });
  expect(group.status).toBe(201);
  groupId = group.body.id!;
  const jane = await stack.api(acme, "POST", "/v1/partners", {
    first_name: "Jane",
    last_name: "Doe",
    email: "jane@partners.example",
    partner_key: "jane-doe",
    group_id: groupId,
  });
  expect(jane.status).toBe(201);
  // Sign in once; every test opens its pages with this session.
  signedIn = await consoleStack.signIn(acme);
});

afterAll(async () => {
  await consoleStack?.dispose();
});

const tabPath = (tab: string) => `/console/groups/${groupId}/${tab}`;

const consolePage = (path: string, options: { javaScriptEnabled?: boolean } = {}) =>
  consoleStack.open(path, signedIn, options);

async function createLink(page: Page, fields: { title: string; destination: string; text: string; source?: string }) {
  await page.getByRole("link", { name: "Create a default link" }).click();
  await page.getByLabel("Title").fill(fields.title);
  await page.getByLabel("Link destination").fill(fields.destination);
  if (fields.source) await page.getByLabel("utm_source").fill(fields.source);
  await page.getByLabel("Link text").fill(fields.text);
  await page.getByRole("button", { name: "Create link" }).click();
}

describe("a group's Links, Offers and Social content tabs in Chromium", () => {
  it("Links: adds two default links, fails to add a fourth, cannot delete the original, deletes another", async () => {
    const watched = await consolePage(tabPath("links"));
    const { page } = watched;
    await checkPage(page, "console-tab-links-original");
    await createLink(page, {
      title: "Pricing page",
      destination: "https://acme.com/pricing",
      text: "pricing",
      source: "partner",
    });
    expect(page.url()).toBe(`${stack.adminUrl}${tabPath("links")}?notice=created`);
    await createLink(page, { title: "Docs", destination: "https://acme.com/docs", text: "docs" });
    const main = page.locator("main");
    expect(await main.textContent()).toContain("3 of 3 default links.");
    expect(await main.textContent()).toContain(`${stack.edgeUrl}/{partner_key}--pricing`);
    await checkPage(page, "console-tab-links");

    // A fourth: the form says the group is full; sending it gets the API's message beside the form.
    await page.getByRole("link", { name: "Create a default link" }).click();
    expect(await main.textContent()).toContain("3 of 3 default links. Delete one before adding another.");
    await page.getByLabel("Title").fill("Blog");
    await page.getByLabel("Link destination").fill("https://acme.com/blog");
    await page.getByLabel("Link text").fill("blog");
    await page.getByRole("button", { name: "Create link" }).click();
    await expect.poll(() => page.title()).toMatch(/^Error: Links/);
    expect(await page.locator("#field-title-error").textContent()).toContain("A group has at most 3 default links.");
    expect(await accessibleDescription(page.getByLabel("Title"))).toContain("A group has at most 3 default links.");
    await checkPage(page, "console-tab-links-fourth-refused");

    // The original cannot be deleted: its Delete is disabled and says why.
    await page.getByRole("link", { name: "Links", exact: true }).first().click();
    const original = page.getByRole("button", { name: "Delete Original link" });
    expect(await original.isDisabled()).toBe(true);
    expect(await accessibleDescription(original)).toContain("The original link cannot be deleted");
    // Another asks first, warning to tell partners.
    await page.getByRole("link", { name: "Delete Docs" }).click();
    expect(await main.textContent()).toContain("Tell your partners first.");
    await checkPage(page, "console-tab-links-delete");
    await page.getByRole("button", { name: "Delete link" }).click();
    expect(page.url()).toBe(`${stack.adminUrl}${tabPath("links")}?notice=removed`);
    expect(await main.textContent()).toContain("2 of 3 default links.");
    const links = await stack.api(acme, "GET", `/v1/groups/${groupId}/links`);
    expect((links.body.data as { link_text: string }[]).map((link) => link.link_text)).toEqual(["", "pricing"]);
    expectCleanLoad(watched, "links tab");
    await watched.close();
  });

  it("Offers: 'Create offer' when none, an offer with a trigger (an error first), its summary", async () => {
    const watched = await consolePage(tabPath("offers"));
    const { page } = watched;
    expect(await page.locator("main").textContent()).toContain("No offers yet:");
    await checkPage(page, "console-tab-offers-empty");
    await page.getByRole("link", { name: "Create offer" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Launch offer");
    const trigger = page.getByRole("group", { name: "New trigger" });
    await trigger.getByLabel("Event").selectOption({ label: "A sale (transaction)" });
    await trigger.getByLabel("Product keys").fill("pro_plan");
    await trigger.getByLabel("Kind of reward").selectOption({ label: "A percentage of the sale" });
    await trigger.getByLabel("Percentage").fill("200");
    await page.getByRole("button", { name: "Create offer" }).click();
    // An error first, beside the trigger's field.
    await expect.poll(() => page.title()).toMatch(/^Error: Offers/);
    expect(await page.locator("#field-triggers-0-reward-percent-error").textContent()).toContain(
      "Percentage must be at most 100",
    );
    await checkPage(page, "console-tab-offers-error");
    await page.getByRole("group", { name: "New trigger" }).getByLabel("Percentage").fill("20");
    await page.getByRole("button", { name: "Create offer" }).click();
    expect(page.url()).toMatch(/\/offers\/ofr_[0-9a-z]+\?notice=created$/);
    expect(await page.locator(".offer-summary").textContent()).toBe("Earn 20% of every Pro Plan sale");
    expect(await page.locator("main").textContent()).toContain("Saving makes version 2 of this offer");
    await checkPage(page, "console-tab-offer-edit");
    await page.getByRole("link", { name: "Offers", exact: true }).first().click();
    const row = page.locator("table.stack-table tbody tr");
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain("Earn 20% of every Pro Plan sale");
    expect(await row.first().textContent()).toContain("Active");
    await checkPage(page, "console-tab-offers");
    expectCleanLoad(watched, "offers tab");
    await watched.close();
  });

  it("without JavaScript, a second trigger is added through the empty block, and the summary says both", async () => {
    const watched = await consolePage(tabPath("offers"), { javaScriptEnabled: false });
    const { page } = watched;
    await page.getByRole("link", { name: "Launch offer" }).click();
    expect(
      await page
        .getByRole("group", { name: /^Trigger 1/ })
        .getByLabel("Percentage")
        .inputValue(),
    ).toBe("20");
    const added = page.getByRole("group", { name: "New trigger" });
    await added.getByLabel("Event").selectOption({ label: "A new customer signs up" });
    await added.getByLabel("Amount").fill("5");
    await page.getByRole("button", { name: "Save offer" }).click();
    expect(page.url()).toMatch(/\/offers\/ofr_[0-9a-z]+\?notice=saved$/);
    expect(await page.locator(".offer-summary").textContent()).toBe(
      "Earn 20% of every Pro Plan sale; earn $5.00 for every new customer you sign up",
    );
    expect(await page.locator("main").textContent()).toContain("Version 2, in effect since");
    expect(await page.getByRole("group", { name: "New trigger" }).count()).toBe(1);
    await watched.close();
  });

  it("Social content: previews a post for a partner (share URL, length) and saves it; over 280 refused", async () => {
    const watched = await consolePage(tabPath("social-content"));
    const { page } = watched;
    await checkPage(page, "console-tab-social");
    await page.getByText("Placeholders you can use").click();
    expect(await page.locator("details.placeholders").textContent()).toContain("The partner's first name");
    await page.getByLabel("Post").fill("{partner_first_name} recommends {company_name}: {link}");
    await page.getByLabel("Preview for").selectOption({ label: "Jane Doe (jane@partners.example)" });
    await page.getByRole("button", { name: "Preview post" }).click();
    const preview = page.locator("section.preview");
    expect(await preview.locator("h3").textContent()).toBe("Preview for Jane Doe");
    expect(await preview.textContent()).toContain(`Jane recommends Acme Analytics: ${stack.edgeUrl}/jane-doe`);
    expect(await preview.textContent()).toMatch(/\d+ of 280 characters as X counts them/);
    const share = preview.getByRole("link", { name: /Open X's post page/ });
    expect(await share.getAttribute("href")).toMatch(/^https:\/\/x\.com\/intent\/tweet\?text=Jane%20recommends/);
    await checkPage(page, "console-tab-social-preview");
    await page.getByRole("button", { name: "Update" }).click();
    expect(page.url()).toBe(`${stack.adminUrl}${tabPath("social-content")}?channel=twitter&notice=saved`);
    const saved = await stack.api(acme, "GET", `/v1/groups/${groupId}/social-content`);
    expect(saved.body.twitter).toEqual({ message: "{partner_first_name} recommends {company_name}: {link}" });
    // Over 280 as X counts it: the API's message beside the field.
    await page.getByLabel("Post").fill(`${"x".repeat(270)} {link}`);
    await page.getByRole("button", { name: "Update" }).click();
    expect(await page.locator("#field-twitter-message-error").textContent()).toContain(
      "Post is 294 characters as X counts them for the sample partner",
    );
    await checkPage(page, "console-tab-social-too-long");
    // LinkedIn and Email have their own editors.
    await page.getByRole("navigation", { name: "Social networks" }).getByRole("link", { name: "Email" }).click();
    expect(await page.getByLabel("Subject").inputValue()).toBe("{partner_first_name} recommends {company_name}");
    await checkPage(page, "console-tab-social-email");
    expectCleanLoad(watched, "social content tab");
    await watched.close();
  });

  it("keyboard only: through Offers, Links and Social content to their main controls, focus visible", async () => {
    const watched = await consolePage(tabPath("offers"));
    const { page } = watched;
    const tabs = () => page.getByRole("navigation", { name: "Group sections" });
    await tabTo(page, page.getByRole("link", { name: "Create offer" }), { max: 30 });
    await tabTo(page, tabs().getByRole("link", { name: "Links" }), { backwards: true, max: 30 });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${stack.adminUrl}${tabPath("links")}`);
    await tabTo(page, page.getByRole("button", { name: "Turn referral links off" }), { max: 30 });
    await tabTo(page, page.getByRole("link", { name: "Edit Pricing page" }), { max: 30 });
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/links\/lnk_/);
    await tabTo(page, page.getByLabel("Title"), { max: 30 });
    expect(await focusedElement(page)).toMatch(/^input#field-title/);
    await tabTo(page, page.getByRole("link", { name: "Social content" }), { backwards: true, max: 40 });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${stack.adminUrl}${tabPath("social-content")}`);
    await tabTo(
      page,
      page.getByRole("navigation", { name: "Social networks" }).getByRole("link", { name: "LinkedIn" }),
    );
    await page.keyboard.press("Enter");
    await page.waitForURL(/channel=linkedin$/);
    await tabTo(page, page.getByLabel("Post title"), { max: 30 });
    await tabTo(page, page.getByRole("button", { name: "Preview post" }), { max: 30 });
    await page.keyboard.press("Enter");
    await page.waitForLoadState();
    expect(await page.locator("section.preview h3").textContent()).toBe("Preview for the sample partner (Alex)");
    await watched.close();
  });
});
