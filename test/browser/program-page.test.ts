// The public program page in Chromium: what a visitor sees, offline, under the strict CSP, with no
// serious accessibility issue, readable at 360 px, usable by keyboard alone; renames and the 404 page.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Company,
  expectAccessible,
  expectCleanLoad,
  expectReadableAt360,
  focusedElement,
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
let resellersPath: string;
let affiliatesId: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  acme = await stack.createCompany("Acme Analytics");
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
  expect(resellers.status).toBe(201);
  expect((await stack.api(acme, "PATCH", "/v1/company", { terms_url: "https://acme.com/terms" })).status).toBe(200);
  const own = await stack.api(acme, "PATCH", `/v1/groups/${resellers.body.id}`, {
    name: "Premium Resellers",
    terms_url: "https://acme.com/terms/resellers",
  });
  expect(own.status).toBe(200);
  resellersPath = `/programs/${acme.slug}/${own.body.slug}`;
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("program page in Chromium", () => {
  it("shows the program, the group and the company's terms; passes axe; readable at 360 px; offline", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    const response = await page.goto(`${stack.adminUrl}/programs/${acme.slug}/affiliates`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.title()).toBe("Acme Analytics — Affiliates partner program");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Affiliates");
    expect(await page.locator("main").textContent()).toContain("Acme Analytics invites partners");
    expect(await page.getByRole("link", { name: "Program terms of service" }).getAttribute("href")).toBe(
      "https://acme.com/terms",
    );
    // The worker's stylesheet applied (Pico's container width), with no request leaving the workers.
    expect(await page.evaluate(() => document.styleSheets[0]?.cssRules.length ?? 0)).toBeGreaterThan(100);
    await expectAccessible(page, "program page");
    await expectReadableAt360(page, "program page");
    await screenshots(page, "program-page");
    expectCleanLoad(watched, "program page");
    await watched.close();
  });

  it("the group's own terms win over the company's", async () => {
    const watched = await openPage(browser, stack);
    await watched.page.goto(`${stack.adminUrl}${resellersPath}`);
    const terms = watched.page.getByRole("link", { name: "Program terms of service" });
    expect(await terms.getAttribute("href")).toBe("https://acme.com/terms/resellers");
    expectCleanLoad(watched, "group terms");
    await watched.close();
  });

  it("the page's former slug (before the rename) lands on the current page through a 301", async () => {
    const watched = await openPage(browser, stack);
    const response = await watched.page.goto(`${stack.adminUrl}/programs/${acme.slug}/resellers`);
    expect(watched.page.url()).toBe(`${stack.adminUrl}${resellersPath}`);
    expect((await response?.request().redirectedFrom()?.response())?.status()).toBe(301);
    expect(await watched.page.locator("h1").textContent()).toBe("Premium Resellers");
    await watched.close();
  });

  it("an unknown page is a friendly 404 page that passes axe and points to the company's program", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    const response = await page.goto(`${stack.adminUrl}/programs/${acme.slug}/no-such-group`);
    expect(response?.status()).toBe(404);
    await expect.poll(() => page.title()).toBe("Page not found");
    expect(await page.locator("main").textContent()).toContain("This partner program does not exist or has closed.");
    await expectAccessible(page, "404 page");
    await expectReadableAt360(page, "404 page");
    await screenshots(page, "program-not-found");
    await page.getByRole("link", { name: "See Acme Analytics's partner program" }).click();
    expect(page.url()).toBe(`${stack.adminUrl}/programs/${acme.slug}/affiliates`);
    expectCleanLoad(watched, "404 page");
    await watched.close();
  });

  it("keyboard only: the skip link comes first and moves to the content; the terms link opens with Enter", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}/programs/${acme.slug}/affiliates`);
    const skip = page.getByRole("link", { name: "Skip to main content" });
    expect(await tabTo(page, skip, { max: 1 })).toBe(1);
    expect(await skip.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    expect(await focusedElement(page)).toMatch(/^main#main/);
    const terms = page.getByRole("link", { name: "Program terms of service" });
    await tabTo(page, terms, { max: 3 });
    await page.keyboard.press("Enter");
    // Outside requests are blocked in these tests: the attempt shows where Enter led.
    await expect.poll(() => watched.blocked).toContain("https://acme.com/terms");
    await watched.close();
  });

  it("the admin bundle (esbuild, as wrangler builds it) counts X lengths with twitter-text", async () => {
    // The workers pool runs twitter-text pre-bundled by vite; this is the bundle as deployed.
    const preview = await stack.api(acme, "POST", `/v1/groups/${affiliatesId}/social-content/preview`, {
      twitter: { message: "日本 https://acme.com/a/very/long/path/that/still/counts/as/twenty-three" },
    });
    expect(preview.status).toBe(200);
    expect((preview.body.twitter as { length: number }).length).toBe(4 + 1 + 23);
  });

  it("the CSP is enforced: a script or style injected into the page is refused", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}/programs/${acme.slug}/affiliates`);
    const ran = await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "document.body.dataset.injected = 'yes'";
      document.head.appendChild(script);
      const style = document.createElement("style");
      style.textContent = "h1 { color: rgb(255, 0, 0) }";
      document.head.appendChild(style);
      return {
        script: document.body.dataset.injected ?? "no",
        color: getComputedStyle(document.querySelector("h1")!).color,
      };
    });
    expect(ran.script).toBe("no");
    expect(ran.color).not.toBe("rgb(255, 0, 0)");
    await expect.poll(() => watched.cspViolations.length).toBeGreaterThanOrEqual(2);
    await watched.close();
  });
});
