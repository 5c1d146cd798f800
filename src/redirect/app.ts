// The edge worker's HTTP side: `GET|HEAD /:slug` → 302 to the partner's destination.
// Nothing is written before the response: the click goes to the queue in `waitUntil`.
import { type Context, Hono } from "hono";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { type ClickEvent, refererHost, visitorHash } from "../clicks/event";
import { type ClickSink, sendClick } from "../clicks/sink";
import type { Env } from "../env";
import { sortableToken } from "../lib/ids";
import { LimitedClients } from "../lib/limited-clients";
import { clickTemplate } from "./click-template";
import { cookieShouldBeSecure } from "./cookie";
import { buildDestination, isEmptyQuery } from "./destination";
import { type IsolateCache, isolateCache as sharedIsolateCache } from "./isolate-cache";
import { linkNotFoundPage, robotsTxt } from "./pages";
import type { CompanyRecord, RouteRecords } from "./records";
import { type RequestUrl, requestUrl } from "./request-url";
import { chooseLink, resolveForLimitedClient, resolveFromIsolate, resolveRoute } from "./resolve";
import { normalizeSlug } from "./slug";
import { isolateSlugFilters, type SlugFilterCache } from "./slug-filter-cache";
import { visitKind } from "./visit-kind";

export interface EdgeAppOptions {
  cache?: IsolateCache;
  /** Companies' slug filters; `null` turns them off (the benchmark's comparison). */
  slugFilters?: SlugFilterCache | null;
  /** Client IPs over EDGE_MISS_LIMITER, remembered in this isolate. */
  limitedClients?: LimitedClients;
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

interface Resolver {
  cache: IsolateCache;
  filters: SlugFilterCache | undefined;
  limitedClients: LimitedClients;
}

/** Client IPs over the miss limit in this isolate (shared by every request it serves). */
const isolateLimitedClients = new LimitedClients();

export function createEdgeApp(options: EdgeAppOptions = {}) {
  const resolver: Resolver = {
    cache: options.cache ?? sharedIsolateCache,
    filters: options.slugFilters === null ? undefined : (options.slugFilters ?? isolateSlugFilters),
    limitedClients: options.limitedClients ?? isolateLimitedClients,
  };
  const clickSink = options.clickSink ?? ((env: Env): ClickSink => env.CLICKS);
  // One route on the RegExpRouter: the default SmartRouter falls back to the slower TrieRouter for
  // `/robots.txt` beside `/:slug`, so robots.txt is answered inside the one handler.
  const app = new Hono<{ Bindings: Env }>({ strict: false, router: new RegExpRouter() });

  app.on(["GET", "HEAD"], "/:slug", (c) => redirect(c, resolver, clickSink));
  app.notFound((c) => linkNotFoundPage(c.req.method));
  // Customers never see a 5xx from the edge: log and show the not-found page instead.
  app.onError((error, c) => {
    console.error(JSON.stringify({ msg: "edge error", url: c.req.url, error: String(error) }));
    return linkNotFoundPage(c.req.method);
  });
  return app;
}

/**
 * Synchronous when the isolate cache answers (most clicks): an async handler would cost the runtime
 * a promise to resolve per request even when nothing is awaited. Only a lookup in storage is async.
 */
function redirect(
  c: EdgeContext,
  resolver: Resolver,
  clickSink: (env: Env) => ClickSink,
): Response | Promise<Response> {
  const segment = c.req.param("slug") ?? "";
  if (segment === "robots.txt") return robotsTxt();
  const slug = normalizeSlug(segment);
  if (!slug) return linkNotFoundPage(c.req.method);

  const request = c.req.raw;
  const url = requestUrl(request.url);
  const { cache, filters, limitedClients } = resolver;
  const clientIp = request.headers.get("cf-connecting-ip") ?? "";
  const click: Click = { c, url, clientIp, clickSink };
  const route = resolveFromIsolate(cache, url.hostname, slug);
  if (route) return respond(click, route);
  // Once a client is over the miss limit, what this isolate cannot answer as a possible link gets
  // the fallback without any KV or D1 read.
  const limitedRoute =
    clientIp && limitedClients.isLimited(clientIp)
      ? resolveForLimitedClient(cache, filters, url.hostname, slug)
      : undefined;
  if (limitedRoute) return respond(click, limitedRoute);
  return lookUpThenRespond(click, resolver, slug);
}

interface Click {
  c: EdgeContext;
  url: RequestUrl;
  clientIp: string;
  clickSink: (env: Env) => ClickSink;
}

/** The route from storage; misses that reached storage count against the client's IP. */
async function lookUpThenRespond(click: Click, resolver: Resolver, slug: string): Promise<Response> {
  const { c, url, clientIp } = click;
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const { cache, filters, limitedClients } = resolver;
  const route = await resolveRoute({ db: c.env.DB, kv: c.env.LINKS_KV, cache, waitUntil, filters }, url.hostname, slug);
  if (clientIp && isMiss(route)) waitUntil(limitedClients.count(c.env.EDGE_MISS_LIMITER, clientIp));
  return respond(click, route);
}

/** The 302 for a resolved route (its click event sent after the response), or the fallback. */
function respond({ c, url, clientIp, clickSink }: Click, route: RouteRecords): Response {
  const { site, slug: partnerLink, group } = route;
  if (!site) return linkNotFoundPage(c.req.method);
  const company = site.company;

  const link = partnerLink?.partnerActive && group ? chooseLink(group, partnerLink.linkText) : undefined;
  if (!partnerLink || !group || !link) return fallback(c, company);

  const request = c.req.raw;
  const now = Date.now();
  const clickId = sortableToken(now);
  const template = clickTemplate(site, partnerLink, link, cookieShouldBeSecure(url));
  // Click ids are digits and lower-case letters: nothing in them needs percent-encoding.
  const location = isEmptyQuery(url.search)
    ? template.location.head + clickId + template.location.tail
    : buildDestination({
        destinationUrl: link.destinationUrl,
        utmParams: link.utmParams,
        lockUtms: link.lockUtms,
        partnerKey: partnerLink.partnerKey,
        incomingSearch: url.search,
        tracking: { clickIdParam: company.clickIdParam, clickId, partnerKeyParam: company.partnerKeyParam },
      });
  const cookie = template.cookie.head + clickId + template.cookie.tail;

  const userAgent = request.headers.get("user-agent");
  const event: ClickEvent = {
    v: 1,
    clickId,
    ts: now,
    companyId: company.id,
    groupId: group.id,
    partnerId: partnerLink.partnerId,
    partnerLinkId: partnerLink.partnerLinkId,
    defaultLinkId: link.id,
    kind: visitKind(request, userAgent),
    country: (request.cf?.country as string | undefined) ?? null,
    refererHost: refererHost(request.headers.get("referer")),
    visitorHash: visitorHash(c.env.VISITOR_HASH_SALT, now, clientIp, userAgent ?? ""),
  };
  c.executionCtx.waitUntil(sendClick(clickSink(c.env), event));

  return new Response(null, {
    status: 302,
    headers: { ...REDIRECT_HEADERS, location, "set-cookie": cookie },
  });
}

/** No such host or slug (an archived partner or a disabled group is a real link, not a miss). */
function isMiss(route: RouteRecords): boolean {
  return !route.site || !route.slug;
}

function fallback(c: EdgeContext, company: CompanyRecord): Response {
  if (!company.fallbackUrl) return linkNotFoundPage(c.req.method);
  return new Response(null, { status: 302, headers: { ...REDIRECT_HEADERS, location: company.fallbackUrl } });
}
