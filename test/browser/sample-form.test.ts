// The web stack's form parts in Chromium, through the sample form (test/fixtures/sample-form.tsx):
// filled and sent with the keyboard alone, errors in the GOV.UK pattern that axe accepts, and the
// same form without JavaScript (POST → 303 → GET).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibleDescription,
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

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

const field = (page: Page, id: string) => page.locator(`#field-${id}`);

describe("sample form in Chromium", () => {
  it("keyboard only: an empty form sent with Enter shows the errors, then a filled one goes through", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.sampleUrl}/sample`);
    await expectAccessible(page, "empty form");
    await screenshots(page, "sample-form");

    // Send it empty: Tab to the button, Enter.
    await tabTo(page, page.getByRole("button", { name: "Send application" }));
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.keyboard.press("Enter"),
    ]);
    expect(answer.status()).toBe(422);
    await page.waitForLoadState();
    await expect.poll(() => page.title()).toBe("Error: Apply to the sample program");
    // The summary has the focus (autofocus, no script), so the first Tab reaches its first link.
    const summary = page.locator(".error-summary");
    await expect.poll(() => hasFocus(summary)).toBe(true);
    expect(await summary.getAttribute("role")).toBe("alert");
    expect(await accessibleDescription(field(page, "email"))).toBe(
      "We send the decision here. Error: Enter your email address",
    );
    expect(await field(page, "name").getAttribute("aria-invalid")).toBe("true");
    await expectAccessible(page, "form with errors");
    await expectReadableAt360(page, "form with errors");
    await screenshots(page, "sample-form-errors");
    const firstError = summary.getByRole("link", { name: "Enter your name" });
    expect(await tabTo(page, firstError, { max: 1 })).toBe(1);
    await page.keyboard.press("Enter");
    expect(page.url()).toBe(`${stack.sampleUrl}/sample#field-name`);

    // Fill every field with the keyboard.
    await tabTo(page, field(page, "name"));
    await page.keyboard.type("Jane Doe");
    await page.keyboard.press("Tab");
    expect(await focusedElement(page)).toBe("input#field-email");
    await page.keyboard.type("jane@example.com");
    await tabTo(page, field(page, "country"), { max: 3 });
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await field(page, "country").inputValue()).toBe("de");
    await tabTo(page, field(page, "audience"), { max: 2 });
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowDown");
    expect(await page.locator('input[name="audience"]:checked').getAttribute("value")).toBe("newsletter");
    await tabTo(page, field(page, "terms"), { max: 3 });
    await page.keyboard.press("Space");
    expect(await field(page, "terms").isChecked()).toBe(true);
    await tabTo(page, page.getByRole("button", { name: "Send application" }), { max: 2 });
    await Promise.all([page.waitForURL(/\/sample\/thanks/), page.keyboard.press("Enter")]);
    expect(await page.locator("h1").textContent()).toBe("Application received");
    expect(await page.locator("main").textContent()).toContain("Thank you, Jane Doe.");
    await expectAccessible(page, "confirmation");
    expectCleanLoad(watched, "sample form");
    await watched.close();
  });

  it("works without JavaScript: errors keep the values, a valid form redirects to the confirmation", async () => {
    const watched = await openPage(browser, stack, { javaScriptEnabled: false });
    const { page } = watched;
    await page.goto(`${stack.sampleUrl}/sample`);
    await field(page, "name").fill("Ana <Lima>");
    await field(page, "email").fill("ana@");
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Send application" }).click(),
    ]);
    await page.waitForLoadState();
    await expect.poll(() => page.title()).toBe("Error: Apply to the sample program");
    expect(await field(page, "name").inputValue()).toBe("Ana <Lima>");
    expect(await accessibleDescription(field(page, "email"))).toContain(
      "Enter an email address in the correct format, like name@example.com",
    );
    await field(page, "email").fill("ana@example.com");
    await field(page, "country").selectOption("fr");
    await page.getByLabel("A blog").check();
    await field(page, "terms").check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Send application" }).click(),
    ]);
    expect(response.status()).toBe(303);
    await page.waitForURL(/\/sample\/thanks/);
    expect(await page.locator("main").textContent()).toContain("Thank you, Ana <Lima>.");
    expectCleanLoad(watched, "without JavaScript");
    await watched.close();
  });

  it("a form sent after its cookie is gone (another browser's token) is refused with the 'expired' page", async () => {
    const watched = await openPage(browser, stack);
    const { page } = watched;
    await page.goto(`${stack.sampleUrl}/sample`);
    await page.context().clearCookies();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Send application" }).click(),
    ]);
    expect(answer.status()).toBe(403);
    await page.waitForLoadState();
    expect(await page.locator("h1").textContent()).toBe("This form has expired");
    await expectAccessible(page, "form expired");
    await watched.close();
  });
});
