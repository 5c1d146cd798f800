// The partner API (`/partner/v1`): what a partner does with its own credential — read its group's
// lead and deal forms, submit leads, register and edit deals, and read only its own.
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
} from "../admin/schemas";
import { SubmissionValues } from "../applications/applications.routes";
import { FormSchema } from "../forms/forms.routes";
import { PIPELINE_KINDS } from "../lib/constants";
import { objectId } from "../lib/validation";
import {
  PartnerDealSchema,
  PartnerLeadSchema,
  partnerDealExample,
  partnerLeadExample,
  StageRefSchema,
} from "../pipelines/schemas";

const tags = ["Partner API"];
export const partnerSecurity = [{ partnerAuth: [] }];
const LeadIdParam = idParam("lead_id", "lead_01jd3k5qv0r8t2x7m9c4b6n1pz");
const DealIdParam = idParam("deal_id", "deal_01jd3k5qv0r8t2x7m9c4b6n1pz");
const KindParam = z.object({
  kind: z.enum(PIPELINE_KINDS).openapi({ param: { name: "kind", in: "path" }, example: "lead" }),
});

export const PartnerFormSchema = FormSchema.omit({ updated_at: true })
  .extend({
    stages: z
      .array(
        StageRefSchema.extend({ position: z.number().int() }).openapi("PartnerStage", {
          example: { id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz", name: "New", is_final: false, position: 1 },
        }),
      )
      .openapi({
        description: "The pipeline's stages, in order (a deal in the final stage is closed)",
      }),
  })
  .openapi("PartnerForm", {
    example: {
      object: "form",
      group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      kind: "lead",
      enabled: true,
      version: 1,
      title: "Submit a lead",
      description: "",
      fields: [
        {
          key: "company_name",
          label: "Company name",
          type: "text",
          required: true,
          options: [],
          help_text: null,
          placeholder: null,
        },
      ],
      stages: [{ id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz", name: "New", is_final: false, position: 1 }],
    },
  });

const ValuesBody = (name: string) =>
  z
    .object({ values: SubmissionValues })
    .strict()
    .openapi(name, {
      example: {
        values: { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "hank@globex.example" },
      },
    });

export const SubmitLeadBody = ValuesBody("SubmitLead");
export const RegisterOwnDealBody = ValuesBody("RegisterOwnDeal");
export const UpdateOwnDealBody = z
  .object({ values: SubmissionValues })
  .strict()
  .openapi("UpdateOwnDeal", {
    example: { values: { deal_value: 25000, expected_close_date: "2026-12-15" } },
  });
export const MoveOwnDealBody = z
  .object({ stage_id: objectId.openapi({ example: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz" }) })
  .strict()
  .openapi("MoveOwnDeal", { example: { stage_id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz" } })
  .transform((body) => ({ stageId: body.stage_id }));

const base = { tags, security: partnerSecurity };

export const getForm = createRoute({
  ...base,
  method: "get",
  operationId: "partnerGetForm",
  path: "/partner/v1/forms/{kind}",
  summary: "The lead or deal form of your group, with its pipeline's stages",
  request: { params: KindParam },
  responses: { 200: jsonResponse(PartnerFormSchema, "The form"), ...errorResponses },
});

export const submitLead = createRoute({
  ...base,
  method: "post",
  operationId: "partnerSubmitLead",
  path: "/partner/v1/leads",
  summary: "Submit a lead (it cannot be edited afterwards)",
  request: { body: jsonBody(SubmitLeadBody) },
  responses: { 201: jsonResponse(PartnerLeadSchema, "The lead"), ...errorResponses, ...conflictResponse },
});

export const listLeads = createRoute({
  ...base,
  method: "get",
  operationId: "partnerListLeads",
  path: "/partner/v1/leads",
  summary: "Your leads",
  request: { query: PaginationQuery },
  responses: {
    200: jsonResponse(listOf(PartnerLeadSchema, "PartnerLead", partnerLeadExample), "A page of your leads"),
    ...errorResponses,
  },
});

export const getLead = createRoute({
  ...base,
  method: "get",
  operationId: "partnerGetLead",
  path: "/partner/v1/leads/{lead_id}",
  summary: "One of your leads",
  request: { params: LeadIdParam },
  responses: { 200: jsonResponse(PartnerLeadSchema, "The lead"), ...errorResponses },
});

export const registerDeal = createRoute({
  ...base,
  method: "post",
  operationId: "partnerRegisterDeal",
  path: "/partner/v1/deals",
  summary: "Register a deal you are closing",
  request: { body: jsonBody(RegisterOwnDealBody) },
  responses: { 201: jsonResponse(PartnerDealSchema, "The deal"), ...errorResponses, ...conflictResponse },
});

export const listDeals = createRoute({
  ...base,
  method: "get",
  operationId: "partnerListDeals",
  path: "/partner/v1/deals",
  summary: "Your deals",
  request: { query: PaginationQuery },
  responses: {
    200: jsonResponse(listOf(PartnerDealSchema, "PartnerDeal", partnerDealExample), "A page of your deals"),
    ...errorResponses,
  },
});

export const getDeal = createRoute({
  ...base,
  method: "get",
  operationId: "partnerGetDeal",
  path: "/partner/v1/deals/{deal_id}",
  summary: "One of your deals",
  request: { params: DealIdParam },
  responses: { 200: jsonResponse(PartnerDealSchema, "The deal"), ...errorResponses },
});

export const updateDeal = createRoute({
  ...base,
  method: "patch",
  operationId: "partnerUpdateDeal",
  path: "/partner/v1/deals/{deal_id}",
  summary: "Edit one of your open deals",
  description:
    "The values sent replace the deal's (`null` clears an optional one); the whole is checked by the " +
    "deal's form version. A closed deal is a 409 `deal-closed`.",
  request: { params: DealIdParam, body: jsonBody(UpdateOwnDealBody) },
  responses: { 200: jsonResponse(PartnerDealSchema, "The deal"), ...errorResponses, ...conflictResponse },
});

export const moveDeal = createRoute({
  ...base,
  method: "post",
  operationId: "partnerMoveDeal",
  path: "/partner/v1/deals/{deal_id}/move",
  summary: "Move one of your open deals to another stage",
  description: "Into the final stage only when the company lets partners (else 403 `final-stage-company-only`).",
  request: { params: DealIdParam, body: jsonBody(MoveOwnDealBody) },
  responses: {
    200: jsonResponse(PartnerDealSchema, "The deal"),
    ...errorResponses,
    ...forbiddenResponse,
    ...conflictResponse,
  },
});
