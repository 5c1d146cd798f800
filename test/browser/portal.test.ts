// The partner portal in Chromium: sign in through a one-time link, see the links with their QR
// codes, copy one, open the share preview, submit a lead (invalid, then valid), the other pages,
// sign out; keyboard only; axe finds nothing serious on any page; screenshots at 390 and 1280 px;
// readable at 360 px; offline under the strict CSP; without JavaScript too.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibleDescription,
  type Company,
  checkPage,
  expectAccessible,
  expectCleanLoad,
  focusedElement,
  hasFocus,
  launchBrowser,
  openPage,
  type Stack,
  screenshots,
  startStack,
  tabTo,
} from "./harness";

let stack: Stack;
let browser: Browser;
let acme: Company;
let partnerId: string;
let portal: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  acme = await stack.createCompany("Acme Analytics");
  portal = `${stack.adminUrl}/portal/${acme.slug}`;
  await stack.verifyLocalhost(acme);
  const group = await stack.api(acme, "POST", "/v1/groups", {
    name: "Affiliates",
    destination_url: "https://acme.com/signup",
  });
  expect(group.status).toBe(201);
  const groupId = group.body.id!;
  for (const kind of ["lead", "deal"])
    expect((await stack.api(acme, "PATCH", `/v1/groups/${groupId}/forms/${kind}`, { enabled: true })).status).toBe(200);
  const pricing = await stack.api(acme, "POST", `/v1/groups/${groupId}/links`, {
    title: "Pricing page",
    description: "Send readers straight to plans and prices.",
    destination_url: "https://acme.com/pricing",
    link_text: "pricing",
  });
  expect(pricing.status).toBe(201);
  const offer = await stack.api(acme, "POST", `/v1/groups/${groupId}/offers`, {
    name: "Welcome bonus",
    triggers: [{ event: "signup", reward: { type: "flat", amount: 2500, currency: "USD" } }],
  });
  expect(offer.status).toBe(201);
  const partner = await stack.api(acme, "POST", "/v1/partners", {
    email: "jane@partners.example",
    first_name: "Jane",
    last_name: "Doe",
    group_id: groupId,
  });
  expect(partner.status).toBe(201);
  partnerId = partner.body.id!;
  const customer = await stack.api(acme, "POST", "/v1/customers", {
    customer_key: "cus-1",
    email: "buyer@example.com",
    partner_key: partner.body.partner_key,
  });
  expect(customer.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

async function signInLink(): Promise<string> {
  const link = await stack.api(acme, "POST", `/v1/partners/${partnerId}/sign-in-links`);
  expect(link.status).toBe(201);
  return link.body.url as string;
}

async function submitAndWait(page: Page, click: () => Promise<void>) {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), click()]);
  await page.waitForLoadState();
  return response;
}

describe("partner portal in Chromium", () => {
  it("signs in through a link, shows the links with QR codes, copies one, opens the share preview", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.adminUrl });
    const url = await signInLink();
    expect(url.startsWith(`${portal}/sign-in/`)).toBe(true);

    // The link's page: a button, nothing consumed by opening it.
    await page.goto(url);
    expect(await page.locator("h1").textContent()).toBe("Sign in to the partner portal");
    await checkPage(page, "portal-sign-in-link");
    await submitAndWait(page, () => page.getByRole("button", { name: "Sign in" }).click());
    expect(page.url()).toBe(portal);

    // My links: each with its full URL, QR code and share buttons.
    await expect.poll(() => page.title()).toBe("My links — Acme Analytics partner portal");
    expect(await page.locator("h1").textContent()).toBe("My links");
    const cards = page.locator("article.link-card");
    expect(await cards.count()).toBe(2);
    const pricing = cards.filter({ hasText: "Pricing page" });
    expect(await pricing.textContent()).toContain("Send readers straight to plans and prices.");
    const link = await pricing.getByLabel("Your link").inputValue();
    expect(link).toBe(`${stack.edgeUrl}/jane-doe--pricing`);
    const qr = pricing.getByRole("img", { name: `QR code of ${link}` });
    expect(await qr.locator("svg").count()).toBe(1);
    expect((await qr.boundingBox())!.width).toBeGreaterThan(100);
    await checkPage(page, "portal-links");

    // Copy (the copy script shows the button).
    const copy = pricing.getByRole("button", { name: "Copy link" });
    await expect.poll(() => copy.isVisible()).toBe(true);
    await copy.click();
    await expect.poll(() => pricing.getByRole("status").textContent()).toBe("Copied to the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

    // The share preview and its buttons' URLs.
    await pricing.getByText("Preview what you share").click();
    const preview = pricing.locator("details.share-preview");
    expect(await preview.getAttribute("open")).not.toBeNull();
    const xText = `I'm a partner of Acme Analytics and I recommend them. Take a look: ${link}`;
    expect(await preview.textContent()).toContain(xText);
    expect(await pricing.getByRole("link", { name: /Post on X/ }).getAttribute("href")).toBe(
      `https://x.com/intent/tweet?text=${encodeURIComponent(xText)}`,
    );
    expect(await pricing.getByRole("link", { name: /Share on LinkedIn/ }).getAttribute("href")).toBe(
      `https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(link)}`,
    );
    expect(await pricing.getByRole("link", { name: /Send by email/ }).getAttribute("href")).toMatch(
      /^mailto:\?subject=Jane%20recommends%20Acme%20Analytics&body=Hi%2C%0D%0A/,
    );
    await expectAccessible(page, "portal share preview");
    await screenshots(page, "portal-share-preview");
    expectCleanLoad(watched, "portal links");

    // The same link a second time: a clear page.
    await page.goto(url);
    expect(await page.locator("h1").textContent()).toBe("This sign-in link has already been used");
    await checkPage(page, "portal-link-used");
    await watched.close();
  });

  it("submits a lead: invalid first (errors by their fields), then valid; it is listed with its stage", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(await signInLink());
    await submitAndWait(page, () => page.getByRole("button", { name: "Sign in" }).click());
    await page.getByRole("navigation", { name: "Partner portal" }).getByRole("link", { name: "Leads" }).click();
    expect(await page.locator("h1").textContent()).toBe("Leads");
    await checkPage(page, "portal-leads");

    await page.getByLabel("Contact email").fill("hank@");
    const invalid = await submitAndWait(page, () => page.getByRole("button", { name: "Submit lead" }).click());
    expect(invalid.status()).toBe(422);
    await expect.poll(() => page.title()).toBe("Error: Leads — Acme Analytics partner portal");
    await expect.poll(() => hasFocus(page.locator(".error-summary"))).toBe(true);
    expect(await accessibleDescription(page.locator("#field-contact_email"))).toBe(
      "Error: Contact email must be an email address",
    );
    expect(await page.locator("#field-contact_email").inputValue()).toBe("hank@");
    await checkPage(page, "portal-lead-errors");

    await page.getByLabel("Company name").fill("Globex");
    await page.getByLabel("Contact name").fill("Hank Scorpio");
    await page.getByLabel("Contact email").fill("hank@globex.example");
    const valid = await submitAndWait(page, () => page.getByRole("button", { name: "Submit lead" }).click());
    expect(valid.status()).toBe(303);
    expect(await page.getByRole("status").textContent()).toContain("Your lead is in.");
    const mine = page.locator("section", { has: page.getByRole("heading", { name: "My leads" }) });
    expect(await mine.locator("li").first().textContent()).toMatch(/Globex — Hank Scorpio\s*New/);
    const leads = await stack.api(acme, "GET", "/v1/leads");
    expect((leads.body.data as { values: { company_name: string } }[])[0]!.values.company_name).toBe("Globex");
    await screenshots(page, "portal-lead-sent");
    expectCleanLoad(watched, "portal leads");
    await watched.close();
  });

  it("the other pages — stats, rewards, deals, profile — pass axe and read at 360 px; sign-out ends it", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(await signInLink());
    await submitAndWait(page, () => page.getByRole("button", { name: "Sign in" }).click());
    const nav = page.getByRole("navigation", { name: "Partner portal" });
    for (const [name, heading, shot] of [
      ["Stats", "Stats", "portal-stats"],
      ["Rewards", "Rewards", "portal-rewards"],
      ["Deals", "Deals", "portal-deals"],
      ["Profile", "Profile", "portal-profile"],
    ] as const) {
      await nav.getByRole("link", { name }).click();
      expect(await page.locator("h1").textContent()).toBe(heading);
      expect(await nav.getByRole("link", { name }).getAttribute("aria-current")).toBe("page");
      await checkPage(page, shot);
    }
    await nav.getByRole("link", { name: "Rewards" }).click();
    const rewards = await page.locator("main").textContent();
    expect(rewards).toContain("Earn $25.00 for every new customer you sign up");
    expect(rewards).toContain("A new customer");

    await submitAndWait(page, () => nav.getByRole("button", { name: "Sign out" }).click());
    expect(page.url()).toBe(`${portal}/sign-in?signed-out`);
    expect(await page.getByRole("status").textContent()).toContain("You are signed out.");
    await checkPage(page, "portal-sign-in");
    await page.goto(`${portal}/stats`);
    expect(page.url()).toBe(`${portal}/sign-in`);
    expectCleanLoad(watched, "portal pages");
    await watched.close();
  });

  it("keyboard only: sign in, go to Leads from the navigation, fill and send a lead with Tab and Enter", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(await signInLink());
    await tabTo(page, page.getByRole("button", { name: "Sign in" }));
    await Promise.all([page.waitForURL(portal), page.keyboard.press("Enter")]);

    const skip = page.getByRole("link", { name: "Skip to main content" });
    expect(await tabTo(page, skip, { max: 1 })).toBe(1);
    await tabTo(page, page.getByRole("navigation", { name: "Partner portal" }).getByRole("link", { name: "Leads" }));
    await Promise.all([page.waitForURL(`${portal}/leads`), page.keyboard.press("Enter")]);

    await tabTo(page, page.locator("#field-company_name"));
    await page.keyboard.type("Initech");
    await page.keyboard.press("Tab");
    expect(await focusedElement(page)).toBe("input#field-contact_name");
    await page.keyboard.type("Bill Lumbergh");
    await page.keyboard.press("Tab");
    await page.keyboard.type("bill@initech.example");
    await tabTo(page, page.getByRole("button", { name: "Submit lead" }), { max: 3 });
    await Promise.all([page.waitForURL(`${portal}/leads?submitted`), page.keyboard.press("Enter")]);
    expect(await page.locator("main").textContent()).toContain("Initech — Bill Lumbergh");

    // The copy button and share links are reachable too.
    await page.goto(portal);
    await tabTo(page, page.getByRole("button", { name: "Copy link" }).first(), { max: 20 });
    await tabTo(page, page.getByRole("link", { name: /Post on X/ }).first(), { max: 5 });
    await watched.close();
  });

  it("asks for a link by email: the same 'check your email' page, axe-clean", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${portal}/sign-in`);
    await page.getByLabel("Email address").fill("jane@partners.example");
    const sent = await submitAndWait(page, () => page.getByRole("button", { name: "Email me a sign-in link" }).click());
    expect(sent.status()).toBe(303);
    expect(page.url()).toBe(`${portal}/check-email`);
    expect(await page.locator("h1").textContent()).toBe("Check your email");
    await checkPage(page, "portal-check-email");
    expectCleanLoad(watched, "email me a link");
    await watched.close();
  });

  it("without JavaScript: no copy button (the URL field is there to copy from), the rest works", async () => {
    const watched = await openPage(browser, stack, { javaScriptEnabled: false });
    const { page } = watched;
    await page.goto(await signInLink());
    await submitAndWait(page, () => page.getByRole("button", { name: "Sign in" }).click());
    expect(page.url()).toBe(portal);
    expect(await page.getByRole("button", { name: "Copy link" }).count()).toBe(0);
    expect(await page.getByLabel("Your link").first().inputValue()).toBe(`${stack.edgeUrl}/jane-doe`);
    await page.getByText("Preview what you share").first().click();
    expect(await page.locator("details.share-preview").first().getAttribute("open")).not.toBeNull();
    expectCleanLoad(watched, "without JavaScript");
    await watched.close();
  });
});
