// `/docs`: the admin API's reference, rendered in the browser by Scalar's API reference (an npm
// package) from `/openapi.json`. Every file it needs is served by this worker (src/web/assets.ts),
// so it works offline; Scalar's calls home are switched off (fonts, telemetry, the request proxy).
import type { Context } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import { ICON_PATH, SCALAR_SCRIPT_PATH } from "../web/assets";
import { CONTENT_SECURITY_POLICY } from "../web/headers";

/**
 * What Scalar is told (read from the `data-configuration` attribute: the page has no inline
 * script). "Test request" sends straight to this origin, never through Scalar's proxy.
 */
const SCALAR_CONFIGURATION = {
  url: "/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  // "Ask AI" sends the document to Scalar's service.
  agent: { disabled: true },
  // Every operation listed in the sidebar at once: ~100 operations render quickly enough.
  defaultOpenAllTags: true,
  showDeveloperTools: "never",
  documentDownloadType: "json",
  persistAuth: false,
  metaData: { title: "edgeref admin API" },
};

/**
 * The pages' policy, relaxed only as far as Scalar needs: it injects its stylesheet as `<style>`
 * elements at run time (inline styles allowed; scripts stay `'self'` only) and draws some images
 * from `blob:` URLs.
 */
export const docsSecurityHeaders = secureHeaders({
  contentSecurityPolicy: {
    ...CONTENT_SECURITY_POLICY,
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    fontSrc: ["'self'", "data:"],
  },
  referrerPolicy: "strict-origin-when-cross-origin",
});

export function docsPage(c: Context) {
  c.header("cache-control", "no-store");
  return c.html(
    html`<!doctype html>${(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>edgeref admin API reference</title>
          <link rel="icon" href={ICON_PATH} type="image/svg+xml" />
        </head>
        <body>
          <noscript>
            The API reference needs JavaScript. The same description is at <a href="/openapi.json">/openapi.json</a>.
          </noscript>
          <script id="api-reference" data-configuration={JSON.stringify(SCALAR_CONFIGURATION)} />
          <script src={SCALAR_SCRIPT_PATH} />
        </body>
      </html>
    )}`,
  );
}
