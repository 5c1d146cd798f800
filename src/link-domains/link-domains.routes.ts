import { createRoute, z } from "@hono/zod-openapi";
import { getPublicSuffix } from "tldts";
import {
  conflictResponse,
  deletedSchema,
  errorResponses,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  problemResponses,
  security,
} from "../admin/schemas";
import { LINK_DOMAIN_STATUSES } from "../db/schema";
import { hostname } from "../lib/validation";
import type { NewLinkDomain } from "./service";

const tags = ["Link domains"];

const exampleId = "dom_01jd3k5qv0r8t2x7m9c4b6n1pz";
const exampleToken = "q3Lr0xW9cJ2mB7kT4vN8pZ1sY6dF5gH0aE3uI7oK2wQ";

const linkDomainExample = {
  id: exampleId,
  object: "link_domain",
  hostname: "try.acme.com",
  cookie_domain: "acme.com",
  status: "pending",
  verification: { type: "TXT", name: "_edgeref-challenge.try.acme.com", value: exampleToken },
  verified_at: null,
  last_checked_at: null,
  created_at: "2026-11-25T08:00:00.000Z",
} as const;

export const LinkDomainSchema = z
  .object({
    id: z.string(),
    object: z.literal("link_domain"),
    hostname: z.string(),
    cookie_domain: z.string().nullable(),
    status: z.enum(LINK_DOMAIN_STATUSES).openapi({
      description:
        "`pending`: claimed, serves nothing until verified; `verified`: serves your partner links; " +
        "`superseded`: another company verified the hostname first",
    }),
    verification: z
      .object({
        type: z.literal("TXT"),
        name: z.string().openapi({ description: "Create a DNS TXT record with this name…" }),
        value: z.string().openapi({ description: "…and this value, then call POST /v1/link-domains/{id}/verify" }),
      })
      .openapi({ description: "The DNS record that proves you own the hostname" }),
    verified_at: z.string().nullable(),
    last_checked_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("LinkDomain", { example: linkDomainExample });

const LinkDomainVerificationSchema = LinkDomainSchema.extend({
  check: z
    .object({
      method: z
        .enum(["dns", "local"])
        .openapi({ description: "`local`: a localhost name, verified without DNS in local development" }),
      name: z.string().openapi({ description: "The TXT record looked up" }),
      expected: z.string().openapi({ description: "The value it must hold" }),
      found: z
        .array(z.string())
        .openapi({ description: "The TXT values found there (quotes removed, split strings joined)" }),
      matched: z.boolean(),
      detail: z.string(),
      checked_at: z.string(),
    })
    .nullable()
    .openapi({ description: "What this check saw; null when the domain was already verified (nothing is looked up)" }),
}).openapi("LinkDomainVerification", {
  example: {
    ...linkDomainExample,
    last_checked_at: "2026-11-25T08:05:00.000Z",
    check: {
      method: "dns",
      name: "_edgeref-challenge.try.acme.com",
      expected: exampleToken,
      found: [],
      matched: false,
      detail:
        "No TXT record at _edgeref-challenge.try.acme.com yet. Create it with the expected value; " +
        "DNS changes can take a few minutes to appear.",
      checked_at: "2026-11-25T08:05:00.000Z",
    },
  },
});

export const CreateLinkDomainBody = z
  .object({
    hostname: hostname.openapi({ example: "try.acme.com" }),
    cookie_domain: hostname
      .nullable()
      .optional()
      .openapi({ description: "The hostname or a parent of it", example: "acme.com" }),
  })
  .strict()
  .refine(
    (body) =>
      !body.cookie_domain || body.hostname === body.cookie_domain || body.hostname.endsWith(`.${body.cookie_domain}`),
    { path: ["cookie_domain"], message: "must be the hostname or a parent domain of it" },
  )
  // Browsers drop a cookie whose Domain is a public suffix (`com`, `co.uk`, `github.io`), so
  // tracking would fail silently: judged by the Public Suffix List, private section included.
  .refine(
    (body) =>
      !body.cookie_domain || getPublicSuffix(body.cookie_domain, { allowPrivateDomains: true }) !== body.cookie_domain,
    {
      path: ["cookie_domain"],
      message: "must be a domain you own such as acme.com, not a public suffix such as com or co.uk",
    },
  )
  .openapi("CreateLinkDomain", { example: { hostname: "try.acme.com", cookie_domain: "acme.com" } })
  .transform((body): NewLinkDomain => ({ hostname: body.hostname, cookieDomain: body.cookie_domain ?? null }));

const domainParam = idParam("domain_id", exampleId);

export const list = createRoute({
  method: "get",
  operationId: "listLinkDomains",
  path: "/v1/link-domains",
  tags,
  security,
  summary: "List link domains (every status)",
  responses: {
    200: jsonResponse(listOf(LinkDomainSchema, "LinkDomain", linkDomainExample), "The company's link domains"),
    ...errorResponses,
  },
});

export const create = createRoute({
  method: "post",
  operationId: "claimLinkDomain",
  path: "/v1/link-domains",
  tags,
  security,
  summary: "Claim a link domain (pending until verified by a DNS TXT record)",
  request: { body: jsonBody(CreateLinkDomainBody) },
  responses: {
    201: jsonResponse(LinkDomainSchema, "The new claim, with the TXT record to create"),
    ...errorResponses,
    ...conflictResponse,
  },
});

export const get = createRoute({
  method: "get",
  operationId: "getLinkDomain",
  path: "/v1/link-domains/{domain_id}",
  tags,
  security,
  summary: "A link domain and its verification record",
  request: { params: domainParam },
  responses: { 200: jsonResponse(LinkDomainSchema, "The link domain"), ...errorResponses },
});

export const verify = createRoute({
  method: "post",
  operationId: "verifyLinkDomain",
  path: "/v1/link-domains/{domain_id}/verify",
  tags,
  security,
  summary: "Check the TXT record now; verified when it holds the token",
  request: { params: domainParam },
  responses: {
    200: jsonResponse(LinkDomainVerificationSchema, "The domain (verified or still pending) and what the check found"),
    ...errorResponses,
    ...conflictResponse,
    ...problemResponses(503),
  },
});

export const remove = createRoute({
  method: "delete",
  operationId: "removeLinkDomain",
  path: "/v1/link-domains/{domain_id}",
  tags,
  security,
  summary: "Remove a link domain (a verified one stops serving links)",
  request: { params: domainParam },
  responses: {
    200: jsonResponse(deletedSchema("link_domain", exampleId), "Removed"),
    ...errorResponses,
  },
});
