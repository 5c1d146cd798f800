import { defineConfig } from "vitest/config";
import browser from "./vitest.browser.config";

// `npm run docs:screenshots` (test/browser/docs-screenshots.ts): the browser tests' setup (workers
// bundled, Chromium found) for the file that retakes the README's screenshots, which `npm test` skips.
export default defineConfig({
  test: { ...browser.test, include: ["test/browser/docs-screenshots.ts"] },
});
