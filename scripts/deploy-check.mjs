// @ts-check
// Builds both workers exactly as `wrangler deploy` would, without uploading (part of `npm test`),
// prints each bundle's size, and fails if the edge bundle holds admin-side code: every module the
// edge pulls in is loaded by each new isolate on the redirect path.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { wranglerEnv } from "./wrangler-env.mjs";

/** What the edge worker must never bundle (it reads D1 with raw SQL, and validates by hand). */
const NOT_IN_EDGE = [
  { rule: /^node_modules\/drizzle-orm\//, what: "drizzle-orm" },
  { rule: /^src\/db\//, what: "src/db (drizzle's schema and client; shared constants are in src/lib/constants.ts)" },
  { rule: /^src\/admin\//, what: "src/admin" },
  { rule: /^src\/[^/]+\/service\.ts$/, what: "src/*/service.ts" },
  { rule: /^node_modules\/(zod|@hono\/zod-openapi)\//, what: "zod (the admin API's validation)" },
];

/** @type {string[]} */
const failures = [];
for (const { label, envFlag, outdir } of [
  { label: "edge", envFlag: "--env=", outdir: "dist/edge" },
  { label: "admin", envFlag: "--env=admin", outdir: "dist/admin" },
]) {
  rmSync(outdir, { recursive: true, force: true }); // only this build's files are counted below
  const metafile = `${outdir}/bundle-meta.json`;
  const args = ["deploy", "--dry-run", envFlag, "--outdir", outdir, `--metafile=${metafile}`];
  const result = spawnSync("node_modules/.bin/wrangler", args, { env: wranglerEnv, encoding: "utf8" });
  if (result.status !== 0) {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    console.error(`✗ wrangler deploy --dry-run (${label}) failed`);
    process.exit(1);
  }
  /** @type {import("esbuild").Metafile} */
  const meta = JSON.parse(readFileSync(metafile, "utf8"));
  const [bundlePath, bundle] = Object.entries(meta.outputs).find(([path]) => path.endsWith(".js")) ?? [];
  if (!bundlePath || !bundle) throw new Error(`no .js output in ${metafile}`);
  const code = readFileSync(bundlePath);
  // Text modules (stylesheets, the API reference script) are uploaded beside the bundle: Cloudflare's
  // size limit is on all of them together, compressed.
  const modules = readdirSync(outdir).filter((name) => !/\.(map|json|md)$/.test(name));
  const uploadGzip = modules.reduce((sum, name) => sum + gzipSync(readFileSync(`${outdir}/${name}`)).length, 0);
  console.log(
    `✓ ${label} worker builds for deploy: ${kib(code.length)} raw, ${kib(gzipSync(code).length)} gzip` +
      (modules.length > 1 ? `; with its ${modules.length - 1} text modules ${kib(uploadGzip)} gzip` : ""),
  );
  if (label === "edge") failures.push(...forbiddenInEdge(meta, bundle));
}

if (failures.length > 0) {
  console.error("✗ the edge bundle holds admin-side code:");
  for (const failure of failures) console.error(`  ${failure}`);
  process.exit(1);
}
console.log(`✓ the edge bundle holds none of: ${NOT_IN_EDGE.map(({ what }) => what.split(" ")[0]).join(", ")}`);

/** @param {number} bytes */
function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * One line per forbidden kind of module in the bundle (how many, how many bytes), and, for each
 * place where the edge's own code imports one, the chain of imports from the entry point.
 * @param {import("esbuild").Metafile} meta
 * @param {import("esbuild").Metafile["outputs"][string]} bundle
 */
function forbiddenInEdge(meta, bundle) {
  const inBundle = new Set(Object.keys(bundle.inputs));
  /** @param {string} path */
  const ruleFor = (path) => NOT_IN_EDGE.find(({ rule }) => rule.test(path));
  /** @type {string[]} */
  const lines = [];
  for (const { rule, what } of NOT_IN_EDGE) {
    const modules = [...inBundle].filter((path) => rule.test(path));
    if (modules.length === 0) continue;
    const bytes = modules.reduce((sum, path) => sum + (bundle.inputs[path]?.bytesInOutput ?? 0), 0);
    const count = modules.length === 1 ? "1 module" : `${modules.length} modules`;
    lines.push(`${what}: ${count}, ${kib(bytes)} of the bundle`);
  }
  // Where allowed code imports forbidden code: that import is the one to cut.
  for (const [importer, input] of Object.entries(meta.inputs)) {
    if (!inBundle.has(importer) || ruleFor(importer)) continue;
    for (const { path: imported } of input.imports) {
      if (ruleFor(imported)) lines.push(`${[imported, importer, ...importersUpTo(meta, importer)].join(" ← ")}`);
    }
  }
  return lines;
}

/**
 * The shortest chain of importers from `module` to an entry point (the entry point last).
 * @param {import("esbuild").Metafile} meta
 * @param {string} module
 */
function importersUpTo(meta, module) {
  /** @type {Map<string, string[]>} */
  const importers = new Map();
  for (const [path, input] of Object.entries(meta.inputs)) {
    for (const { path: imported } of input.imports) importers.set(imported, [...(importers.get(imported) ?? []), path]);
  }
  /** @type {Map<string, string>} the module each importer was reached from, breadth-first */
  const reachedFrom = new Map();
  const queue = [module];
  for (let current = queue.shift(); current; current = queue.shift()) {
    const parents = importers.get(current) ?? [];
    if (parents.length === 0) {
      /** @type {string[]} */
      const chain = [];
      for (let node = current; node !== module; node = reachedFrom.get(node) ?? module) chain.push(node);
      return chain.reverse();
    }
    for (const parent of parents) {
      if (parent === module || reachedFrom.has(parent)) continue;
      reachedFrom.set(parent, current);
      queue.push(parent);
    }
  }
  return [];
}
