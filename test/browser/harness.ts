// Browser tests' toolbox (Node side). `startStack()` runs the real workers — edge, admin, the local
// tasks worker (to create companies) and the sample form — under one Miniflare with shared
// in-memory D1/KV/queues, each on its own local port; `launchBrowser()` starts the Chromium the
// global setup found; the rest checks a page the way the issue asks: offline, strict CSP, axe,
// screenshots at 390 and 1280 px, readable at 360 px, keyboard only.
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { Miniflare, type WorkerOptions } from "miniflare";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { expect, inject } from "vitest";
import { migrationStatements } from "../../scripts/local.mjs";
import type { LocalTaskResults } from "../../scripts/local-tasks.worker";
import { BUNDLE_DIR, type WorkerBindings } from "./setup-types";

export const SCREENSHOT_DIR = "test/artifacts/screens";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function worker(name: string, bindings: WorkerBindings, port?: number, extraBindings: Record<string, string> = {}) {
  return {
    name,
    modules: true,
    scriptPath: `${BUNDLE_DIR}/${name}.js`,
    compatibilityDate: bindings.compatibilityDate,
    compatibilityFlags: bindings.compatibilityFlags,
    bindings: { ...bindings.bindings, ...extraBindings },
    d1Databases: bindings.d1Databases,
    kvNamespaces: bindings.kvNamespaces,
    queueProducers: bindings.queueProducers,
    queueConsumers: bindings.queueConsumers,
    ratelimits: bindings.ratelimits,
    ...(port ? { unsafeDirectSockets: [{ host: "127.0.0.1", port }] } : {}),
  } as WorkerOptions;
}

export interface Company {
  id: string;
  slug: string;
  name: string;
  apiKey: string;
  /** The console owner, when asked for (`createCompany(…, { ownerEmail })`), with its generated password. */
  owner: { email: string; password: string } | null;
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> & { id?: string; slug?: string };
}

export interface Stack {
  adminUrl: string;
  edgeUrl: string;
  sampleUrl: string;
  /** Origins the pages may load anything from; every other request is blocked and recorded. */
  origins: string[];
  /**
   * A company with its first API key (the local tasks worker, as `npm run company:create` does) and,
   * with `ownerEmail`, its console owner.
   */
  createCompany(
    name: string,
    plan?: "starter" | "growth" | "enterprise",
    options?: { ownerEmail?: string },
  ): Promise<Company>;
  /** The demo company with its activity, as `npm start` seeds it (src/demo/seed.ts), through the tasks worker. */
  seedDemo(): Promise<LocalTaskResults["/seed-demo"]>;
  /** A JSON call to the admin API with a company's key. */
  api(company: Company, method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /**
   * Adds `localhost` as the company's link domain and verifies it (locally, `localhost` verifies
   * itself): partner links are only served on a verified link domain.
   */
  verifyLocalhost(company: Company): Promise<void>;
  /** Rows of a read-only SQL query on the workers' D1 (e.g. the local mail outbox). */
  sql<Row = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<Row[]>;
  dispose(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const { edge, admin } = inject("browserSetup");
  const [edgePort, adminPort, samplePort] = [await freePort(), await freePort(), await freePort()];
  const edgeUrl = `http://localhost:${edgePort}`;
  const mf = new Miniflare({
    workers: [
      worker("admin", admin, adminPort, {
        LOCAL_EDGE_ORIGIN: edgeUrl,
        ALLOW_LOCAL_HOST_VERIFICATION: "true",
        // Nothing listens there: a DNS lookup a test forgot to fake fails at once, offline.
        DOH_RESOLVER_URL: "http://127.0.0.1:9/dns-query",
      }),
      worker("edge", edge, edgePort, { VISITOR_HASH_SALT: "browser-test-salt" }),
      worker("tasks", { ...admin, bindings: {}, ratelimits: {}, queueConsumers: {}, queueProducers: {} }),
      worker("sample-form", { ...admin, bindings: {}, ratelimits: {} }, samplePort),
    ],
  });
  await mf.ready;
  const db = await mf.getD1Database("DB", "admin");
  // One batch (one round trip), as the statements apply in order either way.
  await db.batch(migrationStatements().map((statement) => db.prepare(statement)));
  const tasks = await mf.getWorker("tasks");
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const sampleUrl = `http://127.0.0.1:${samplePort}`;

  const api: Stack["api"] = async (company, method, path, body) => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${company.apiKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as ApiAnswer["body"] };
  };

  return {
    adminUrl,
    edgeUrl,
    sampleUrl,
    origins: [adminUrl, edgeUrl, sampleUrl],
    async createCompany(name, plan = "enterprise", options = {}) {
      const response = await tasks.fetch("http://tasks/create-company", {
        method: "POST",
        body: JSON.stringify({ name, plan, ownerEmail: options.ownerEmail }),
      });
      const result = (await response.json()) as {
        company: { id: string; slug: string };
        apiKey: string;
        owner: Company["owner"];
      };
      if (!response.ok) throw new Error(`create-company: ${JSON.stringify(result)}`);
      return { id: result.company.id, slug: result.company.slug, name, apiKey: result.apiKey, owner: result.owner };
    },
    async seedDemo() {
      const response = await tasks.fetch("http://tasks/seed-demo", { method: "POST" });
      const result = (await response.json()) as LocalTaskResults["/seed-demo"];
      if (!response.ok) throw new Error(`seed-demo: ${JSON.stringify(result)}`);
      return result;
    },
    api,
    async verifyLocalhost(company) {
      const domain = await api(company, "POST", "/v1/link-domains", { hostname: "localhost" });
      expect(domain.status, JSON.stringify(domain.body)).toBe(201);
      const verified = await api(company, "POST", `/v1/link-domains/${domain.body.id}/verify`);
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body.status).toBe("verified");
    },
    async sql<Row>(query: string, ...params: unknown[]) {
      return (
        await db
          .prepare(query)
          .bind(...params)
          .all<Row>()
      ).results;
    },
    dispose: () => mf.dispose(),
  };
}

/** The run's Chromium (started by the global setup); `close()` only disconnects this file. */
export function launchBrowser(): Promise<Browser> {
  return chromium.connect(inject("browserSetup").chromium.wsEndpoint);
}

/** A browser context's cookies and storage (`page.context().storageState()`), to reopen it signed in. */
export type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

/** A page and what went wrong on it: requests outside the stack, CSP refusals, script errors, failed loads. */
export interface WatchedPage {
  page: Page;
  blocked: string[];
  cspViolations: string[];
  pageErrors: string[];
  failedLoads: string[];
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  stack: Pick<Stack, "origins">,
  options: { javaScriptEnabled?: boolean; storageState?: StorageState } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    colorScheme: "light",
    // Cookies of an earlier page (a signed-in session), so a file signs in once.
    storageState: options.storageState,
  });
  const page = await context.newPage();
  const watched: WatchedPage = {
    page,
    blocked: [],
    cspViolations: [],
    pageErrors: [],
    failedLoads: [],
    close: () => context.close(),
  };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (stack.origins.includes(new URL(url).origin)) return route.continue();
    watched.blocked.push(url);
    return route.abort("blockedbyclient");
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) watched.cspViolations.push(message.text());
  });
  page.on("pageerror", (error) => watched.pageErrors.push(String(error)));
  page.on("response", (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== "document")
      watched.failedLoads.push(`${response.status()} ${response.url()}`);
  });
  return watched;
}

/** The console files' stack and browser, started together; `dispose()` (in afterAll) ends both. */
export interface ConsoleStack {
  stack: Stack;
  browser: Browser;
  /** Signs the company's console owner in through the sign-in form; its session opens the later pages. */
  signIn(company: Pick<Company, "owner">): Promise<StorageState>;
  /** A console page (`/console…`) opened with a session; fails unless it answers 200. */
  open(path: string, session: StorageState, options?: { javaScriptEnabled?: boolean }): Promise<WatchedPage>;
  dispose(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  return {
    stack,
    browser,
    async signIn(company) {
      const watched = await openPage(browser, stack);
      const { page } = watched;
      await page.goto(`${stack.adminUrl}/console/sign-in`);
      await page.getByLabel("Email address").fill(company.owner!.email);
      await page.getByLabel("Password").fill(company.owner!.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      expect(page.url()).toBe(`${stack.adminUrl}/console`);
      const session = await page.context().storageState();
      await watched.close();
      return session;
    },
    async open(path, session, options = {}) {
      const watched = await openPage(browser, stack, { storageState: session, ...options });
      const response = await watched.page.goto(`${stack.adminUrl}${path}`);
      expect(response?.status(), path).toBe(200);
      return watched;
    },
    async dispose() {
      await browser.close();
      await stack.dispose();
    },
  };
}

/** Nothing outside the stack was asked for, nothing was refused by the CSP, no script failed, every asset loaded. */
export function expectCleanLoad(watched: WatchedPage, label: string) {
  expect(watched.blocked, `${label}: requests outside the workers`).toEqual([]);
  expect(watched.cspViolations, `${label}: CSP violations`).toEqual([]);
  expect(watched.pageErrors, `${label}: script errors`).toEqual([]);
  expect(watched.failedLoads, `${label}: assets that failed to load`).toEqual([]);
}

/** axe-core (WCAG 2.x A and AA rules plus best practices): no serious or critical violation. */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(serious, `${label}: serious or critical accessibility violations`).toEqual([]);
  return results;
}

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
];

/** Full-page screenshots at 390 px (a phone) and 1280 px (a laptop) in test/artifacts/screens/ (git-ignored). */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const paths = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    const path = `${SCREENSHOT_DIR}/${name}-${viewport.width}.png`;
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  return paths;
}

/** The checks every console and portal page gets: axe, readable at 360 px, screenshots at 390 and 1280 px. */
export async function checkPage(page: Page, name: string) {
  await expectAccessible(page, name);
  await expectReadableAt360(page, name);
  await screenshots(page, name);
}

/** At 360 px nothing scrolls sideways and body text is at least 16 px. */
export async function expectReadableAt360(page: Page, label: string) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    fontSize: Number.parseFloat(getComputedStyle(document.body).fontSize),
  }));
  expect(layout.scrollWidth, `${label}: horizontal scroll at 360 px`).toBeLessThanOrEqual(layout.clientWidth);
  expect(layout.fontSize, `${label}: body text size at 360 px`).toBeGreaterThanOrEqual(16);
  if (before) await page.setViewportSize(before);
}

/** What has the keyboard focus: `tag#id "text"`, for messages. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "body";
    const text = (element.textContent ?? "").trim().slice(0, 40);
    return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${text ? ` "${text}"` : ""}`;
  });
}

/** Whether `target` has the keyboard focus. */
export function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === document.activeElement);
}

/**
 * Keyboard only: presses Tab (Shift+Tab with `backwards`) until `target` has the focus, at most
 * `max` times, and answers how many presses it took. Fails when it never gets there, or when the
 * focused element shows no focus indicator (WCAG 2.4.7).
 */
export async function tabTo(page: Page, target: Locator, { max = 40, backwards = false } = {}): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
    if (await hasFocus(target)) {
      await expectVisibleFocus(target);
      return presses;
    }
  }
  throw new Error(`Tab never reached ${target} in ${max} presses (focus is on ${await focusedElement(page)})`);
}

/** The focused element draws an outline or a focus ring (box shadow). */
export async function expectVisibleFocus(target: Locator) {
  const style = await target.evaluate((element) => {
    const computed = getComputedStyle(element);
    return { outline: computed.outlineStyle, outlineWidth: computed.outlineWidth, shadow: computed.boxShadow };
  });
  const visible = (style.outline !== "none" && style.outlineWidth !== "0px") || style.shadow !== "none";
  expect(visible, `${target} has no visible focus indicator: ${JSON.stringify(style)}`).toBe(true);
}

/** The text a screen reader announces as the control's description (its aria-describedby elements). */
export function accessibleDescription(target: Locator): Promise<string> {
  return target.evaluate((element) =>
    (element.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? "")
      .join(" "),
  );
}
