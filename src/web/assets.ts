// The stylesheet every page links: Pico CSS (an npm package, bundled into the admin worker as a
// text module) followed by edgeref's own rules. Served by the worker itself — no CDN — under a
// content-hashed path, so it can be cached for a year and a new deploy is fetched at once.

import { sha256 } from "@noble/hashes/sha2.js";
import pico from "@picocss/pico/css/pico.min.css";
import { Hono } from "hono";
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

/** Content-hashed file name → body and type. */
const FILES = new Map([
  [`app.${fingerprint(STYLESHEET)}.css`, { body: STYLESHEET, type: "text/css; charset=utf-8" }],
  [`icon.${fingerprint(ICON)}.svg`, { body: ICON, type: "image/svg+xml" }],
  [`copy.${fingerprint(COPY_SCRIPT)}.js`, { body: COPY_SCRIPT, type: "text/javascript; charset=utf-8" }],
]);
const pathOf = (prefix: string) => `/assets/${[...FILES.keys()].find((name) => name.startsWith(prefix))}`;

export const STYLESHEET_PATH = pathOf("app.");
export const ICON_PATH = pathOf("icon.");
/** The script of `<CopyField>` (src/web/copy.tsx). */
export const COPY_SCRIPT_PATH = pathOf("copy.");

export const assetsRouter = new Hono<AdminContext>();

assetsRouter.get("/assets/:name", (c) => {
  const file = FILES.get(c.req.param("name"));
  if (!file) return c.text("Not found", 404, { "cache-control": "no-store" });
  return c.body(file.body, 200, {
    "content-type": file.type,
    // The name changes with the content: a cached copy is never stale.
    "cache-control": "public, max-age=31536000, immutable",
    "x-content-type-options": "nosniff",
  });
});
