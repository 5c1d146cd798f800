// The edge worker's HTTP side: `GET|HEAD /:slug` → 302 to the partner's destination.
// Nothing is written before the response: the click goes to the queue in `waitUntil`.
import { Hono, type Context } from "hono";
import { sendClick, type ClickSink } from "../clicks/sink";
import { visitorHash, refererHost, type ClickEvent } from "../clicks/event";
import type { Env } from "../env";
import { sortableToken } from "../lib/ids";
import { cookieShouldBeSecure, trackingCookie } from "./cookie";
import { buildDestination } from "./destination";
import { isolateCache as sharedIsolateCache, type IsolateCache } from "./isolate-cache";
import { linkNotFoundPage, robotsTxt } from "./pages";
import type { CompanyRecord } from "./records";
import { chooseLink, resolveFromIsolate, resolveRoute } from "./resolve";
import { normalizeSlug } from "./slug";
import { visitKind } from "./visit-kind";

export interface EdgeAppOptions {
  cache?: IsolateCache;
  /** Where click events go; the `CLICKS` queue unless replaced (the benchmark's in-memory sink). */
  clickSink?: (env: Env) => ClickSink;
}

/**
 * `strict-origin-when-cross-origin` applies to the navigation that follows the redirect: the
 * destination learns the referring site's origin (useful for the merchant) but not the path of
 * the partner's page, and nothing on a downgrade to http.
 */
const REDIRECT_HEADERS = {
  "cache-control": "private, no-store",
  "x-robots-tag": "noindex",
  "referrer-policy": "strict-origin-when-cross-origin",
};

type EdgeContext = Context<{ Bindings: Env }>;

export function createEdgeApp(options: EdgeAppOptions = {}) {
  const cache = options.cache ?? sharedIsolateCache;
  const clickSink = options.clickSink ?? ((env: Env): ClickSink => env.CLICKS);
  const app = new Hono<{ Bindings: Env }>({ strict: false });

  app.get("/robots.txt", () => robotsTxt());
  app.on(["GET", "HEAD"], "/:slug", (c) => redirect(c, cache, clickSink));
  app.notFound((c) => linkNotFoundPage(c.req.method));
  // Customers never see a 5xx from the edge: log and show the not-found page instead.
  app.onError((error, c) => {
    console.error(JSON.stringify({ msg: "edge error", url: c.req.url, error: String(error) }));
    return linkNotFoundPage(c.req.method);
  });
  return app;
}

async function redirect(c: EdgeContext, cache: IsolateCache, clickSink: (env: Env) => ClickSink): Promise<Response> {
  const slug = normalizeSlug(c.req.param("slug") ?? "");
  if (!slug) return linkNotFoundPage(c.req.method);

  const url = new URL(c.req.url);
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const route =
    resolveFromIsolate(cache, url.hostname, slug) ??
    (await resolveRoute({ db: c.env.DB, kv: c.env.LINKS_KV, cache, waitUntil }, url.hostname, slug));
  const { host, company, slug: partnerLink, group } = route;
  if (!host || !company) return linkNotFoundPage(c.req.method);

  const usable = partnerLink?.partnerActive && group?.enabled && group.companyId === company.id;
  const link = usable ? chooseLink(group, partnerLink.linkText) : undefined;
  if (!partnerLink || !group || !link) return fallback(c, company);

  const now = Date.now();
  const clickId = sortableToken(now);
  const location = buildDestination({
    destinationUrl: link.destinationUrl,
    utmParams: link.utmParams,
    lockUtms: link.lockUtms,
    partnerKey: partnerLink.partnerKey,
    incomingSearch: url.search,
    tracking: { clickIdParam: company.clickIdParam, clickId, partnerKeyParam: company.partnerKeyParam },
  });
  const cookie = trackingCookie({
    clickId,
    partnerKey: partnerLink.partnerKey,
    maxAgeSeconds: company.attributionWindowDays * 86_400,
    domain: host.cookieDomain,
    secure: cookieShouldBeSecure(url),
  });

  const request = c.req.raw;
  const event: Omit<ClickEvent, "visitorHash"> = {
    v: 1,
    clickId,
    ts: now,
    companyId: company.id,
    groupId: group.id,
    partnerId: partnerLink.partnerId,
    partnerLinkId: partnerLink.partnerLinkId,
    defaultLinkId: link.id,
    kind: visitKind(request),
    country: (request.cf?.country as string | undefined) ?? null,
    refererHost: refererHost(request.headers.get("referer")),
  };
  const ip = request.headers.get("cf-connecting-ip") ?? "";
  const userAgent = request.headers.get("user-agent") ?? "";
  const sink = clickSink(c.env);
  waitUntil(
    visitorHash(c.env.VISITOR_HASH_SALT, now, ip, userAgent).then((hash) => sendClick(sink, { ...event, visitorHash: hash })),
  );

  return new Response(null, {
    status: 302,
    headers: { ...REDIRECT_HEADERS, location, "set-cookie": cookie },
  });
}

function fallback(c: EdgeContext, company: CompanyRecord): Response {
  if (!company.fallbackUrl) return linkNotFoundPage(c.req.method);
  return new Response(null, { status: 302, headers: { ...REDIRECT_HEADERS, location: company.fallbackUrl } });
}
