// Bundles TypeScript entry points to run in workerd without wrangler (the bench workers, the
// local tasks), resolving packages the way wrangler does for Workers.
import { build } from "esbuild";

/**
 * @param {Record<string, string>} entryPoints output name → source file
 * @param {string} outdir
 * @param {{ minify?: boolean }} [options]
 */
export function bundleForWorkerd(entryPoints, outdir, { minify = false } = {}) {
  return build({
    entryPoints,
    outdir,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    minify,
    logLevel: "warning",
  });
}
