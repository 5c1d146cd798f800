// Who is signed in to the console, and what they may do. A console session is a web session of kind
// `user` (src/web/sessions.ts) whose cookie is scoped to /console; every request re-reads the user,
// so a removed user is signed out at once and a changed role applies to the next request. The
// session is read once, before the CSRF check (`loadConsoleSession`), so the forms' tokens are bound to it.
import type { Context, MiddlewareHandler } from "hono";
import type { AdminContext } from "../admin/context";
import { getCompany } from "../companies/service";
import { canManageUsers, canWrite, findUser } from "../users/service";
import { revokeSession, type SessionScope, sessionLoader } from "../web/sessions";
import { forbiddenPage } from "./pages";

/** Sessions end after 2 hours unused, and 12 hours after sign-in whatever happens. */
export const CONSOLE_SESSION: SessionScope = {
  kind: "user",
  cookieName: "edgeref_console",
  path: "/console",
  idleMs: 2 * 60 * 60 * 1000,
  maxAgeMs: 12 * 60 * 60 * 1000,
};

export const SIGN_IN_PATH = "/console/sign-in";

/** Every console request: its live session (`webSession`), read before the CSRF check. */
export const loadConsoleSession = sessionLoader<AdminContext>(() => CONSOLE_SESSION);

/**
 * Every console page but sign-in and invites: a visitor without a live session is sent to sign in
 * (a GET or a POST alike: nothing runs for them).
 */
export const requireUser: MiddlewareHandler<AdminContext> = async (c, next) => {
  const session = c.get("webSession");
  const user = session ? await findUser(c.env, session.companyId, session.subjectId) : null;
  if (!session || !user) {
    if (session) await revokeSession(c, CONSOLE_SESSION);
    return c.redirect(SIGN_IN_PATH, 303);
  }
  c.set("consoleUser", { user, company: await getCompany(c.env, user.companyId) });
  await next();
};

/** Paths a viewer may still POST to: signing out changes nothing of the company. */
const VIEWER_POSTS = new Set(["/console/sign-out"]);

/** Viewers read only: every other POST (PUT, PATCH, DELETE) of theirs is a 403 page, before any handler. */
export const refuseViewerWrites: MiddlewareHandler<AdminContext> = async (c, next) => {
  const { user } = c.get("consoleUser");
  const safe = c.req.method === "GET" || c.req.method === "HEAD";
  if (!safe && !canWrite(user.role) && !VIEWER_POSTS.has(c.req.path)) {
    return forbiddenPage(c, "Your role (viewer) lets you see this company's console, not change it.");
  }
  await next();
};

/** Users and invites are the owner's: anyone else gets a 403 page, for reads too. */
export const requireOwner: MiddlewareHandler<AdminContext> = async (c, next) => {
  if (!canManageUsers(c.get("consoleUser").user.role)) {
    return forbiddenPage(c, "Only the company's owners manage its users and invites.");
  }
  await next();
};

/** Whether the signed-in user may change things (write controls are shown only then). */
export const userCanWrite = (c: Context<AdminContext>) => canWrite(c.get("consoleUser").user.role);
export const userIsOwner = (c: Context<AdminContext>) => canManageUsers(c.get("consoleUser").user.role);
