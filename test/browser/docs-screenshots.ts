// `npm run docs:screenshots`: retakes the README's console screenshot, docs/console-groups.png, on
// the browser tests' stack (test/browser/harness.ts: the real workers under Miniflare, the run's
// Chromium) over fresh storage seeded with the demo company as `npm start` seeds it. Not a test
// (no `.test.ts`): it only runs through vitest.docs.config.ts, for the harness's global setup.
import { expect, it } from "vitest";
import { expectCleanLoad, startConsoleStack } from "./harness";

/** The size of the committed screenshot: the browser tests' laptop viewport. */
const VIEWPORT = { width: 1280, height: 800 };

it("docs/console-groups.png: the demo company's Groups tab", async () => {
  const consoleStack = await startConsoleStack();
  try {
    const demo = await consoleStack.stack.seedDemo();
    expect(demo.created, "a fresh stack seeds a new demo company").toBe(true);
    // The picture shows two weeks of numbers, not a table of zeros.
    expect(demo.activity.clicks).toBeGreaterThan(0);
    const session = await consoleStack.signIn({ owner: { email: demo.owner.email, password: demo.owner.password! } });
    const watched = await consoleStack.open("/console", session);
    await watched.page.setViewportSize(VIEWPORT);
    await watched.page.getByText("Last updated").waitFor();
    expectCleanLoad(watched, "/console");
    await watched.page.screenshot({ path: "docs/console-groups.png" });
    await watched.close();
  } finally {
    await consoleStack.dispose();
  }
});
