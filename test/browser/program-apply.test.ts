// Applying through the program pages in Chromium: the live application form (applications on) and
// the join form (off), each sent with invalid then valid answers; the application in the admin
// API, approved there; the new partner's sign-in link in the local mail outbox; the keyboard
// alone; axe; screenshots at 390 and 1280 px; readable at 360 px; the marketplace entry page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibleDescription,
  type Company,
  expectAccessible,
  expectCleanLoad,
  expectReadableAt360,
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
/** Applications on, with a form of many field types. */
let affiliatesPath: string;
/** Applications off: the join form. */
let ambassadorsPath: string;

const FIELDS = [
  { key: "first_name", label: "First name", type: "text", required: true },
  { key: "last_name", label: "Last name", type: "text", required: true },
  { key: "email", label: "Email", type: "email", required: true, help_text: "We send our decision here." },
  { key: "website", label: "Website", type: "url", required: false, placeholder: "https://" },
  { key: "phone", label: "Phone", type: "phone", required: false },
  { key: "audience_size", label: "Audience size", type: "number", required: false, help_text: "Monthly readers" },
  { key: "country", label: "Country", type: "select", required: true, options: ["France", "Germany", "Spain"] },
  { key: "channels", label: "Where do you promote?", type: "multi-select", required: true, options: ["Blog", "Video"] },
  { key: "pitch", label: "How will you promote us?", type: "textarea", required: false },
  { key: "start_date", label: "When can you start?", type: "date", required: false },
  { key: "terms", label: "I accept the program terms", type: "checkbox", required: true },
];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  acme = await stack.createCompany("Acme Analytics");
  const affiliates = await stack.api(acme, "POST", "/v1/groups", {
    name: "Affiliates",
    destination_url: "https://acme.com/signup",
  });
  expect(affiliates.status).toBe(201);
  affiliatesPath = `/programs/${acme.slug}/${affiliates.body.slug}`;
  const form = await stack.api(acme, "PATCH", `/v1/groups/${affiliates.body.id}/forms/application`, {
    enabled: true,
    title: "Apply to become an Acme affiliate",
    description: "We review every application within two working days.",
    fields: FIELDS,
  });
  expect(form.status).toBe(200);
  for (const offer of [
    { name: "Signup bonus", triggers: [{ event: "signup", reward: { type: "flat", amount: 1000, currency: "USD" } }] },
    {
      name: "Revenue share",
      triggers: [
        { event: "transaction", conditions: { within_months_of_signup: 12 }, reward: { type: "percent", percent: 20 } },
      ],
    },
  ]) {
    expect((await stack.api(acme, "POST", `/v1/groups/${affiliates.body.id}/offers`, offer)).status).toBe(201);
  }
  const ambassadors = await stack.api(acme, "POST", "/v1/groups", {
    name: "Ambassadors",
    destination_url: "https://acme.com/signup",
  });
  expect(ambassadors.status).toBe(201);
  ambassadorsPath = `/programs/${acme.slug}/${ambassadors.body.slug}`;
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

const field = (page: Page, key: string) => page.locator(`#field-${key}`);

/** Clicks a form's submit button and waits for the page the answer leads to. */
async function send(page: Page, button: string) {
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    page.getByRole("button", { name: button }).click(),
  ]);
  await page.waitForLoadState();
  return answer.status();
}

async function applications(): Promise<{ id: string; email: string; status: string; values: object }[]> {
  const listed = await stack.api(acme, "GET", "/v1/applications?limit=100");
  expect(listed.status).toBe(200);
  return listed.body.data as never;
}

describe("the live application form (applications on)", () => {
  it("invalid then valid: errors beside their fields, values kept; pending in the API, then approved", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}${affiliatesPath}`);
    await expect.poll(() => page.title()).toBe("Acme Analytics — Affiliates partner program");
    const offers = page.getByRole("region", { name: "What you earn" });
    expect(await offers.textContent()).toContain("Signup bonus: Earn $10.00 for every new customer you sign up");
    expect(await offers.textContent()).toContain("Revenue share: Earn 20% of every sale for 12 months");
    expect(await page.getByRole("heading", { level: 2, name: "Apply to become an Acme affiliate" }).count()).toBe(1);
    // The honeypot is neither seen nor announced.
    expect(await page.getByRole("textbox", { name: "Leave this field empty" }).count()).toBe(0);
    expect(await page.locator("#field-home-page").isVisible()).toBe(true); // in the layout, but off-screen:
    const box = await page.locator("#field-home-page").boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThan(0);
    await expectAccessible(page, "application form");
    await expectReadableAt360(page, "application form");
    await screenshots(page, "program-apply");

    await field(page, "first_name").fill("Ana");
    await field(page, "email").fill("ana@");
    await field(page, "website").fill("ftp://ana.example");
    await field(page, "audience_size").fill("many");
    await field(page, "country").selectOption("Spain");
    await page.getByLabel("Video").check();
    expect(await send(page, "Send application")).toBe(422);
    await expect.poll(() => page.title()).toBe("Error: Acme Analytics — Affiliates partner program");
    const summary = page.locator(".error-summary");
    await expect.poll(() => hasFocus(summary)).toBe(true);
    expect(await summary.getByRole("link").allTextContents()).toEqual([
      "Enter last name",
      "Email must be an email address",
      expect.stringMatching(/^Website must/),
      "Audience size must be a number",
      "Check “I accept the program terms” to continue",
    ]);
    expect(await accessibleDescription(field(page, "email"))).toBe(
      "We send our decision here. Error: Email must be an email address",
    );
    expect(await field(page, "last_name").getAttribute("aria-invalid")).toBe("true");
    // Kept: what was typed, chosen and ticked.
    expect(await field(page, "first_name").inputValue()).toBe("Ana");
    expect(await field(page, "email").inputValue()).toBe("ana@");
    expect(await field(page, "audience_size").inputValue()).toBe("many");
    expect(await field(page, "country").inputValue()).toBe("Spain");
    expect(await page.getByLabel("Video").isChecked()).toBe(true);
    await expectAccessible(page, "application form with errors");
    await expectReadableAt360(page, "application form with errors");
    await screenshots(page, "program-apply-errors");
    // The summary's link takes the focus to the field.
    await summary.getByRole("link", { name: "Email must be an email address" }).click();
    expect(page.url()).toMatch(/#field-email$/);

    await field(page, "last_name").fill("Lima");
    await field(page, "email").fill("ana.lima@example.com");
    await field(page, "website").fill("https://ana.example");
    await field(page, "audience_size").fill("25000");
    await field(page, "pitch").fill("A weekly newsletter\nand a video channel.");
    await field(page, "start_date").fill("2026-12-01");
    await field(page, "terms").check();
    expect(await send(page, "Send application")).toBe(303);
    expect(page.url()).toBe(`${stack.adminUrl}${affiliatesPath}/applied`);
    expect(await page.locator("h1").textContent()).toBe("Application received");
    await expectAccessible(page, "application received");
    await screenshots(page, "program-applied");
    expectCleanLoad(watched, "application form");
    await watched.close();

    const [application] = (await applications()).filter((a) => a.email === "ana.lima@example.com");
    expect(application).toMatchObject({
      status: "pending",
      values: {
        first_name: "Ana",
        last_name: "Lima",
        email: "ana.lima@example.com",
        website: "https://ana.example",
        audience_size: 25000,
        country: "Spain",
        channels: ["Video"],
        pitch: "A weekly newsletter\r\nand a video channel.",
        start_date: "2026-12-01",
        terms: true,
      },
    });
    const approved = await stack.api(acme, "POST", `/v1/applications/${application!.id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("approved");
    const partner = await stack.api(acme, "GET", `/v1/partners/${approved.body.partner_id}`);
    expect(partner.body).toMatchObject({ email: "ana.lima@example.com", first_name: "Ana", last_name: "Lima" });
    const links = await stack.api(acme, "GET", `/v1/partners/${approved.body.partner_id}/links`);
    expect((links.body.data as unknown[]).length).toBe(1);
  });

  it("keyboard only: every field filled and the form sent with Tab, typing, arrows, Space and Enter", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}${affiliatesPath}`);
    await tabTo(page, field(page, "first_name"));
    await page.keyboard.type("Kim");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Park");
    await page.keyboard.press("Tab");
    expect(await focusedElement(page)).toBe("input#field-email");
    await page.keyboard.type("kim.park@example.com");
    await page.keyboard.press("Tab");
    await page.keyboard.type("https://kim.example");
    await page.keyboard.press("Tab");
    await page.keyboard.type("+49 30 1234567");
    await page.keyboard.press("Tab");
    await page.keyboard.type("800");
    await page.keyboard.press("Tab");
    expect(await focusedElement(page)).toMatch(/^select#field-country/);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await field(page, "country").inputValue()).toBe("Germany");
    await page.keyboard.press("Tab");
    expect(await focusedElement(page)).toBe("input#field-channels");
    await page.keyboard.press("Space");
    await tabTo(page, field(page, "pitch"), { max: 2 });
    await page.keyboard.type("Podcasts.");
    // The date is optional: past it to the terms box.
    await tabTo(page, field(page, "terms"), { max: 6 });
    await page.keyboard.press("Space");
    // The honeypot is not on the way: from the last box straight to the button.
    const button = page.getByRole("button", { name: "Send application" });
    expect(await tabTo(page, button, { max: 1 })).toBe(1);
    await Promise.all([page.waitForURL(/\/applied$/), page.keyboard.press("Enter")]);
    expect(await page.locator("h1").textContent()).toBe("Application received");
    expectCleanLoad(watched, "keyboard only");
    await watched.close();

    const [application] = (await applications()).filter((a) => a.email === "kim.park@example.com");
    expect(application).toMatchObject({
      status: "pending",
      values: {
        first_name: "Kim",
        last_name: "Park",
        website: "https://kim.example",
        phone: "+49 30 1234567",
        audience_size: 800,
        country: "Germany",
        channels: ["Blog"],
        pitch: "Podcasts.",
        terms: true,
      },
    });
  });
});

describe("the join form (applications off)", () => {
  it("invalid then valid: the partner joins at once, with links; a sign-in link is mailed, not shown", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}${ambassadorsPath}`);
    expect(await page.getByRole("heading", { level: 2 }).textContent()).toBe("Join Ambassadors");
    expect(await page.locator("form input:not([type=hidden]):not(#field-home-page)").count()).toBe(3);
    await expectAccessible(page, "join form");
    await expectReadableAt360(page, "join form");
    await screenshots(page, "program-join");

    await field(page, "first_name").fill("Sam");
    await field(page, "email").fill("sam.example.com");
    expect(await send(page, "Join the program")).toBe(422);
    expect(await page.locator(".error-summary").getByRole("link").allTextContents()).toEqual([
      "Enter last name",
      "Email must be an email address",
    ]);
    expect(await field(page, "first_name").inputValue()).toBe("Sam");
    await expectAccessible(page, "join form with errors");
    await screenshots(page, "program-join-errors");

    await field(page, "last_name").fill("Rivera");
    await field(page, "email").fill("Sam.Rivera@example.com");
    expect(await send(page, "Join the program")).toBe(303);
    expect(page.url()).toBe(`${stack.adminUrl}${ambassadorsPath}/joined`);
    expect(await page.locator("h1").textContent()).toBe("You're in");
    expect(await page.locator("main").textContent()).not.toContain("/sign-in/");
    await expectAccessible(page, "you're in");
    await expectReadableAt360(page, "you're in");
    await screenshots(page, "program-joined");
    expectCleanLoad(watched, "join form");
    await watched.close();

    const [application] = (await applications()).filter((a) => a.email === "sam.rivera@example.com");
    expect(application).toMatchObject({ status: "approved" });
    const partners = await stack.api(acme, "GET", "/v1/partners?limit=100");
    const partner = (partners.body.data as { id: string; email: string }[]).find(
      (p) => p.email === "sam.rivera@example.com",
    );
    expect(partner).toBeTruthy();
    const links = await stack.api(acme, "GET", `/v1/partners/${partner!.id}/links`);
    expect((links.body.data as unknown[]).length).toBe(1);
    // The local mailer's outbox (what `npm start` logs): one mail, with a portal sign-in link.
    await expect
      .poll(async () =>
        (
          await stack.sql<{ text: string }>(
            "SELECT text FROM mail_outbox WHERE recipient = ?",
            "sam.rivera@example.com",
          )
        ).map((mail) => /\/portal\/[a-z0-9-]+\/sign-in\/[A-Za-z0-9_-]{43}/.test(mail.text)),
      )
      .toEqual([true]);
  });
});

describe("the marketplace entry page", () => {
  it("shows the company's program with its default group's form; applying lands in that group", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    const response = await page.goto(`${stack.adminUrl}/programs/${acme.slug}`);
    expect(response?.status()).toBe(200);
    expect(await page.locator("h1").textContent()).toBe("Acme Analytics partner program");
    await expectAccessible(page, "marketplace page");
    await expectReadableAt360(page, "marketplace page");
    await screenshots(page, "program-marketplace");
    // The first group is the company's default: Affiliates, applications on.
    await field(page, "first_name").fill("Lee");
    await field(page, "last_name").fill("Chen");
    await field(page, "email").fill("lee.chen@example.com");
    await field(page, "country").selectOption("France");
    await page.getByLabel("Blog").check();
    await field(page, "terms").check();
    expect(await send(page, "Send application")).toBe(303);
    expect(page.url()).toBe(`${stack.adminUrl}${affiliatesPath}/applied`);
    expectCleanLoad(watched, "marketplace page");
    await watched.close();
    const [application] = (await applications()).filter((a) => a.email === "lee.chen@example.com");
    expect(application).toMatchObject({ status: "pending" });
  });
});
