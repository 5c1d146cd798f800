import { readFile } from "node:fs/promises";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig, type Plugin } from "vitest/config";

/** As wrangler.toml's `Text` rule: Scalar's browser script is imported as text (src/web/assets.ts). */
const scalarScriptAsText: Plugin = {
  name: "scalar-script-as-text",
  enforce: "pre",
  async load(id) {
    const [file] = id.split("?");
    if (!file || !/@scalar\/api-reference\/dist\/browser\/standalone\.js$/.test(file)) return null;
    return `export default ${JSON.stringify(await readFile(file, "utf8"))};`;
  },
};

// Tests run inside workerd with the edge worker as `main` (its fetch and queue handlers are live,
// so redirects enqueue real clicks that the real consumer writes to local D1). Admin-side code is
// imported and called directly with the same bindings.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      scalarScriptAsText,
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            VISITOR_HASH_SALT: "test-salt",
            LOCAL_EDGE_ORIGIN: "http://localhost:8787",
            // Tests are local development: `localhost` link domains verify themselves (as with npm start).
            ALLOW_LOCAL_HOST_VERIFICATION: "true",
            // Tests inject a fake TXT resolver; should one be forgotten, the lookup fails at once
            // (nothing listens on port 9 of this machine) instead of reaching a public resolver.
            DOH_RESOLVER_URL: "http://127.0.0.1:9/dns-query",
          },
          // The admin worker's bindings (they live under [env.admin]) and the edge's; the same
          // limits as wrangler.toml.
          ratelimits: {
            ADMIN_RATE_LIMITER: { simple: { limit: 600, period: 60 } },
            ADMIN_COMPANY_RATE_LIMITER: { simple: { limit: 1200, period: 60 } },
            AUTH_FAILURE_LIMITER: { simple: { limit: 20, period: 60 } },
            CONSOLE_SIGN_IN_IP_LIMITER: { simple: { limit: 10, period: 60 } },
            CONSOLE_SIGN_IN_ACCOUNT_LIMITER: { simple: { limit: 5, period: 60 } },
            EDGE_MISS_LIMITER: { simple: { limit: 100, period: 60 } },
            APPLY_IP_LIMITER: { simple: { limit: 10, period: 60 } },
            APPLY_COMPANY_LIMITER: { simple: { limit: 60, period: 60 } },
            PORTAL_IP_LIMITER: { simple: { limit: 10, period: 60 } },
            PORTAL_EMAIL_LIMITER: { simple: { limit: 3, period: 60 } },
            // Test-only: stands in for a limiter whose real limit would take a long test to reach.
            SMALL_TEST_LIMITER: { simple: { limit: 30, period: 60 } },
          },
          // An empty database and KV of their own, for the demo seed (it only seeds an empty database).
          d1Databases: { SEED_DB: "seed-db" },
          kvNamespaces: { SEED_KV: "seed-kv" },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
      // Browser tests run in Node with their own config (vitest.browser.config.ts).
      exclude: [...configDefaults.exclude, "test/browser/**"],
      testTimeout: 30_000,
      // Two test files at a time, each in its own workerd (storage stays isolated per file). Vitest's
      // default is one fewer than the cores: a single file at a time on a 2-core machine, where most
      // of a file's time is its worker starting and loading modules, one process waiting on the other.
      maxWorkers: 2,
      // twitter-text's build loads core-js 2 polyfills module by module, which crashed workerd under
      // vitest's module runner (a segfault); pre-bundled once, as wrangler's esbuild bundles it, it runs.
      deps: { optimizer: { ssr: { enabled: true, include: ["twitter-text"] } } },
    },
  };
});
