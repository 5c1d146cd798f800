// Once per browser test run (Node): bundles the workers, reads their bindings from wrangler.toml
// (as `wrangler dev` would) and finds Chromium; each test file then starts its own workers
// (test/browser/harness.ts) over fresh in-memory storage.
import { existsSync } from "node:fs";
import chromiumPackage from "@sparticuz/chromium";
import { chromium as playwrightChromium } from "playwright-core";
import type { TestProject } from "vitest/node";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { bundleForWorkerd } from "../../scripts/workerd-bundle.mjs";
import { type BrowserSetup, BUNDLE_DIR, type ChromiumSetup, type WorkerBindings } from "./setup-types";

/** The bindings of a worker in wrangler.toml (its script is our bundle, not wrangler's build). */
function bindingsOf(environment?: string): WorkerBindings {
  const { workerOptions: o } = unstable_getMiniflareWorkerOptions("wrangler.toml", environment);
  return {
    compatibilityDate: o.compatibilityDate!,
    compatibilityFlags: o.compatibilityFlags ?? [],
    bindings: (o.bindings ?? {}) as Record<string, string>,
    d1Databases: JSON.parse(JSON.stringify(o.d1Databases ?? {})),
    kvNamespaces: JSON.parse(JSON.stringify(o.kvNamespaces ?? {})),
    queueProducers: JSON.parse(JSON.stringify(o.queueProducers ?? {})),
    queueConsumers: JSON.parse(JSON.stringify(o.queueConsumers ?? {})),
    ratelimits: Object.fromEntries(
      Object.entries(o.ratelimits ?? {}).map(([name, limiter]) => [
        name,
        { simple: (limiter as { simple: { limit: number; period: number } }).simple },
      ]),
    ),
  };
}

/** Chromium flags for a headless run on a closed network: no sandbox (root in CI), no calling home. */
const QUIET_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/**
 * @sparticuz/chromium's flags (made for AWS Lambda) left out: those that weaken what the tests check
 * (same-origin rules, mixed content), and one process for everything, which dies with the first
 * closed context.
 */
const UNSAFE_FLAGS = new RegExp(
  "^--(disable-web-security|allow-running-insecure-content|disable-site-isolation-trials" +
    "|single-process|no-zygote|disable-features=.*site-per-process)",
);

/**
 * `CHROMIUM_PATH` when set; else the Chromium that `npm ci` installed (@sparticuz/chromium ships it
 * inside the package, unpacked to /tmp on first use: nothing is downloaded); else Debian's.
 */
async function findChromium(): Promise<Omit<ChromiumSetup, "wsEndpoint">> {
  if (process.env.CHROMIUM_PATH) {
    return { executablePath: process.env.CHROMIUM_PATH, args: QUIET_FLAGS, source: "CHROMIUM_PATH" };
  }
  try {
    const executablePath = await chromiumPackage.executablePath();
    const args = chromiumPackage.args.filter((flag) => !UNSAFE_FLAGS.test(flag));
    return { executablePath, args: [...new Set([...args, ...QUIET_FLAGS])], source: "@sparticuz/chromium" };
  } catch (error) {
    if (existsSync("/usr/bin/chromium")) {
      return { executablePath: "/usr/bin/chromium", args: QUIET_FLAGS, source: "/usr/bin/chromium" };
    }
    throw new Error(
      `No Chromium: @sparticuz/chromium failed (${String(error)}) and /usr/bin/chromium is missing. ` +
        "Run `npm ci`, install Debian's chromium, or set CHROMIUM_PATH.",
    );
  }
}

export default async function setup(project: TestProject) {
  await bundleForWorkerd(
    {
      edge: "workers/edge.ts",
      admin: "workers/admin.ts",
      tasks: "scripts/local-tasks.worker.ts",
      "sample-form": "test/fixtures/sample-form.worker.ts",
    },
    BUNDLE_DIR,
  );
  // One Chromium for the run; each test file connects to it (a launch costs seconds here).
  const chromium = await findChromium();
  const server = await playwrightChromium.launchServer({
    executablePath: chromium.executablePath,
    args: chromium.args,
    headless: true,
  });
  console.log(`Chromium: ${chromium.executablePath} (${chromium.source})`);
  const setup: BrowserSetup = {
    edge: bindingsOf(),
    admin: bindingsOf("admin"),
    chromium: { ...chromium, wsEndpoint: server.wsEndpoint() },
  };
  project.provide("browserSetup", setup);
  return () => server.close();
}
