// Seeds the demo company into the local state that `wrangler dev` uses (.wrangler/state), through
// the real services, by way of wrangler's platform proxy (local D1 and KV, no network).
// Prints a JSON summary on stdout for scripts/start.mjs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { getPlatformProxy } from "wrangler";
import type { Env } from "../src/env";
import { seedDemoCompany } from "../src/demo/seed";

// The demo key is shown once at creation and stored only hashed, so the clear text is kept
// here, in the git-ignored local state, to print it again on every start.
const CREDENTIALS_FILE = ".wrangler/demo-credentials.json";

const proxy = await getPlatformProxy<Env>({ configPath: "wrangler.toml", persist: true });
try {
  const summary = await seedDemoCompany(proxy.env);
  if (summary.apiKey) {
    mkdirSync(".wrangler", { recursive: true });
    writeFileSync(CREDENTIALS_FILE, JSON.stringify({ companyId: summary.companyId, apiKey: summary.apiKey }, null, 2));
  }
  const apiKey = summary.apiKey ?? readSavedKey(summary.companyId);
  process.stdout.write(JSON.stringify({ ...summary, apiKey }) + "\n");
} finally {
  await proxy.dispose();
}

function readSavedKey(companyId: string): string | null {
  try {
    const saved = JSON.parse(readFileSync(CREDENTIALS_FILE, "utf8")) as { companyId: string; apiKey: string };
    return saved.companyId === companyId ? saved.apiKey : null;
  } catch {
    return null;
  }
}
