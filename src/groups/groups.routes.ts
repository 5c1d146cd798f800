import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  forbiddenResponse,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuery,
  security,
} from "../admin/schemas";
import { httpUrl, publicHttpsUrl } from "../lib/validation";
import { CustomParamsInput, toUtmParams, UtmInput } from "../links/utm";
import type { GroupChanges, NewGroup } from "./service";

const tags = ["Groups"];
const GroupIdParam = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz");

export const GroupStatsSchema = z
  .object({
    partners: z.number().int(),
    clicks: z.number().int(),
    signups_paid: z.number().int(),
    signups_unpaid: z.number().int(),
    revenue_usd_cents: z.number().int(),
    refreshed_at: z
      .string()
      .nullable()
      .openapi({ description: "When the hourly rollup last ran; null before the first one" }),
  })
  .openapi("GroupStats");

const groupExample = {
  id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "group",
  name: "Affiliates",
  slug: "affiliates",
  program_page_url: "https://admin.edgeref.example/programs/acme/affiliates",
  is_default: true,
  referral_links_enabled: true,
  terms_url: null,
  effective_terms_url: "https://acme.com/partner-terms",
  features: { lead_submission: false, deal_registration: false, application_form: false },
  archived_at: null,
  offers_count: 2,
  created_at: "2026-11-25T08:00:00.000Z",
  updated_at: "2026-11-25T08:00:00.000Z",
  stats: {
    partners: 12,
    clicks: 3400,
    signups_paid: 7,
    signups_unpaid: 21,
    revenue_usd_cents: 129900,
    refreshed_at: "2026-11-25T08:00:03.000Z",
  },
} as const;

export const GroupSchema = z
  .object({
    id: z.string(),
    object: z.literal("group"),
    name: z.string(),
    slug: z.string().openapi({ description: "Slug of the public program page; follows the name" }),
    program_page_url: z.string(),
    is_default: z.boolean().openapi({ description: "Marketplace partners land in the company's default group" }),
    referral_links_enabled: z.boolean(),
    terms_url: z.string().nullable(),
    effective_terms_url: z.string().nullable().openapi({ description: "The group's terms URL, else the company's" }),
    features: z.object({ lead_submission: z.boolean(), deal_registration: z.boolean(), application_form: z.boolean() }),
    archived_at: z.string().nullable(),
    offers_count: z
      .number()
      .int()
      .openapi({ description: "Active offers of the group (0: nothing for partners to earn yet)" }),
    created_at: z.string(),
    updated_at: z.string(),
    stats: GroupStatsSchema,
  })
  .openapi("Group", {
    example: groupExample,
  });

const groupName = z.string().trim().min(1).max(100);
const GroupFeatures = z
  .object({ lead_submission: z.boolean(), deal_registration: z.boolean(), application_form: z.boolean() })
  .partial()
  .strict();

export const CreateGroupBody = z
  .object({
    name: groupName.openapi({ example: "Affiliates" }),
    destination_url: httpUrl.openapi({ example: "https://acme.com/signup" }),
    utm: UtmInput.optional(),
    custom_params: CustomParamsInput.optional(),
  })
  .strict()
  .openapi("CreateGroup", {
    example: {
      name: "Affiliates",
      destination_url: "https://acme.com/signup",
      utm: { utm_source: "partner", utm_campaign: "{partner_key}" },
    },
  })
  .transform(
    (body): NewGroup => ({
      name: body.name,
      destinationUrl: body.destination_url,
      utmParams: toUtmParams(body.utm, body.custom_params),
    }),
  );

export const UpdateGroupBody = z
  .object({
    name: groupName,
    terms_url: publicHttpsUrl.nullable().openapi({ description: "Public https URL; overrides the company's terms" }),
    referral_links_enabled: z.boolean(),
    features: GroupFeatures,
  })
  .partial()
  .strict()
  .openapi("UpdateGroup", { example: { name: "Premium affiliates", terms_url: "https://acme.com/terms/premium" } })
  .transform(
    (body): GroupChanges => ({
      name: body.name,
      termsUrl: body.terms_url,
      referralLinksEnabled: body.referral_links_enabled,
      leadSubmissionEnabled: body.features?.lead_submission,
      dealRegistrationEnabled: body.features?.deal_registration,
      applicationFormEnabled: body.features?.application_form,
    }),
  );

export const list = createRoute({
  method: "get",
  operationId: "listGroups",
  path: "/v1/groups",
  tags,
  security,
  summary: "List groups, each with its latest stats",
  request: { query: PaginationQuery },
  responses: { 200: jsonResponse(listOf(GroupSchema, "Group", groupExample), "A page of groups"), ...errorResponses },
});

export const create = createRoute({
  method: "post",
  operationId: "createGroup",
  path: "/v1/groups",
  tags,
  security,
  summary: "Create a group (and its original default link)",
  request: { body: jsonBody(CreateGroupBody) },
  responses: {
    201: jsonResponse(GroupSchema, "The new group"),
    ...errorResponses,
    ...forbiddenResponse,
    ...conflictResponse,
  },
});

export const get = createRoute({
  method: "get",
  operationId: "getGroup",
  path: "/v1/groups/{group_id}",
  tags,
  security,
  summary: "Get a group",
  request: { params: GroupIdParam },
  responses: { 200: jsonResponse(GroupSchema, "The group"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  operationId: "updateGroup",
  path: "/v1/groups/{group_id}",
  tags,
  security,
  summary: "Update a group's settings (name, terms, referral links, features)",
  description: "Renaming changes the public program page slug; the old page URL keeps redirecting to the new one.",
  request: { params: GroupIdParam, body: jsonBody(UpdateGroupBody) },
  responses: {
    200: jsonResponse(GroupSchema, "The updated group"),
    ...errorResponses,
    ...forbiddenResponse,
    ...conflictResponse,
  },
});

export const archive = createRoute({
  method: "post",
  operationId: "archiveGroup",
  path: "/v1/groups/{group_id}/archive",
  tags,
  security,
  summary: "Archive a group",
  description: "Its partner links then lead to the company's fallback. The default group cannot be archived.",
  request: { params: GroupIdParam },
  responses: { 200: jsonResponse(GroupSchema, "The archived group"), ...errorResponses, ...conflictResponse },
});
