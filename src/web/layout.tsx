// The page shell every server-rendered page uses: one stylesheet and icon from the worker itself,
// a skip link, and the error summary at the top of `<main>` when the page's form has errors
// (GOV.UK Design System pattern: `Error: ` before the title, a summary linking to each field).
import type { Context } from "hono";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldError } from "../lib/errors";
import { ICON_PATH, STYLESHEET_PATH } from "./assets";
import { ErrorSummary } from "./form";

export interface PageProps {
  /** The document title; also what `<h1>` usually says. */
  title: string;
  /** Shown in the header, e.g. the company whose page this is. */
  siteName?: string;
  /** The form's errors: the title gets `Error: `, and a summary opens `<main>`. */
  errors?: FieldError[];
  /** The header's content instead of the site name (a signed-in area's name, navigation and sign-out). */
  header?: Child;
  /** Scripts served by the worker (src/web/assets.ts) that enhance the page; it works without them. */
  scripts?: string[];
  children?: Child;
}

export function Page({ title, siteName = "edgeref", errors = [], header, scripts = [], children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{errors.length > 0 ? `Error: ${title}` : title}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        <link rel="icon" href={ICON_PATH} type="image/svg+xml" />
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="container">{header ?? <p>{siteName}</p>}</header>
        <main id="main" class="container" tabindex={-1}>
          {errors.length > 0 ? <ErrorSummary errors={errors} /> : null}
          {children}
        </main>
        <footer class="container">
          <p>Partner programs by edgeref.</p>
        </footer>
      </body>
    </html>
  );
}

/** Answers a page: the doctype, then the rendered element; HTML responses are never cached. */
export function renderPage(c: Context, page: ReturnType<typeof Page>, status: ContentfulStatusCode = 200) {
  c.header("cache-control", "no-store");
  return c.html(html`<!doctype html>${page}`, status);
}
