// A router for a section of pages (`/programs`, `/portal`, `/console`): mount it under its own
// prefix (`app.route("/programs", router)`) so its middleware never touches the JSON API.
// Every response gets the pages' security headers (strict CSP); every POST is size-limited and
// CSRF-checked before its handler runs; errors are pages, not problem+json. A signed-in area may
// add variables of its own to the context (`createPageRouter<PortalContext>()`), and binds its forms'
// CSRF tokens to its session by reading that session first (`beforeCsrf`, src/web/csrf.ts).
import { Hono, type MiddlewareHandler } from "hono";
import type { AdminContext } from "../admin/context";
import { limitBodySize } from "../admin/middleware";
import { ApiError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { verifyCsrf } from "./csrf";
import { pageSecurityHeaders } from "./headers";
import { errorPage, formExpiredPage, notFoundPage } from "./pages";

export interface PageRouterOptions<E extends AdminContext> {
  /** Middleware run on `path` before the CSRF check: what loads the area's session (`sessionLoader`). */
  beforeCsrf?: { path: string; handlers: MiddlewareHandler<E>[] };
}

export function createPageRouter<E extends AdminContext = AdminContext>(options: PageRouterOptions<E> = {}) {
  const router = new Hono<E>();
  router.use("*", pageSecurityHeaders, limitBodySize);
  const before = options.beforeCsrf;
  if (before) for (const handler of before.handlers) router.use(before.path, handler);
  router.use("*", verifyCsrf(formExpiredPage));
  router.onError((error, c) => {
    if (error instanceof ApiError && error.problem === PROBLEMS.notFound) return notFoundPage(c);
    if (error instanceof ApiError && error.problem === PROBLEMS.bodyTooLarge) return errorPage(c, 413);
    console.error(JSON.stringify({ msg: "page error", url: c.req.url, error: String(error) }));
    return errorPage(c, 500);
  });
  return router;
}
