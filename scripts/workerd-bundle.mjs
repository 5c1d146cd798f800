// Bundles TypeScript entry points to run in workerd without wrangler (the bench workers, the
// local tasks, the browser tests' workers), resolving packages the way wrangler does for Workers.
import { readFile } from "node:fs/promises";
import { build } from "esbuild";

/** As wrangler.toml's `Text` rule: Scalar's browser script is imported as text (src/web/assets.ts). */
const scalarScriptAsText = {
  name: "scalar-script-as-text",
  /** @param {import("esbuild").PluginBuild} build */
  setup(build) {
    build.onLoad({ filter: /@scalar[\\/]api-reference[\\/]dist[\\/]browser[\\/]standalone\.js$/ }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "text",
    }));
  },
};

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
    // As wrangler.toml's `Text` rule: the admin worker's stylesheets are imported as text.
    loader: { ".css": "text" },
    plugins: [scalarScriptAsText],
    minify,
    logLevel: "warning",
  });
}
