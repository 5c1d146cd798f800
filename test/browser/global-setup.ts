// Once per browser test run (Node): bundles the workers, reads their bindings from wrangler.toml
// (as `wrangler dev` would) and finds Chromium; each test file then starts its own workers
// (test/browser/harness.ts) over fresh in-memory storage.
import { chromium as playwrightChromium } from "playwright-core";
import type { TestProject } from "vitest/node";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { findChromium } from "../../scripts/chromium.mjs";
import { bundleForWorkerd } from "../../scripts/workerd-bundle.mjs";
import { type BrowserSetup, BUNDLE_DIR, type WorkerBindings } from "./setup-types";

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
