// `npm run company:create -- --name "Acme" [--plan growth] [--hostname try.acme.com]
//   [--cookie-domain acme.com] [--fallback-url https://acme.com/partners] [--sql]`
// Creates a company and its first API key, printed once (only its hash is stored).
// Locally it writes to the state `npm start` uses; with --sql it prints SQL to run against the
// production database instead: `npx wrangler d1 execute edgeref --remote --file company.sql`.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { getPlatformProxy } from "wrangler";
import { createApiKey } from "../src/api-keys/service";
import { addLinkDomain, createCompany } from "../src/companies/service";
import { PLANS, type Plan } from "../src/db/schema";
import type { Env } from "../src/env";
import { sha256Hex } from "../src/lib/hash";
import { newId } from "../src/lib/ids";
import { slugify } from "../src/lib/slugs";

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    plan: { type: "string", default: "starter" },
    hostname: { type: "string" },
    "cookie-domain": { type: "string" },
    "fallback-url": { type: "string" },
    sql: { type: "boolean", default: false },
  },
});
if (!values.name) fail("--name is required");
if (!PLANS.includes(values.plan as Plan)) fail(`--plan must be one of ${PLANS.join(", ")}`);
const plan = values.plan as Plan;

if (values.sql) {
  printSql();
} else {
  // The local database may predate the latest migrations.
  const migrate = spawnSync("node_modules/.bin/wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? ".xdg" },
  });
  if (migrate.status !== 0) fail("applying migrations to the local database failed");
  const proxy = await getPlatformProxy<Env>({ configPath: "wrangler.toml", persist: true });
  try {
    const company = await createCompany(proxy.env, { name: values.name!, plan, fallbackUrl: values["fallback-url"] ?? null });
    if (values.hostname) await addLinkDomain(proxy.env, company.id, { hostname: values.hostname, cookieDomain: values["cookie-domain"] ?? null });
    const key = await createApiKey(proxy.env, company.id, { name: "First key" });
    console.log(`Company ${company.name} (${company.id}), plan ${company.plan}`);
    console.log(`API key (shown once): ${key.secret}`);
  } finally {
    await proxy.dispose();
  }
}

function printSql() {
  const now = Date.now();
  const companyId = newId("company", now);
  const secret = `sk_live_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
  const q = (value: string | null) => (value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`);
  const slug = `${slugify(values.name!) || "company"}-${companyId.slice(-6)}`;
  const statements = [
    `INSERT INTO companies (id, name, slug, plan, fallback_url, created_at, updated_at) VALUES (${q(companyId)}, ${q(values.name!)}, ${q(slug)}, ${q(plan)}, ${q(values["fallback-url"] ?? null)}, ${now}, ${now});`,
  ];
  if (values.hostname) {
    statements.push(
      `INSERT INTO link_domains (id, company_id, hostname, cookie_domain, created_at) VALUES (${q(newId("linkDomain", now))}, ${q(companyId)}, ${q(values.hostname.toLowerCase())}, ${q(values["cookie-domain"] ?? null)}, ${now});`,
    );
  }
  return sha256Hex(secret).then((hash) => {
    statements.push(
      `INSERT INTO api_keys (id, company_id, name, prefix, secret_hash, created_at) VALUES (${q(newId("apiKey", now))}, ${q(companyId)}, 'First key', ${q(secret.slice(0, 14))}, ${q(hash)}, ${now});`,
    );
    console.log(statements.join("\n"));
    console.error(`-- API key (shown once, not in the SQL): ${secret}`);
  });
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
