// The files pages link, served by the worker itself (no CDN) under names that change with their
// content, so they can be cached for a year and a new deploy is fetched at once: the stylesheet
// every page links (Pico CSS, an npm package bundled as a text module, then edgeref's own rules),
// the icon, and Scalar's API reference script for /docs.

import { sha256 } from "@noble/hashes/sha2.js";
import pico from "@picocss/pico/css/pico.min.css";
import { Hono } from "hono";
import scalarPackage from "../../node_modules/@scalar/api-reference/package.json";
import type { AdminContext } from "../admin/context";
import { toHex } from "../lib/hash";
import { COPY_SCRIPT } from "./copy";
import site from "./site.css";

const STYLESHEET = `${pico}\n${site}`;
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="6" fill="#0b57d0"/>' +
  '<path d="M9 22V10h12v3h-8.5v1.6H20v3h-7.5V19H21v3z" fill="#fff"/></svg>';

const fingerprint = (text: string) => toHex(sha256(new TextEncoder().encode(text)).subarray(0, 6));

/**
 * Scalar's script (4.7 MB of text) is imported on the first request for it: only /docs uses it, so
 * the worker's other pages (and each test file, which starts a fresh worker) never load it.
 */
const loadScalarScript = async () =>
  (await import("../../node_modules/@scalar/api-reference/dist/browser/standalone.js")).default;

/** Content-hashed file name → body (or how to load it) and type. */
const FILES = new Map<string, { body: string | (() => Promise<string>); type: string }>([
  [`app.${fingerprint(STYLESHEET)}.css`, { body: STYLESHEET, type: "text/css; charset=utf-8" }],
  [`icon.${fingerprint(ICON)}.svg`, { body: ICON, type: "image/svg+xml" }],
  // Named by its version, not hashed: hashing 4.7 MB would slow every cold start of the worker.
  [
    `scalar-api-reference.${scalarPackage.version}.js`,
    { body: loadScalarScript, type: "text/javascript; charset=utf-8" },
  ],
  [`copy.${fingerprint(COPY_SCRIPT)}.js`, { body: COPY_SCRIPT, type: "text/javascript; charset=utf-8" }],
]);
const pathOf = (prefix: string) => `/assets/${[...FILES.keys()].find((name) => name.startsWith(prefix))}`;

export const STYLESHEET_PATH = pathOf("app.");
export const ICON_PATH = pathOf("icon.");
/** Scalar's API reference, one self-contained browser script (the `/docs` page). */
export const SCALAR_SCRIPT_PATH = pathOf("scalar-api-reference.");
/** The script of `<CopyField>` (src/web/copy.tsx). */
export const COPY_SCRIPT_PATH = pathOf("copy.");

export const assetsRouter = new Hono<AdminContext>();

assetsRouter.get("/assets/:name", async (c) => {
  const file = FILES.get(c.req.param("name"));
  if (!file) return c.text("Not found", 404, { "cache-control": "no-store" });
  return c.body(typeof file.body === "string" ? file.body : await file.body(), 200, {
    "content-type": file.type,
    // The name changes with the content: a cached copy is never stale.
    "cache-control": "public, max-age=31536000, immutable",
    "x-content-type-options": "nosniff",
  });
});
