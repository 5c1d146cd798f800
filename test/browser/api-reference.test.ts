// The admin API reference at /docs (Scalar's API reference, served by the admin worker itself) in
// Chromium: it loads offline under its CSP, lists every operation of /openapi.json, and "List
// groups" sent from it with a company's key answers that company's groups.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Company,
  expectCleanLoad,
  expectReadableAt360,
  launchBrowser,
  openPage,
  SCREENSHOT_DIR,
  type Stack,
  startStack,
} from "./harness";

let stack: Stack;
let browser: Browser;
let acme: Company;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  acme = await stack.createCompany("Acme Analytics");
  const group = await stack.api(acme, "POST", "/v1/groups", {
    name: "Reference Readers",
    destination_url: "https://acme.com/signup",
  });
  expect(group.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe("API reference (/docs) in Chromium", () => {
  it("lists every operation of /openapi.json from the worker's own files, with no CSP refusal", async () => {
    const spec = (await (await fetch(`${stack.adminUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; summary: string }>>;
    };
    const operations = Object.values(spec.paths).flatMap((item) => Object.values(item));
    const watched = await openPage(browser, stack);
    const { page } = watched;
    const response = await page.goto(`${stack.adminUrl}/docs`);
    expect(response?.status()).toBe(200);
    const policy = response?.headers()["content-security-policy"] ?? "";
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");

    // The sidebar lists every operation by its summary once Scalar has read the document.
    const sidebar = page.locator("nav, aside").first();
    await expect
      .poll(() => sidebar.getByText("List groups, each with its latest stats").count(), { timeout: 20_000 })
      .toBe(1);
    const listed = (await sidebar.textContent()) ?? "";
    expect(operations.filter((operation) => !listed.includes(operation.summary)).map((o) => o.operationId)).toEqual([]);
    await expectReadableAt360(page, "/docs");
    // Viewport shots only: the whole reference is ~150,000 px tall at 390 px.
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/api-reference-${width}.png` });
    }
    expectCleanLoad(watched, "/docs");
    await watched.close();
  });

  it('sends "List groups" with the key typed in, and shows 200 with the company\'s group', async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.adminUrl}/docs#tag/groups/GET/v1/groups`);
    const operation = page.locator("section[id$='tag/groups/GET/v1/groups']");
    await operation
      .getByRole("button", { name: /Test Request/i })
      .first()
      .click();
    const client = page.getByRole("dialog");
    await client.getByLabel("Bearer Token").first().click();
    await page.keyboard.type(acme.apiKey);
    await client.getByRole("button", { name: /^Send/ }).first().click();

    await expect.poll(() => client.textContent(), { timeout: 20_000 }).toContain("200 OK");
    expect(await client.textContent()).toContain('"name": "Reference Readers"');
    expectCleanLoad(watched, "/docs, Test Request");
    await watched.close();
  });
});
