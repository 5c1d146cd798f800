// `npm start`: local, offline. Applies migrations, seeds the demo company once, starts the edge
// worker (:8787) and the admin worker (:8788) over the same local state, prints the demo links
// and API key. Ctrl-C stops both.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { applyLocalMigrations, runLocalTask } from "./local.mjs";
import { wranglerEnv } from "./wrangler-env.mjs";

const EDGE_PORT = Number(process.env.EDGE_PORT ?? 8787);
const ADMIN_PORT = Number(process.env.ADMIN_PORT ?? 8788);

const wrangler = "node_modules/.bin/wrangler";
// The demo key is shown once at creation and stored only hashed, so its clear text is kept in the
// git-ignored local state, to print it again on every start.
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
    writeFileSync(CREDENTIALS_FILE, JSON.stringify({ companyId: summary.companyId, apiKey: summary.apiKey }, null, 2));
    return summary;
  }
  return { ...summary, apiKey: savedKey(summary.companyId) };
}

/**
 * @param {string} companyId
 * @returns {string | undefined}
 */
function savedKey(companyId) {
  try {
    const saved = JSON.parse(readFileSync(CREDENTIALS_FILE, "utf8"));
    return saved.companyId === companyId ? saved.apiKey : undefined;
  } catch {
    return undefined;
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

const UNKNOWN_KEY =
  "(unknown: .wrangler/demo-credentials.json is missing; create a company and key with npm run company:create)";
await Promise.all([
  waitFor(`http://localhost:${EDGE_PORT}/robots.txt`),
  waitFor(`http://localhost:${ADMIN_PORT}/health`),
]);

console.log(`
edgeref is running (local, offline)
  edge  worker: http://localhost:${EDGE_PORT}   (partner links, click and dead-letter queue consumers)
  admin worker: http://localhost:${ADMIN_PORT}   (admin API)

Demo company: ${demo.companyName} (${demo.companyId})${demo.created ? "  — created now" : ""}
Demo partner links:
${demo.slugs.map((s) => `  http://localhost:${EDGE_PORT}/${s.slug}`).join("\n")}

Partner portal: sign in as ${portalLink?.partnerName ?? "a demo partner"} (once, until ${portalLink?.expiresAt ?? "—"}):
  ${portalLink?.url ?? "(none: see the error above)"}
  Another link: npm run portal:link (or POST /v1/partners/{id}/sign-in-links, or "Email me a link" on the
  sign-in page: the mail is printed in this log and kept in the local mail_outbox table)

Demo admin API key: ${demo.apiKey ?? UNKNOWN_KEY}
  curl -H "Authorization: Bearer ${demo.apiKey ?? "<key>"}" http://localhost:${ADMIN_PORT}/v1/groups
  API docs: http://localhost:${ADMIN_PORT}/docs

Press Ctrl-C to stop both workers.
`);
