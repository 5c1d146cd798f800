import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuery,
  security,
} from "../admin/schemas";
import { email, objectId, partnerKey } from "../lib/validation";
import { type NewPartner, PARTNER_STATUSES, type PartnerChanges } from "./service";

const tags = ["Partners"];
const PartnerIdParam = idParam("partner_id", "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz");

const partnerExample = {
  id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "partner",
  partner_key: "jane-doe",
  email: "jane@example.com",
  first_name: "Jane",
  last_name: "Doe",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  status: "active",
  created_at: "2026-11-25T08:00:00.000Z",
  updated_at: "2026-11-25T08:00:00.000Z",
} as const;

export const PartnerSchema = z
  .object({
    id: z.string(),
    object: z.literal("partner"),
    partner_key: z.string(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    group_id: z.string(),
    status: z.enum(PARTNER_STATUSES),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Partner", {
    example: partnerExample,
  });

const partnerLinkExample = {
  object: "partner_link",
  default_link_id: "lnk_01jd3k5qv0r8t2x7m9c4b6n1pz",
  position: 2,
  title: "Pricing page",
  slug: "jane-doe--pricing",
  url: "https://try.acme.com/jane-doe--pricing",
} as const;

export const PartnerLinkSchema = z
  .object({
    object: z.literal("partner_link"),
    default_link_id: z.string(),
    position: z.number().int(),
    title: z.string(),
    slug: z.string(),
    url: z.string().nullable().openapi({ description: "On the company's first link domain; null without one" }),
  })
  .openapi("PartnerLink", {
    example: partnerLinkExample,
  });

const personName = z.string().trim().min(1).max(100);

export const CreatePartnerBody = z
  .object({
    email: email.openapi({ example: "jane@example.com" }),
    first_name: personName.openapi({ example: "Jane" }),
    last_name: personName.openapi({ example: "Doe" }),
    partner_key: partnerKey
      .optional()
      .openapi({ description: "Generated from the name when absent", example: "jane-doe" }),
    group_id: objectId.optional().openapi({ description: "Defaults to the company's default group" }),
  })
  .strict()
  .openapi("CreatePartner", { example: { email: "jane@example.com", first_name: "Jane", last_name: "Doe" } })
  .transform(
    (body): NewPartner => ({
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      partnerKey: body.partner_key,
      groupId: body.group_id,
    }),
  );

export const UpdatePartnerBody = z
  .object({
    email,
    first_name: personName,
    last_name: personName,
    partner_key: partnerKey.openapi({ description: "Existing slugs keep the old key; new links use this one" }),
    group_id: objectId.openapi({
      description: "Moves the partner: existing slugs lead to the new group's destinations",
    }),
    status: z.enum(PARTNER_STATUSES),
  })
  .partial()
  .strict()
  .openapi("UpdatePartner", { example: { group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz" } })
  .transform(
    (body): PartnerChanges => ({
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      partnerKey: body.partner_key,
      groupId: body.group_id,
      status: body.status,
    }),
  );

export const ListPartnersQuery = PaginationQuery.extend({
  group_id: objectId.optional().openapi({ description: "Only this group's partners" }),
});

export const list = createRoute({
  method: "get",
  operationId: "listPartners",
  path: "/v1/partners",
  tags,
  security,
  summary: "List partners",
  request: { query: ListPartnersQuery },
  responses: {
    200: jsonResponse(listOf(PartnerSchema, "Partner", partnerExample), "A page of partners"),
    ...errorResponses,
  },
});

export const create = createRoute({
  method: "post",
  operationId: "createPartner",
  path: "/v1/partners",
  tags,
  security,
  summary: "Create a partner (and their links)",
  request: { body: jsonBody(CreatePartnerBody) },
  responses: { 201: jsonResponse(PartnerSchema, "The new partner"), ...errorResponses, ...conflictResponse },
});

export const get = createRoute({
  method: "get",
  operationId: "getPartner",
  path: "/v1/partners/{partner_id}",
  tags,
  security,
  summary: "Get a partner",
  request: { params: PartnerIdParam },
  responses: { 200: jsonResponse(PartnerSchema, "The partner"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  operationId: "updatePartner",
  path: "/v1/partners/{partner_id}",
  tags,
  security,
  summary: "Update or move a partner",
  request: { params: PartnerIdParam, body: jsonBody(UpdatePartnerBody) },
  responses: { 200: jsonResponse(PartnerSchema, "The updated partner"), ...errorResponses, ...conflictResponse },
});

export const links = createRoute({
  method: "get",
  operationId: "listPartnerLinks",
  path: "/v1/partners/{partner_id}/links",
  tags,
  security,
  summary: "A partner's referral links, as full URLs",
  request: { params: PartnerIdParam },
  responses: {
    200: jsonResponse(
      listOf(PartnerLinkSchema, "PartnerLink", partnerLinkExample),
      "One link per live default link of the partner's group",
    ),
    ...errorResponses,
  },
});
