// Pages any part of the site may answer with: not found, a refused form, an error.
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { Page, renderPage } from "./layout";

export function notFoundPage(c: Context, message?: string, extra?: Child) {
  return renderPage(
    c,
    <Page title="Page not found">
      <h1>Page not found</h1>
      <p>{message ?? "There is nothing at this address. Check it for typing mistakes."}</p>
      {extra}
    </Page>,
    404,
  );
}

/** A POST that failed the CSRF check: usually an old tab or cookies switched off. */
export function formExpiredPage(c: Context) {
  return renderPage(
    c,
    <Page title="This form has expired">
      <h1>This form has expired</h1>
      <p>
        For your security the form could not be sent. Go back, reload the page and send it again. If this keeps
        happening, allow cookies for this site.
      </p>
    </Page>,
    403,
  );
}

export function errorPage(c: Context, status: 413 | 500) {
  const [title, message] =
    status === 413
      ? ["The form is too large", "What you sent is too large. Shorten your answers and try again."]
      : ["Sorry, something went wrong", "Nothing you sent was the cause. Please try again in a few minutes."];
  return renderPage(
    c,
    <Page title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
    </Page>,
    status,
  );
}
