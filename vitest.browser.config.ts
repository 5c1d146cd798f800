import { defineConfig } from "vitest/config";

// Browser tests (`npm run test:browser`, part of `npm test`): Node drives Chromium through
// playwright-core against the real workers under Miniflare (test/browser/harness.ts). They cannot
// run inside the workers pool, hence this config of their own. Each file starts its own workers and
// browser.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    // Two files at a time (each its own Miniflare and Chromium): 125 s instead of 183 s on two cores.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
