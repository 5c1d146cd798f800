// Who is looking at a portal page. Every page lives under its company (`/portal/<company slug>/…`),
// and a partner's session is scoped there twice over: its cookie's Path is that prefix (the browser
// never sends it to another company's pages), and the session must name that company (a cookie
// copied into another company's path signs nobody in). An archived partner's session ends. The
// session is read once, before the CSRF check (`loadPartnerSession`), so the forms' tokens are bound to it.
import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import type { AdminContext } from "../admin/context";
import { database } from "../db/client";
import { companies, type groups, type partners } from "../db/schema";
import { getGroup } from "../groups/service";
import { getPartner } from "../partners/service";
import { csrfToken } from "../web/csrf";
import { notFoundPage } from "../web/pages";
import { revokeSession, type SessionScope, sessionLoader, type WebSession } from "../web/sessions";
import { portalPath } from "./sign-in-links";

export type Company = typeof companies.$inferSelect;
export type Partner = typeof partners.$inferSelect;
export type Group = typeof groups.$inferSelect;

export interface SignedIn {
  partner: Partner;
  /** The partner's current group: its links, forms, offers and social content. */
  group: Group;
  session: WebSession;
  /** The CSRF token of this visitor's forms (the sign-out button is on every page). */
  csrf: string;
}

export interface PortalContext extends AdminContext {
  Variables: AdminContext["Variables"] & { company: Company; signedIn: SignedIn };
}

export type PortalCtx = Context<PortalContext>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A partner's sessions: 7 days unused end one; none outlives 30 days (then a new link). */
export function portalScope(company: Company): SessionScope {
  return {
    kind: "partner",
    cookieName: "edgeref_portal",
    path: portalPath(company.slug),
    idleMs: 7 * DAY_MS,
    maxAgeMs: 30 * DAY_MS,
  };
}

/** `/portal/<slug>` plus a page's own path. */
export const pageUrl = (company: Company, path = "") => `${portalPath(company.slug)}${path}`;

/** The company of the path (`:company`), else the 404 page. An upper-case slug redirects to the real one. */
export const loadCompany: MiddlewareHandler<PortalContext> = async (c, next) => {
  const slug = c.req.param("company") ?? "";
  const company = await database(c.env.DB).query.companies.findFirst({
    where: eq(companies.slug, slug.toLowerCase()),
  });
  if (!company) return notFoundPage(c, "There is no partner portal at this address. Check it for typing mistakes.");
  if (slug !== company.slug && c.req.method === "GET") {
    const url = new URL(c.req.url);
    return c.redirect(url.pathname.replace(`/portal/${slug}`, portalPath(company.slug)) + url.search, 301);
  }
  c.set("company", company);
  await next();
};

/** After `loadCompany`: the visitor's live session of this company (`webSession`), before the CSRF check. */
export const loadPartnerSession = sessionLoader<PortalContext>(
  (c) => portalScope(c.get("company")),
  // Another company's session (a cookie copied into this path) is no session here.
  (c, session) => session.companyId === c.get("company").id,
);

/**
 * A signed-in partner of this company, else a redirect (303) to the company's sign-in page. A
 * session of another company, or of a partner archived since, is no session here.
 */
export const requirePartner: MiddlewareHandler<PortalContext> = async (c, next) => {
  const company = c.get("company");
  const session = c.get("webSession");
  const partner = session ? await getPartner(c.env, company.id, session.subjectId).catch(() => null) : null;
  if (!session || !partner || partner.status !== "active") {
    // An archived partner's session is ended, not just refused.
    if (session && partner) await revokeSession(c, portalScope(company));
    return c.redirect(pageUrl(company, "/sign-in"), 303);
  }
  const [group, csrf] = await Promise.all([getGroup(c.env, company.id, partner.groupId), csrfToken(c)]);
  c.set("signedIn", { partner, group, session, csrf });
  await next();
};

/**
 * Runs `work` after the response (waitUntil), so that what it does — or does not — never shows
 * in the answer's timing; failures are logged. Without an execution context (unit tests of a bare
 * app) it is awaited.
 */
export async function afterResponse(c: Context, work: () => Promise<unknown>): Promise<void> {
  const run = () =>
    work().catch((error) =>
      console.error(JSON.stringify({ msg: "portal background work failed", error: String(error) })),
    );
  let context: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    context = c.executionCtx;
  } catch {
    context = undefined;
  }
  if (context) context.waitUntil(run());
  else await run();
}
