// `npm run check:docs`, with `npm start` running: opens the admin API's /docs page in headless
// Chromium (the system's, e.g. `apt-get install chromium`; nothing is downloaded) with every
// request outside the admin worker blocked, and uses it as a person would: every operation is
// listed, and "List groups" sent with the demo key answers 200 with the demo groups.
// Not part of `npm test`: CI machines need not have a browser.
import { existsSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const ADMIN = process.env.ADMIN_ORIGIN ?? `http://localhost:${process.env.ADMIN_PORT ?? 8788}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const apiKey =
  process.env.EDGEREF_API_KEY ?? JSON.parse(readFileSync(".wrangler/demo-credentials.json", "utf8")).apiKey;

if (!existsSync(CHROMIUM))
  fail(`No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
const spec = await fetch(`${ADMIN}/openapi.json`)
  .then((response) => response.json())
  .catch(() => fail(`The admin worker does not answer at ${ADMIN}: run \`npm start\` first.`));
const operationCount = Object.values(spec.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  // Without the background-networking flags Chromium keeps calling home, which a closed network refuses.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
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

  await page.goto(`${ADMIN}/docs`);
  await page.waitForSelector("details summary");
  const listed = await page.locator("details").count();
  check(listed === operationCount, `lists every operation (${listed} of ${operationCount})`);

  await page.fill("#key", apiKey);
  const listGroups = page.locator("details", { has: page.locator("summary", { hasText: /GET\s+\/v1\/groups —/ }) });
  await listGroups.locator("summary").click();
  await listGroups.locator("button", { hasText: "Send" }).click();
  const output = listGroups.locator("pre.out");
  await output.filter({ hasText: /^\d{3} / }).waitFor();
  const text = (await output.textContent()) ?? "";
  check(text.startsWith("200"), `"List groups" sent with the key answers 200 (got: ${text.split("\n")[0]})`);
  check(text.includes('"object": "list"') && text.includes('"name"'), "and shows the groups");

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
