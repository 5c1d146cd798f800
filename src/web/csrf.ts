// CSRF protection for the pages' POST forms, in two layers:
//   1. the browser's own word: a POST whose `Origin` is another origin, or whose `Sec-Fetch-Site`
//      says cross-site, is refused (what hono/csrf checks);
//   2. a token (double-submit): a random secret in an HttpOnly cookie (`__Host-` on https, so no
//      subdomain can plant one), and in each form a hidden `_csrf` field holding SHA-256 of that
//      secret. Another site can make the browser send the cookie but can neither read it nor the
//      page, so it cannot fill in the field.
// In a signed-in area (console, portal) the secret is the session's instead of the cookie's: the
// area reads its session before `verifyCsrf` runs (createPageRouter's `beforeCsrf`) and sets
// `csrfSecret` to `sessionCsrfSecret` of the session token. A token then works only with the live
// session it was made for: not in another session, not after sign-out, and a planted or leaked
// form cookie is of no use there. Pages shown without a session (sign-in forms) keep the cookie.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AdminContext } from "../admin/context";
import { base64url, randomToken, TOKEN_SHAPE } from "../lib/tokens";

export const CSRF_FIELD = "_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";

/** `__Host-` needs `Secure`, which plain-http `localhost` (local development) cannot have. */
export function csrfCookieName(c: Context): string {
  return isHttps(c) ? "__Host-edgeref_csrf" : "edgeref_csrf";
}

async function labelledHash(label: string, secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${label}:${secret}`));
  return base64url(new Uint8Array(digest));
}

const tokenFor = (secret: string) => labelledHash("edgeref-csrf", secret);

/**
 * The CSRF secret of a session: a one-way hash of its token under a label of its own, so neither
 * the secret nor the tokens in its pages (hashed once more) tell anything of the session token.
 */
export const sessionCsrfSecret = (sessionToken: string) => labelledHash("edgeref-csrf-session", sessionToken);

/**
 * The token for this visitor's forms (put it in `<CsrfField token={…} />`). Sets the cookie when
 * the visitor has none yet, so call it in the GET handler of every page that shows a form.
 */
export async function csrfToken(context: Context): Promise<string> {
  // Any area's context (a signed-in area adds variables of its own); only `csrfSecret` is used.
  const c = context as Context<AdminContext>;
  let secret = c.get("csrfSecret") ?? getCookie(c, csrfCookieName(c));
  if (!secret || !TOKEN_SHAPE.test(secret)) {
    secret = randomToken();
    setCookie(c, csrfCookieName(c), secret, { path: "/", httpOnly: true, secure: isHttps(c), sameSite: "Lax" });
  }
  c.set("csrfSecret", secret);
  return tokenFor(secret);
}

/** Why a POST was refused, or null when it may go on. */
export async function csrfFailure(c: Context<AdminContext>): Promise<string | null> {
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return "the form was sent from another site";
  if (c.req.header("sec-fetch-site") === "cross-site") return "the form was sent from another site";
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) return "not a form";
  const secret = c.get("csrfSecret") ?? getCookie(c, csrfCookieName(c));
  if (!secret || !TOKEN_SHAPE.test(secret)) return "no form cookie";
  const sent = (await c.req.parseBody())[CSRF_FIELD];
  if (typeof sent !== "string") return "no form token";
  return equalInConstantTime(sent, await tokenFor(secret)) ? null : "the form token does not match";
}

function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Refuses every unsafe request (POST, PUT, PATCH, DELETE) that fails `csrfFailure` with `refuse`'s
 * response (a page telling the visitor to reload and send again).
 */
export function verifyCsrf(refuse: (c: Context<AdminContext>) => Response | Promise<Response>): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const failure = await csrfFailure(c);
    if (failure === null) return next();
    console.warn(JSON.stringify({ msg: "form refused (CSRF)", path: new URL(c.req.url).pathname, why: failure }));
    return refuse(c);
  };
}
