// `npm run company:create -- --name "Acme" --owner-email ann@acme.com [--plan growth]
//   [--hostname try.acme.com] [--cookie-domain acme.com] [--fallback-url https://acme.com/partners] [--sql]`
// Creates a company, its first API key and its console owner (a generated password), the secrets
// printed once (only their hashes are stored).
// Locally it writes to the state `npm start` uses; with --sql it prints SQL to run against the
// production database instead: `npx wrangler d1 execute edgeref --remote --file company.sql`.
import { parseArgs } from "node:util";
import { applyLocalMigrations, migrationStatements, runLocalTask } from "./local.mjs";

/** @import { LocalTaskResults } from "./local-tasks.worker" */

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    plan: { type: "string", default: "starter" },
    hostname: { type: "string" },
    "cookie-domain": { type: "string" },
    "fallback-url": { type: "string" },
    "owner-email": { type: "string" },
    sql: { type: "boolean", default: false },
  },
});
if (!values.name) fail("--name is required");
if (!values["owner-email"]) fail("--owner-email is required: the console's first user, an owner");
const request = {
  name: values.name,
  plan: values.plan,
  hostname: values.hostname,
  cookieDomain: values["cookie-domain"],
  fallbackUrl: values["fallback-url"],
  ownerEmail: values["owner-email"],
};

try {
  if (values.sql) {
    const { sql, kv, apiKey, linkDomain, owner } = await runLocalTask(
      "/company-sql",
      { ...request, migrations: migrationStatements() },
      { persist: false },
    );
    console.log(sql);
    // The records the edge reads, as the admin side would have published them.
    const quote = (/** @type {string} */ text) => `'${text.replaceAll("'", `'\\''`)}'`;
    console.error("-- After the SQL, put the edge's records into KV:");
    for (const { key, value } of kv)
      console.error(`npx wrangler kv key put --remote --binding LINKS_KV ${quote(key)} ${quote(value)}`);
    console.error(`-- API key (shown once, not in the SQL): ${apiKey}`);
    if (owner) console.error(`-- Console owner (password shown once): ${owner.email} / ${owner.password}`);
    const steps = linkDomain ? verificationSteps(linkDomain, apiKey, "https://<admin worker>") : [];
    for (const line of steps) console.error(`-- ${line}`);
  } else {
    // The local database may predate the latest migrations.
    if (!applyLocalMigrations()) fail("applying migrations to the local database failed");
    const { company, apiKey, linkDomain, owner } = await runLocalTask("/create-company", request);
    const adminOrigin = `http://localhost:${process.env.ADMIN_PORT ?? 8788}`;
    console.log(`Company ${company.name} (${company.id}), plan ${company.plan}`);
    console.log(`API key (shown once): ${apiKey}`);
    if (owner) {
      console.log(`Console owner: ${owner.email}, password (shown once): ${owner.password}`);
      console.log(`  sign in at ${adminOrigin}/console/sign-in`);
    }
    if (linkDomain) for (const line of verificationSteps(linkDomain, apiKey, adminOrigin)) console.log(line);
  }
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

/**
 * What to do so the link domain serves links: nothing for a verified one, else the TXT record and the verify call.
 * @param {NonNullable<LocalTaskResults["/create-company"]["linkDomain"]>} linkDomain
 * @param {string} apiKey
 * @param {string} adminOrigin
 */
function verificationSteps({ id, hostname, status, txt }, apiKey, adminOrigin) {
  if (status === "verified") return [`Link domain ${hostname} (${id}): verified (a local hostname, local development)`];
  return [
    `Link domain ${hostname} (${id}): pending, serves no links until you prove you own it. Create this DNS record:`,
    `  ${txt.name}  TXT  "${txt.value}"`,
    `then verify it (again until "status": "verified"; DNS changes can take a few minutes to appear):`,
    `  curl -X POST -H "Authorization: Bearer ${apiKey}" ${adminOrigin}/v1/link-domains/${id}/verify`,
  ];
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(message);
  process.exit(2);
}
