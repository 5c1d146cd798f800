// Which Chromium to drive (browser tests, `npm run check:docs`): `CHROMIUM_PATH` when set; else the
// one `npm ci` installed (@sparticuz/chromium ships it inside the package, unpacked to /tmp on first
// use: nothing is downloaded); else Debian's.
import { existsSync } from "node:fs";
import chromiumPackage from "@sparticuz/chromium";

/** Flags for a headless run on a closed network: no sandbox (root in CI), no calling home. */
const QUIET_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/**
 * @sparticuz/chromium's flags (made for AWS Lambda) left out: those that weaken what the tests check
 * (same-origin rules, mixed content), and one process for everything, which dies with the first
 * closed context.
 */
const UNSAFE_FLAGS = new RegExp(
  "^--(disable-web-security|allow-running-insecure-content|disable-site-isolation-trials" +
    "|single-process|no-zygote|disable-features=.*site-per-process)",
);

/** @returns {Promise<{ executablePath: string, args: string[], source: string }>} */
export async function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    return { executablePath: process.env.CHROMIUM_PATH, args: QUIET_FLAGS, source: "CHROMIUM_PATH" };
  }
  try {
    const executablePath = await chromiumPackage.executablePath();
    const args = chromiumPackage.args.filter((flag) => !UNSAFE_FLAGS.test(flag));
    return { executablePath, args: [...new Set([...args, ...QUIET_FLAGS])], source: "@sparticuz/chromium" };
  } catch (error) {
    if (existsSync("/usr/bin/chromium")) {
      return { executablePath: "/usr/bin/chromium", args: QUIET_FLAGS, source: "/usr/bin/chromium" };
    }
    throw new Error(
      `No Chromium: @sparticuz/chromium failed (${String(error)}) and /usr/bin/chromium is missing. ` +
        "Run `npm ci`, install Debian's chromium, or set CHROMIUM_PATH.",
    );
  }
}
