// `npm run check:docs`, with `npm start` running: opens the admin API's reference (/docs, Scalar's
// API reference served by the admin worker) in headless Chromium — the one the browser tests use
// (scripts/chromium.mjs) — with every request outside the admin worker blocked, and uses it as a
// person would: every operation is listed, and "List groups" sent with the demo key answers 200
// with the demo groups. `npm test` proves the same on fresh storage (test/browser/api-reference.test.ts).
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { findChromium } from "./chromium.mjs";

const ADMIN = process.env.ADMIN_ORIGIN ?? `http://localhost:${process.env.ADMIN_PORT ?? 8788}`;
const apiKey =
  process.env.EDGEREF_API_KEY ?? JSON.parse(readFileSync(".wrangler/demo-credentials.json", "utf8")).apiKey;

/** @type {{ paths: Record<string, Record<string, { summary: string }>> }} */
const spec = await fetch(`${ADMIN}/openapi.json`)
  .then((response) => response.json())
  .catch(() => fail(`The admin worker does not answer at ${ADMIN}: run \`npm start\` first.`));
const summaries = Object.values(spec.paths).flatMap((item) => Object.values(item).map((op) => op.summary));

const { executablePath, args } = await findChromium();
const browser = await chromium.launch({ executablePath, args });
try {
  const page = await browser.newPage();
  /** @type {string[]} */
  const blocked = [];
  await page.route("**/*", (route) => {
    if (new URL(route.request().url()).origin === ADMIN) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  /** @type {string[]} */
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));

  await page.goto(`${ADMIN}/docs#tag/groups/GET/v1/groups`);
  const sidebar = page.locator("nav, aside").first();
  await sidebar.getByText("List groups, each with its latest stats").waitFor({ timeout: 20_000 });
  const listed = (await sidebar.textContent()) ?? "";
  const missing = summaries.filter((summary) => !listed.includes(summary));
  check(missing.length === 0, `lists every operation (${summaries.length - missing.length} of ${summaries.length})`);

  await page
    .locator("section[id$='tag/groups/GET/v1/groups']")
    .getByRole("button", { name: /Test Request/i })
    .click();
  const client = page.getByRole("dialog");
  await client.getByLabel("Bearer Token").first().click();
  await page.keyboard.type(apiKey);
  await client.getByRole("button", { name: /^Send/ }).first().click();
  await client
    .getByText("200 OK")
    .waitFor({ timeout: 20_000 })
    .catch(() => {});
  const answer = (await client.textContent()) ?? "";
  check(answer.includes("200 OK"), `"List groups" sent with the demo key answers 200`);
  check(answer.includes('"object": "list"') && answer.includes('"name"'), "and shows the groups");

  check(blocked.length === 0, `needs nothing outside the admin worker (blocked: ${blocked.join(", ") || "none"})`);
  check(pageErrors.length === 0, `runs without script errors (${pageErrors.join("; ") || "none"})`);
  await page.screenshot({ path: ".wrangler/docs-check.png", fullPage: false });
  console.log(
    process.exitCode ? "✗ /docs check failed" : "✓ /docs works offline in Chromium",
    "(screenshot: .wrangler/docs-check.png)",
  );
} finally {
  await browser.close();
}

/**
 * @param {boolean} ok
 * @param {string} what
 */
function check(ok, what) {
  console.log(`${ok ? "✓" : "✗"} ${what}`);
  if (!ok) process.exitCode = 1;
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(message);
  process.exit(2);
}
