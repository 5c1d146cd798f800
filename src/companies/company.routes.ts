import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, security } from "../admin/schemas";
import { ATTRIBUTION_MODELS, PLANS } from "../db/schema";
import { companyName, httpUrl, objectId, publicHttpsUrl, queryParamName } from "../lib/validation";
import type { CompanyChanges } from "./service";

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

export const UpdateCompanyBody = z
  .object({
    name: companyName,
    fallback_url: httpUrl.nullable().openapi({ description: "Where unknown slugs and disabled groups send visitors" }),
    terms_url: publicHttpsUrl.nullable().openapi({ description: "Public https URL of the program terms" }),
    attribution_model: z.enum(ATTRIBUTION_MODELS),
    attribution_window_days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .openapi({ description: "Also the tracking cookie's lifetime" }),
    click_id_param: queryParamName,
    partner_key_param: queryParamName,
    default_group_id: objectId.openapi({ description: "Where marketplace partners land" }),
  })
  .partial()
  .strict()
  .openapi("UpdateCompany", { example: { fallback_url: "https://acme.com/partners", attribution_window_days: 60 } })
  .transform(
    (body): CompanyChanges => ({
      name: body.name,
      fallbackUrl: body.fallback_url,
      termsUrl: body.terms_url,
      attributionModel: body.attribution_model,
      attributionWindowDays: body.attribution_window_days,
      clickIdParam: body.click_id_param,
      partnerKeyParam: body.partner_key_param,
      defaultGroupId: body.default_group_id,
    }),
  );

export const get = createRoute({
  method: "get",
  operationId: "getCompany",
  path: "/v1/company",
  tags,
  security,
  summary: "Your company's settings and plan",
  responses: { 200: jsonResponse(CompanySchema, "The company"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  operationId: "updateCompany",
  path: "/v1/company",
  tags,
  security,
  summary: "Update company settings (the edge honours them on the next redirect)",
  request: { body: jsonBody(UpdateCompanyBody) },
  responses: { 200: jsonResponse(CompanySchema, "The updated company"), ...errorResponses },
});
