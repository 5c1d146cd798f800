// `npm start`: local, offline. Applies migrations, seeds the demo company once, starts the edge
// worker (:8787) and the admin worker (:8788) over the same local state, prints the demo links,
// API key and console sign-in. Ctrl-C stops both.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { applyLocalMigrations, runLocalTask } from "./local.mjs";
import { wranglerEnv } from "./wrangler-env.mjs";

const EDGE_PORT = Number(process.env.EDGE_PORT ?? 8787);
const ADMIN_PORT = Number(process.env.ADMIN_PORT ?? 8788);

const wrangler = "node_modules/.bin/wrangler";
// The demo key and the demo owner's password are shown once at creation and stored only hashed, so
// their clear text is kept in the git-ignored local state, to print them again on every start.
const CREDENTIALS_FILE = ".wrangler/demo-credentials.json";

console.log("› Applying D1 migrations locally");
if (!applyLocalMigrations()) {
  console.error("✗ Applying D1 migrations locally failed");
  process.exit(1);
}
const demo = await seedDemo();
const portalLink = await runLocalTask("/portal-link", { origin: `http://localhost:${ADMIN_PORT}` }).catch((error) => {
  console.error(`✗ No partner portal sign-in link: ${error instanceof Error ? error.message : String(error)}`);
  return undefined;
});

async function seedDemo() {
  console.log("› Seeding the demo company (once)");
  let summary;
  try {
    summary = await runLocalTask("/seed-demo");
  } catch (error) {
    console.error(`✗ Seeding the demo company failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (summary.apiKey) {
    mkdirSync(".wrangler", { recursive: true });
    const saved = { companyId: summary.companyId, apiKey: summary.apiKey, ownerPassword: summary.owner.password };
    writeFileSync(CREDENTIALS_FILE, JSON.stringify(saved, null, 2));
    return summary;
  }
  const saved = savedCredentials(summary.companyId);
  if (summary.owner.password) {
    // The owner was just added to an older demo: keep its password beside the saved key.
    mkdirSync(".wrangler", { recursive: true });
    const updated = { ...saved, companyId: summary.companyId, ownerPassword: summary.owner.password };
    writeFileSync(CREDENTIALS_FILE, JSON.stringify(updated, null, 2));
    return { ...summary, apiKey: saved.apiKey };
  }
  return { ...summary, apiKey: saved.apiKey, owner: { ...summary.owner, password: saved.ownerPassword } };
}

/**
 * What an earlier first start saved for this company (nothing when the file is another company's).
 * @param {string} companyId
 * @returns {{ apiKey?: string, ownerPassword?: string }}
 */
function savedCredentials(companyId) {
  try {
    const saved = JSON.parse(readFileSync(CREDENTIALS_FILE, "utf8"));
    return saved.companyId === companyId ? saved : {};
  } catch {
    return {};
  }
}

const children = [
  spawn(wrangler, ["dev", "--port", String(EDGE_PORT), "--inspector-port", "9229", "--log-level", "warn"], {
    env: wranglerEnv,
    stdio: ["ignore", "inherit", "inherit"],
  }),
  spawn(
    wrangler,
    [
      ...["dev", "--env", "admin", "--port", String(ADMIN_PORT), "--inspector-port", "9230"],
      ...["--test-scheduled", "--log-level", "warn"],
      // Local development only (not in wrangler.toml, whose vars deploy): `localhost` link domains verify themselves.
      ...["--var", "ALLOW_LOCAL_HOST_VERIFICATION:true"],
    ],
    { env: wranglerEnv, stdio: ["ignore", "inherit", "inherit"] },
  ),
];

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
for (const child of children) {
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`A worker exited (code ${code}); stopping.`);
      stop(code ?? 1);
    }
  });
}

/** @param {string} url */
async function waitFor(url) {
  for (let i = 0; i < 240; i++) {
    try {
      const response = await fetch(url, { redirect: "manual" });
      await response.body?.cancel();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`${url} did not come up`);
}

/**
 * The demo's activity in one line (a demo seeded before it had activity says so).
 * @param {import("./local-tasks.worker").LocalTaskResults["/seed-demo"]["activity"] | undefined} a
 */
function activityLine(a) {
  if (!a || a.clicks === 0)
    return "Demo activity: none (seeded before the demo had any; delete .wrangler/state to reseed)";
  const rewards = Object.entries(a.rewards)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  const updated = a.statsUpdatedAt ? new Date(a.statsUpdatedAt).toLocaleString() : "not yet";
  return (
    `Demo activity: ${a.clicks} clicks over ${a.days} days (${a.notCountedClicks} bots/prefetches not counted), ` +
    `${a.signups} signups, ${a.sales} sales in ${a.currencies.join(" and ")} (${a.refunds} refund), ` +
    `rewards ${rewards}, ${a.pendingApplications} application pending, ${a.leads} leads, ${a.deals} deals; ` +
    `stats updated ${updated}`
  );
}

const UNKNOWN_KEY =
  "(unknown: .wrangler/demo-credentials.json is missing; create a company and key with npm run company:create)";
const UNKNOWN_PASSWORD = "(unknown: .wrangler/demo-credentials.json is missing or older than the console)";
await Promise.all([
  waitFor(`http://localhost:${EDGE_PORT}/robots.txt`),
  waitFor(`http://localhost:${ADMIN_PORT}/health`),
]);

console.log(`
edgeref is running (local, offline)
  edge  worker: http://localhost:${EDGE_PORT}   (partner links, click and dead-letter queue consumers)
  admin worker: http://localhost:${ADMIN_PORT}   (admin API, console)

Demo company: ${demo.companyName} (${demo.companyId})${demo.created ? "  — created now" : ""}
${activityLine(demo.activity)}
Demo partner links:
${demo.slugs.map((s) => `  http://localhost:${EDGE_PORT}/${s.slug}`).join("\n")}

Program pages (apply or join as a partner):
${(demo.programPages ?? []).map((path) => `  http://localhost:${ADMIN_PORT}${path}`).join("\n")}

Partner portal: sign in as ${portalLink?.partnerName ?? "a demo partner"} (once, until ${portalLink?.expiresAt ?? "—"}):
  ${portalLink?.url ?? "(none: see the error above)"}
  Another link: npm run portal:link (or POST /v1/partners/{id}/sign-in-links, or "Email me a link" on the
  sign-in page: the mail is printed in this log and kept in the local mail_outbox table)

Demo admin API key: ${demo.apiKey ?? UNKNOWN_KEY}
  curl -H "Authorization: Bearer ${demo.apiKey ?? "<key>"}" http://localhost:${ADMIN_PORT}/v1/groups
  API docs: http://localhost:${ADMIN_PORT}/docs

Console: http://localhost:${ADMIN_PORT}/console
  email:    ${demo.owner.email}
  password: ${demo.owner.password ?? UNKNOWN_PASSWORD}

Press Ctrl-C to stop both workers.
`);
