// Runs a local task (scripts/local-tasks.worker.ts) inside workerd over the same persisted D1 and
// KV that `wrangler dev` uses (.wrangler/state/v3, binding ids from wrangler.toml). Everything
// happens in the runtime; Node only sends one request, so no binding call crosses processes.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { bundleForWorkerd } from "./workerd-bundle.mjs";
import { wranglerEnv } from "./wrangler-env.mjs";

/** @import { LocalTaskBodies, LocalTaskResults } from "./local-tasks.worker" */
/** @typedef {{ title?: string, detail?: string, errors?: { field: string, message: string }[] }} Problem */

const toml = readFileSync("wrangler.toml", "utf8");
const first = (/** @type {RegExp} */ pattern) => pattern.exec(toml)?.[1];

export const compatibilityDate = first(/compatibility_date\s*=\s*"([^"]+)"/);

/** The D1 migrations as single statements, in order. */
export function migrationStatements() {
  return readdirSync("migrations")
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .flatMap((file) => readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint"))
    .map((statement) => statement.trim())
    .filter(Boolean);
}

/**
 * Applies the D1 migrations to the local state; true when it worked (wrangler's output is shown
 * only when it failed). stdin is not a TTY, so wrangler takes its non-interactive default: apply.
 */
export function applyLocalMigrations() {
  const result = spawnSync("node_modules/.bin/wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
    env: wranglerEnv,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (result.status !== 0) process.stdout.write(result.stdout ?? "");
  return result.status === 0;
}

/**
 * `persist: false` runs the task over an empty, in-memory D1 and KV instead.
 * @template {keyof LocalTaskResults} Path
 * @param {Path} path
 * @param {LocalTaskBodies[Path]} [body]
 * @param {{ persist?: boolean }} [options]
 * @returns {Promise<LocalTaskResults[Path]>}
 */
export async function runLocalTask(path, body, { persist = true } = {}) {
  await bundleForWorkerd({ "local-tasks": "scripts/local-tasks.worker.ts" }, ".wrangler/tmp");
  const mf = new Miniflare({
    modules: true,
    scriptPath: ".wrangler/tmp/local-tasks.js",
    compatibilityDate,
    ...(persist ? { defaultPersistRoot: ".wrangler/state/v3" } : {}),
    d1Databases: { DB: first(/database_id\s*=\s*"([^"]+)"/) },
    kvNamespaces: { LINKS_KV: first(/\[\[kv_namespaces\]\][^[]*?id\s*=\s*"([^"]+)"/) },
  });
  try {
    const response = await mf.dispatchFetch(`http://local${path}`, {
      method: "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const result = await response.json();
    // The task worker answers its result type, or a problem when it failed.
    if (!response.ok) throw new Error(describeProblem(/** @type {Problem} */ (result)));
    return /** @type {LocalTaskResults[Path]} */ (result);
  } finally {
    await mf.dispose();
  }
}

/**
 * A problem body as lines a person reads: title, detail, then each field's error.
 * @param {Problem} problem
 */
function describeProblem({ title, detail, errors = [] }) {
  return [title, detail, ...errors.map((e) => `  ${e.field}: ${e.message}`)].filter(Boolean).join("\n");
}
