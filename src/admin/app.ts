// The admin worker's HTTP side: the REST API under /v1 (Bearer keys), its OpenAPI document and
// docs page, and the pages (public program pages, with their stylesheet).
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { apiKeysRouter } from "../api-keys/api-keys.index";
import { applicationsRouter } from "../applications/applications.index";
import { companyRouter } from "../companies/company.index";
import { consoleRouter } from "../console/console.index";
import { dealsRouter } from "../deals/deals.index";
import { docsPage, docsSecurityHeaders } from "../docs/docs-page";
import { failedClicksRouter } from "../failed-clicks/failed-clicks.index";
import { formsRouter } from "../forms/forms.index";
import { fxRouter } from "../fx/fx.index";
import { groupsRouter } from "../groups/groups.index";
import { idempotentPosts } from "../idempotency/middleware";
import { ingestRouter } from "../ingest/ingest.index";
import { leadsRouter } from "../leads/leads.index";
import { ApiError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { createDohTxtResolver, DEFAULT_DOH_RESOLVER_URL, type TxtResolver } from "../link-domains/dns";
import { linkDomainsRouter } from "../link-domains/link-domains.index";
import { linksRouter } from "../links/links.index";
import { defaultMailer, type Mailer } from "../mail/mailer";
import { offersRouter } from "../offers/offers.index";
import { partnerApiRouter } from "../partner-api/partner-api.index";
import { partnerCredentialsRouter } from "../partner-credentials/partner-credentials.index";
import { partnersRouter } from "../partners/partners.index";
import { pipelinesRouter } from "../pipelines/pipelines.index";
import { portalRouter } from "../portal/portal.index";
import { signInLinksRouter } from "../portal/sign-in-links.index";
import { programsRouter } from "../programs/programs.index";
import { rewardsRouter } from "../rewards/rewards.index";
import { socialRouter } from "../social/social.index";
import { statsRouter } from "../stats/stats.index";
import { assetsRouter } from "../web/assets";
import type { AdminContext } from "./context";
import { problemResponse } from "./errors";
import {
  limitBodySize,
  publishLeftoversAfterResponse,
  rateLimitPartner,
  rateLimitPerKeyAndCompany,
  requireApiKey,
  requirePartnerCredential,
} from "./middleware";

export const API_VERSION = "1.0.0";

/** The documented API's routers; the tests derive each route's response types from them. */
export const apiRouters = [
  companyRouter,
  linkDomainsRouter,
  apiKeysRouter,
  groupsRouter,
  linksRouter,
  partnersRouter,
  statsRouter,
  ingestRouter,
  fxRouter,
  failedClicksRouter,
  offersRouter,
  rewardsRouter,
  formsRouter,
  applicationsRouter,
  partnerCredentialsRouter,
  pipelinesRouter,
  leadsRouter,
  dealsRouter,
  partnerApiRouter,
  socialRouter,
  signInLinksRouter,
] as const;

export interface AdminAppOptions {
  /** How link domain verification looks up TXT records: DNS-over-HTTPS at DOH_RESOLVER_URL unless given (tests). */
  resolveTxt?: TxtResolver;
  /** How pages send email: the environment's mailer unless given (tests pass a fake). */
  mailer?: Mailer;
}

export function createAdminApp(options: AdminAppOptions = {}) {
  const app = new OpenAPIHono<AdminContext>();

  app.onError((error, c) => problemResponse(error, c));
  app.notFound((c) => {
    const detail = `No route ${c.req.method} ${new URL(c.req.url).pathname}.`;
    return problemResponse(new ApiError(PROBLEMS.routeNotFound, detail), c);
  });

  app.get("/health", (c) => c.json({ ok: true }));
  const setMailer: MiddlewareHandler<AdminContext> = async (c, next) => {
    c.set("mailer", options.mailer ?? defaultMailer(c.env));
    await next();
  };
  // Link domain verification, from the API and from the console's Link domains page.
  const setResolveTxt: MiddlewareHandler<AdminContext> = async (c, next) => {
    const url = c.env.DOH_RESOLVER_URL || DEFAULT_DOH_RESOLVER_URL;
    c.set("resolveTxt", options.resolveTxt ?? createDohTxtResolver({ url }));
    await next();
  };
  app.use("/portal/*", setMailer);
  app.use("/console/*", setMailer);
  app.use("/console/settings/link-domains/*", setResolveTxt);
  // A direct join on a program page mails the new partner a sign-in link.
  app.use("/programs/*", setMailer);
  // Pages (server-rendered, strict CSP, CSRF-checked forms): each section under its own prefix.
  app.route("/", assetsRouter);
  app.route("/programs", programsRouter);
  app.route("/console", consoleRouter);
  app.route("/portal", portalRouter);

  app.use(
    "/v1/*",
    limitBodySize,
    requireApiKey,
    rateLimitPerKeyAndCompany,
    publishLeftoversAfterResponse,
    idempotentPosts,
  );
  // The partner API: a partner's own credential, its own limits; it writes nothing the edge serves.
  app.use("/partner/v1/*", limitBodySize, requirePartnerCredential, rateLimitPartner, idempotentPosts);
  app.use("/v1/link-domains/*", setResolveTxt);
  for (const router of apiRouters) {
    app.route("/", router);
  }

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A secret key (`sk_live_…`) of your company. Create more with POST /v1/api-keys.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "partnerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "The partner API (`/partner/v1`): a partner's credential (`pc_live_…`), issued by the company with " +
      "POST /v1/partners/{partner_id}/credentials. It acts for that partner only.",
  });
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "edgeref admin API",
      version: API_VERSION,
      description:
        "Manage a partner program: groups, default links, partners, link domains and keys. " +
        "Errors are RFC 9457 problems (`application/problem+json`); " +
        "lists use cursor pagination (`limit`, `starting_after`, `has_more`); " +
        "POST creates accept an `Idempotency-Key` header.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  app.get("/docs", docsSecurityHeaders, docsPage);
  return app;
}
