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
import { objectId } from "../lib/validation";
import { LeadSchema, leadExample } from "../pipelines/schemas";

const tags = ["Leads"];
export const LeadIdParam = idParam("lead_id", "lead_01jd3k5qv0r8t2x7m9c4b6n1pz");

export const EntriesQuery = PaginationQuery.extend({
  group_id: objectId.optional().openapi({ description: "Only this group's" }),
  partner_id: objectId.optional().openapi({ description: "Only this partner's" }),
  stage_id: objectId.optional().openapi({ description: "Only those in this stage" }),
});

export const MoveBody = z
  .object({ stage_id: objectId.openapi({ example: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz" }) })
  .strict()
  .openapi("MoveLead", { example: { stage_id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz" } })
  .transform((body) => ({ stageId: body.stage_id }));

export const list = createRoute({
  method: "get",
  operationId: "listLeads",
  path: "/v1/leads",
  tags,
  security,
  summary: "List leads partners submitted",
  request: { query: EntriesQuery },
  responses: {
    200: jsonResponse(listOf(LeadSchema, "Lead", { ...leadExample, history: undefined }), "A page of leads"),
    ...errorResponses,
  },
});

export const get = createRoute({
  method: "get",
  operationId: "getLead",
  path: "/v1/leads/{lead_id}",
  tags,
  security,
  summary: "Get a lead, with its form version and its history of stages",
  request: { params: LeadIdParam },
  responses: { 200: jsonResponse(LeadSchema, "The lead"), ...errorResponses },
});

export const move = createRoute({
  method: "post",
  operationId: "moveLead",
  path: "/v1/leads/{lead_id}/move",
  tags,
  security,
  summary: "Move a lead to another stage of its pipeline (recorded in its history)",
  request: { params: LeadIdParam, body: jsonBody(MoveBody) },
  responses: { 200: jsonResponse(LeadSchema, "The lead, with its history"), ...errorResponses, ...conflictResponse },
});
