// The company console in Chromium: sign in, create a group, rename it and see its new program page
// link (copy button, preview), filter partners, keyboard only through the nav and the group tabs; axe
// on every page, readable at 360 px, screenshots at 390 and 1280 px, nothing loaded from outside.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Company,
  type ConsoleStack,
  checkPage,
  expectAccessible,
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
let signedIn: StorageState;
let affiliatesId: string;

beforeAll(async () => {
  consoleStack = await startConsoleStack();
  stack = consoleStack.stack;
  acme = await stack.createCompany("Acme Analytics", "growth", { ownerEmail: "ann@acme.example" });
  const affiliates = await stack.api(acme, "POST", "/v1/groups", {
    name: "Affiliates",
    destination_url: "https://acme.com/signup",
  });
  expect(affiliates.status).toBe(201);
  affiliatesId = affiliates.body.id!;
  const resellers = await stack.api(acme, "POST", "/v1/groups", {
    name: "Resellers",
    destination_url: "https://acme.com/resellers",
  });
  for (const [first, last, group] of [
    ["Jane", "Doe", affiliatesId],
    ["Ravi", "Patel", affiliatesId],
    ["Tom", "Becker", resellers.body.id!],
  ] as const) {
    const partner = await stack.api(acme, "POST", "/v1/partners", {
      first_name: first,
      last_name: last,
      email: `${first.toLowerCase()}@partners.example`,
      group_id: group,
    });
    expect(partner.status).toBe(201);
  }
});

afterAll(async () => {
  await consoleStack?.dispose();
});

/** A page of the signed-in console (the session of the sign-in test). */
const consolePage = (path: string, options: { javaScriptEnabled?: boolean } = {}) =>
  consoleStack.open(path, signedIn, options);

describe("console in Chromium", () => {
  it("signs in with email and password and lands on the Groups tab", async () => {
    const watched = await openPage(consoleStack.browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}/console`);
    expect(page.url()).toBe(`${stack.adminUrl}/console/sign-in`);
    await checkPage(page, "console-sign-in");
    // A wrong password first: the message, in the error pattern.
    await page.getByLabel("Email address").fill(acme.owner!.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.title()).toBe("Error: Sign in to the partner console");
    expect(await page.locator(".error-summary").textContent()).toContain("The email address or password is not right.");
    await expectAccessible(page, "sign-in with an error");
    await page.getByLabel("Password").fill(acme.owner!.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(page.url()).toBe(`${stack.adminUrl}/console`);
    expect(await page.locator("h1").textContent()).toBe("Groups");
    expect(await page.locator("header").textContent()).toContain("Acme Analytics");
    const cookie = (await page.context().cookies()).find((c) => c.name === "edgeref_console")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/console" });
    signedIn = await page.context().storageState();
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("2 of 10 groups on the growth plan");
    expect(main).toContain("Statistics are updated hourly.");
    await checkPage(page, "console-groups");
    expectCleanLoad(watched, "groups tab");
    await watched.close();
  });

  it("creates a group (an error first, next to its field), then opens it", async () => {
    const watched = await consolePage("/console");
    const { page } = watched;
    await page.getByRole("link", { name: "Create group" }).click();
    expect(await page.locator("h1").textContent()).toBe("Create a group");
    await page.getByLabel("Group name").fill("Newsletter writers");
    await page.getByLabel("Link destination").fill("acme.com/newsletter");
    await page.getByRole("button", { name: "Create group" }).click();
    await expect.poll(() => page.title()).toMatch(/^Error: Create a group/);
    const error = page.locator("#field-destination_url-error");
    expect(await error.textContent()).toContain(
      "Link destination must be an absolute http or https URL without credentials",
    );
    await checkPage(page, "console-create-group-error");
    await page.getByLabel("Link destination").fill("https://acme.com/newsletter");
    await page.getByRole("button", { name: "Create group" }).click();
    expect(page.url()).toMatch(/\/console\/groups\/grp_[0-9a-z]+\/offers\?notice=group-created$/);
    expect(await page.locator("h1").textContent()).toBe("Newsletter writers");
    expect(await page.getByRole("status").first().textContent()).toBe("Group created.");
    await checkPage(page, "console-group-placeholder");
    const groups = await stack.api(acme, "GET", "/v1/groups");
    expect((groups.body.data as { name: string }[]).map((g) => g.name)).toContain("Newsletter writers");
    expectCleanLoad(watched, "create group");
    await watched.close();
  });

  it("renames the group in Settings and shows the new program page link, to copy and preview", async () => {
    const watched = await consolePage(`/console/groups/${affiliatesId}/settings`);
    const { page } = watched;
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.adminUrl });
    const link = page.getByLabel("Program page link");
    expect(await link.inputValue()).toBe(`${stack.adminUrl}/programs/${acme.slug}/affiliates`);
    await checkPage(page, "console-group-settings");
    await page.getByLabel("Group name").fill("Premium affiliates");
    await page.getByRole("button", { name: "Save" }).click();
    expect(page.url()).toBe(`${stack.adminUrl}/console/groups/${affiliatesId}/settings?notice=saved`);
    const newUrl = `${stack.adminUrl}/programs/${acme.slug}/premium-affiliates`;
    expect(await page.getByLabel("Program page link").inputValue()).toBe(newUrl);
    const preview = page.getByRole("link", { name: "Preview the program page (opens in a new tab)" });
    expect(await preview.getAttribute("href")).toBe(newUrl);
    // The copy button (shown by the script) puts the link on the clipboard and says so.
    const copy = page.getByRole("button", { name: "Copy" });
    await expect.poll(() => copy.isVisible()).toBe(true);
    await copy.click();
    await expect
      .poll(() => page.locator("#field-program_page_url-status").textContent())
      .toBe("Copied to the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(newUrl);
    // The preview opens the program page itself.
    const [opened] = await Promise.all([page.context().waitForEvent("page"), preview.click()]);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(newUrl);
    expect(await opened.locator("h1").textContent()).toBe("Premium affiliates");
    expectCleanLoad(watched, "group settings");
    await watched.close();
  });

  it("without JavaScript the link is still there to copy, and no dead Copy button is shown", async () => {
    const watched = await consolePage(`/console/groups/${affiliatesId}/settings`, { javaScriptEnabled: false });
    const { page } = watched;
    expect(await page.getByLabel("Program page link").inputValue()).toContain(`/programs/${acme.slug}/`);
    expect(await page.getByRole("button", { name: "Copy" }).count()).toBe(0);
    await watched.close();
  });

  it("filters partners by group and opens a partner", async () => {
    const watched = await consolePage("/console/partners");
    const { page } = watched;
    const rows = page.locator("table.stack-table tbody tr");
    expect(await rows.count()).toBe(3);
    await checkPage(page, "console-partners");
    await page.getByLabel("Group").selectOption({ label: "Resellers" });
    await page.getByRole("button", { name: "Filter" }).click();
    expect(page.url()).toMatch(/\/console\/partners\?group_id=grp_/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("Tom Becker");
    await page.getByRole("link", { name: "Tom Becker" }).click();
    expect(await page.locator("h1").textContent()).toBe("Tom Becker");
    await checkPage(page, "console-partner");
    expectCleanLoad(watched, "partners");
    await watched.close();
  });

  it("keyboard only: through the console nav and a group's tabs, with visible focus", async () => {
    const watched = await consolePage("/console");
    const { page } = watched;
    const nav = page.getByRole("navigation", { name: "Console" });
    await tabTo(page, nav.getByRole("link", { name: "Partners" }));
    await page.keyboard.press("Enter");
    await page.waitForURL(`${stack.adminUrl}/console/partners`);
    await tabTo(page, page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Groups" }), {
      backwards: true,
    });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${stack.adminUrl}/console`);
    await tabTo(page, page.getByRole("link", { name: "Premium affiliates" }), { max: 20 });
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/offers$/);
    // Every tab of the group, in order, by Tab and Enter.
    for (const label of [
      "Links",
      "Lead submission",
      "Deal registration",
      "Social content",
      "Application",
      "Settings",
    ]) {
      const tabs = page.getByRole("navigation", { name: "Group sections" });
      await tabTo(page, tabs.getByRole("link", { name: label }), { max: 30 });
      await page.keyboard.press("Enter");
      await page.waitForLoadState();
      const current = page.getByRole("navigation", { name: "Group sections" }).locator('[aria-current="page"]');
      expect(await current.textContent(), label).toBe(label);
    }
    // In Settings, the form is reachable too; Sign out is a button in the header.
    await tabTo(page, page.getByLabel("Group name"), { max: 30 });
    expect(await focusedElement(page)).toMatch(/^input#field-name/);
    await tabTo(page, page.getByRole("button", { name: "Sign out" }), { backwards: true, max: 40 });
    await watched.close();
  });

  it("settings pass axe, read at 360 px: company, link domains (one added), API keys, users", async () => {
    const watched = await consolePage("/console/settings");
    const { page } = watched;
    await checkPage(page, "console-settings-company");
    await page
      .getByRole("navigation", { name: "Settings sections" })
      .getByRole("link", { name: "Link domains" })
      .click();
    // Added here: the page then shows the TXT record to create, with Copy fields and Verify now.
    await page.getByLabel("Hostname", { exact: true }).fill("try.acme-analytics.example");
    await page.getByRole("button", { name: "Add domain" }).click();
    expect(await page.getByLabel("Record name for try.acme-analytics.example").inputValue()).toBe(
      "_edgeref-challenge.try.acme-analytics.example",
    );
    await expect.poll(() => page.getByRole("button", { name: "Copy" }).first().isVisible()).toBe(true);
    await checkPage(page, "console-settings-link-domains");
    await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("Key name").fill("Billing backend");
    await page.getByRole("button", { name: "Create key" }).click();
    expect(await page.getByLabel("Secret key").inputValue()).toMatch(/^sk_live_/);
    await checkPage(page, "console-settings-api-keys");
    await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Email address").fill("bob@acme.example");
    await page.getByLabel(/^Viewer/).check();
    await page.getByRole("button", { name: "Create invite link" }).click();
    const invite = await page.getByLabel("Invite link").inputValue();
    expect(invite).toMatch(/\/console\/invites\/[A-Za-z0-9_-]{43}$/);
    await checkPage(page, "console-settings-users");
    expectCleanLoad(watched, "settings");
    await watched.close();

    // The invitee opens the link in a browser of their own and chooses a password.
    const invitee = await openPage(consoleStack.browser, stack);
    await invitee.page.goto(invite);
    await checkPage(invitee.page, "console-invite");
    await invitee.page.getByLabel("Choose a password").fill("a long enough passphrase");
    await invitee.page.getByRole("button", { name: "Create my account" }).click();
    expect(invitee.page.url()).toBe(`${stack.adminUrl}/console?notice=welcome`);
    expect(await invitee.page.locator("header").textContent()).toContain("bob@acme.example (viewer)");
    expect(await invitee.page.getByRole("link", { name: "Create group" }).count()).toBe(0);
    await invitee.close();
  });
});
