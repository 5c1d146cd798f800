import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, deletedSchema, errorResponses, idParam, jsonBody, jsonResponse, listOf, security } from "../admin/schemas";
import { ATTRIBUTION_MODELS, PLANS } from "../db/schema";

const tags = ["Company"];

export const CompanySchema = z
  .object({
    id: z.string(),
    object: z.literal("company"),
    name: z.string(),
    slug: z.string(),
    plan: z.enum(PLANS),
    plan_limits: z.object({
      max_groups: z.number().int().nullable(),
      lead_submission: z.boolean(),
      deal_registration: z.boolean(),
      application_forms: z.boolean(),
    }),
    default_group_id: z.string().nullable(),
    terms_url: z.string().nullable(),
    fallback_url: z.string().nullable(),
    attribution_model: z.enum(ATTRIBUTION_MODELS),
    attribution_window_days: z.number().int(),
    click_id_param: z.string(),
    partner_key_param: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Company", {
    example: {
      id: "cmp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      object: "company",
      name: "Acme",
      slug: "acme",
      plan: "growth",
      plan_limits: { max_groups: 10, lead_submission: true, deal_registration: false, application_forms: true },
      default_group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      terms_url: "https://acme.com/partner-terms",
      fallback_url: "https://acme.com/partners",
      attribution_model: "last_click",
      attribution_window_days: 90,
      click_id_param: "ps_xid",
      partner_key_param: "ps_partner_key",
      created_at: "2026-11-25T08:00:00.000Z",
      updated_at: "2026-11-25T08:00:00.000Z",
    },
  });

const UpdateCompanyBody = z
  .object({
    name: z.string().min(1).max(200),
    fallback_url: z.string().max(2048).nullable().openapi({ description: "Where unknown slugs and disabled groups send visitors" }),
    terms_url: z.string().max(2048).nullable().openapi({ description: "Public https URL of the program terms" }),
    attribution_model: z.enum(ATTRIBUTION_MODELS),
    attribution_window_days: z.number().int().min(1).max(365).openapi({ description: "Also the tracking cookie's lifetime" }),
    click_id_param: z.string().min(1).max(40),
    partner_key_param: z.string().min(1).max(40),
    default_group_id: z.string().max(64).openapi({ description: "Where marketplace partners land" }),
  })
  .partial()
  .strict()
  .openapi("UpdateCompany", { example: { fallback_url: "https://acme.com/partners", attribution_window_days: 60 } });

const linkDomainExample = { id: "dom_01jd3k5qv0r8t2x7m9c4b6n1pz", object: "link_domain", hostname: "try.acme.com", cookie_domain: "acme.com", created_at: "2026-11-25T08:00:00.000Z" } as const;

export const LinkDomainSchema = z
  .object({
    id: z.string(),
    object: z.literal("link_domain"),
    hostname: z.string(),
    cookie_domain: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("LinkDomain", {
    example: linkDomainExample,
  });

const CreateLinkDomainBody = z
  .object({
    hostname: z.string().min(1).max(253).openapi({ example: "try.acme.com" }),
    cookie_domain: z.string().max(253).nullable().optional().openapi({ description: "The hostname or a parent of it", example: "acme.com" }),
  })
  .strict()
  .openapi("CreateLinkDomain", { example: { hostname: "try.acme.com", cookie_domain: "acme.com" } });

export const get = createRoute({
  method: "get",
  path: "/v1/company",
  tags,
  security,
  summary: "Your company's settings and plan",
  responses: { 200: jsonResponse(CompanySchema, "The company"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  path: "/v1/company",
  tags,
  security,
  summary: "Update company settings (the edge honours them on the next redirect)",
  request: { body: jsonBody(UpdateCompanyBody) },
  responses: { 200: jsonResponse(CompanySchema, "The updated company"), ...errorResponses },
});

export const listDomains = createRoute({
  method: "get",
  path: "/v1/link-domains",
  tags,
  security,
  summary: "List link domains",
  responses: { 200: jsonResponse(listOf(LinkDomainSchema, "LinkDomain", linkDomainExample), "The company's link domains"), ...errorResponses },
});

export const addDomain = createRoute({
  method: "post",
  path: "/v1/link-domains",
  tags,
  security,
  summary: "Add a link domain (a hostname partner links are served on)",
  request: { body: jsonBody(CreateLinkDomainBody) },
  responses: { 201: jsonResponse(LinkDomainSchema, "The new link domain"), ...errorResponses, ...conflictResponse },
});

export const removeDomain = createRoute({
  method: "delete",
  path: "/v1/link-domains/{domain_id}",
  tags,
  security,
  summary: "Remove a link domain",
  request: { params: idParam("domain_id", "dom_01jd3k5qv0r8t2x7m9c4b6n1pz") },
  responses: {
    200: jsonResponse(deletedSchema("link_domain", "dom_01jd3k5qv0r8t2x7m9c4b6n1pz"), "Removed"),
    ...errorResponses,
  },
});
