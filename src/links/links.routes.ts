import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  deletedSchema,
  errorResponses,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  security,
} from "../admin/schemas";
import { httpUrl, linkText } from "../lib/validation";
import type { DefaultLinkChanges, NewDefaultLink } from "./service";
import { CustomParamsInput, toUtmParams, UtmInput } from "./utm";

const tags = ["Default links"];
const GroupIdParam = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz");
const LinkIdParam = idParam("link_id", "lnk_01jd3k5qv0r8t2x7m9c4b6n1pz");

const defaultLinkExample = {
  id: "lnk_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "default_link",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  position: 2,
  is_original: false,
  title: "Pricing page",
  description: "Send readers straight to plans and prices.",
  destination_url: "https://acme.com/pricing",
  utm: { utm_source: "partner", utm_content: "pricing" },
  custom_params: {},
  lock_utms: false,
  link_text: "pricing",
  created_at: "2026-11-25T08:00:00.000Z",
  updated_at: "2026-11-25T08:00:00.000Z",
} as const;

export const DefaultLinkSchema = z
  .object({
    id: z.string(),
    object: z.literal("default_link"),
    group_id: z.string(),
    position: z.number().int().openapi({ description: "1 is the group's original link" }),
    is_original: z.boolean(),
    title: z.string(),
    description: z.string(),
    destination_url: z.string(),
    utm: z.record(z.string(), z.string()),
    custom_params: z.record(z.string(), z.string()),
    lock_utms: z.boolean().openapi({ description: "When true, a visitor's query cannot replace these parameters" }),
    link_text: z
      .string()
      .openapi({ description: "Suffix of partners' slugs (`jane-doe--pricing`); empty for the original; fixed" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("DefaultLink", {
    example: defaultLinkExample,
  });

const title = z.string().trim().min(1).max(100);
const description = z.string().trim().max(500);

export const CreateLinkBody = z
  .object({
    title: title.openapi({ example: "Pricing page" }),
    description: description.optional(),
    destination_url: httpUrl.openapi({ example: "https://acme.com/pricing" }),
    utm: UtmInput.optional(),
    custom_params: CustomParamsInput.optional(),
    lock_utms: z.boolean().optional(),
    link_text: linkText.openapi({ description: "Letters, digits and single dashes", example: "pricing" }),
  })
  .strict()
  .openapi("CreateDefaultLink", {
    example: {
      title: "Pricing page",
      destination_url: "https://acme.com/pricing",
      utm: { utm_source: "partner" },
      link_text: "pricing",
    },
  })
  .transform(
    (body): NewDefaultLink => ({
      title: body.title,
      description: body.description,
      destinationUrl: body.destination_url,
      utmParams: toUtmParams(body.utm, body.custom_params),
      lockUtms: body.lock_utms,
      linkText: body.link_text,
    }),
  );

export const UpdateLinkBody = z
  .object({
    title,
    description,
    destination_url: httpUrl,
    utm: UtmInput,
    custom_params: CustomParamsInput,
    lock_utms: z.boolean(),
    link_text: z
      .never({ error: "cannot be changed once created: partners' existing links would break" })
      .optional()
      .openapi({
        type: "string",
        readOnly: true,
        description: "Cannot be changed: sending it is a 422 naming this field",
      }),
  })
  .partial()
  .strict()
  .openapi("UpdateDefaultLink", {
    example: { destination_url: "https://acme.com/pricing/2027", utm: { utm_source: "partner" } },
  })
  .transform(
    (body): DefaultLinkChanges => ({
      title: body.title,
      description: body.description,
      destinationUrl: body.destination_url,
      utm: body.utm,
      customParams: body.custom_params,
      lockUtms: body.lock_utms,
    }),
  );

export const list = createRoute({
  method: "get",
  operationId: "listDefaultLinks",
  path: "/v1/groups/{group_id}/links",
  tags,
  security,
  summary: "List a group's default links",
  request: { params: GroupIdParam },
  responses: {
    200: jsonResponse(listOf(DefaultLinkSchema, "DefaultLink", defaultLinkExample), "The group's live default links"),
    ...errorResponses,
  },
});

export const create = createRoute({
  method: "post",
  operationId: "createDefaultLink",
  path: "/v1/groups/{group_id}/links",
  tags,
  security,
  summary: "Create a default link (at most 3 per group)",
  description: "Every partner of the group gets a slug `<partner_key>--<link_text>` for it. A 4th link is a 409.",
  request: { params: GroupIdParam, body: jsonBody(CreateLinkBody) },
  responses: { 201: jsonResponse(DefaultLinkSchema, "The new default link"), ...errorResponses, ...conflictResponse },
});

export const get = createRoute({
  method: "get",
  operationId: "getDefaultLink",
  path: "/v1/links/{link_id}",
  tags,
  security,
  summary: "Get a default link",
  request: { params: LinkIdParam },
  responses: { 200: jsonResponse(DefaultLinkSchema, "The default link"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  operationId: "updateDefaultLink",
  path: "/v1/links/{link_id}",
  tags,
  security,
  summary: "Edit a default link's title, description, destination or UTMs",
  description: "The link text cannot be changed (422 naming `link_text`). The next redirect uses the new values.",
  request: { params: LinkIdParam, body: jsonBody(UpdateLinkBody) },
  responses: { 200: jsonResponse(DefaultLinkSchema, "The updated default link"), ...errorResponses },
});

export const remove = createRoute({
  method: "delete",
  operationId: "deleteDefaultLink",
  path: "/v1/links/{link_id}",
  tags,
  security,
  summary: "Delete a default link (not the original)",
  description: "Partners' slugs for it then lead to the group's original link destination.",
  request: { params: LinkIdParam },
  responses: {
    200: jsonResponse(deletedSchema("default_link", "lnk_01jd3k5qv0r8t2x7m9c4b6n1pz"), "Deleted"),
    ...errorResponses,
    ...conflictResponse,
  },
});
