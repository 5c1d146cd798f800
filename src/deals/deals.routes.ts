import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, errorResponses, idParam, jsonBody, jsonResponse, listOf, security } from "../admin/schemas";
import { SubmissionValues } from "../applications/applications.routes";
import { EntriesQuery } from "../leads/leads.routes";
import { objectId } from "../lib/validation";
import { DealSchema, dealExample } from "../pipelines/schemas";
import type { DealMove } from "./service";

const tags = ["Deals"];
const DealIdParam = idParam("deal_id", "deal_01jd3k5qv0r8t2x7m9c4b6n1pz");

export const RegisterDealBody = z
  .object({
    partner_id: objectId.openapi({ description: "The partner the deal is registered for" }),
    values: SubmissionValues,
  })
  .strict()
  .openapi("RegisterDeal", {
    example: {
      partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
      values: { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "hank@globex.example" },
    },
  })
  .transform((body) => ({ partnerId: body.partner_id, values: body.values }));

export const MoveDealBody = z
  .object({
    stage_id: objectId.openapi({ example: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz" }),
    customer_key: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "Closing: the key of the customer it creates (default `deal:<deal id>`)" }),
  })
  .strict()
  .openapi("MoveDeal", { example: { stage_id: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz", customer_key: "acct_4711" } })
  .transform((body): DealMove => ({ stageId: body.stage_id, customerKey: body.customer_key }));

export const list = createRoute({
  method: "get",
  operationId: "listDeals",
  path: "/v1/deals",
  tags,
  security,
  summary: "List deals",
  request: { query: EntriesQuery },
  responses: {
    200: jsonResponse(listOf(DealSchema, "Deal", { ...dealExample, history: undefined }), "A page of deals"),
    ...errorResponses,
  },
});

export const register = createRoute({
  method: "post",
  operationId: "registerDeal",
  path: "/v1/deals",
  tags,
  security,
  summary: "Register a deal for a partner",
  description: "In the partner's current group, whose deal registration must be on; validated by its deal form.",
  request: { body: jsonBody(RegisterDealBody) },
  responses: { 201: jsonResponse(DealSchema, "The deal"), ...errorResponses, ...conflictResponse },
});

export const get = createRoute({
  method: "get",
  operationId: "getDeal",
  path: "/v1/deals/{deal_id}",
  tags,
  security,
  summary: "Get a deal, with its form version and its history of stages",
  request: { params: DealIdParam },
  responses: { 200: jsonResponse(DealSchema, "The deal"), ...errorResponses },
});

export const move = createRoute({
  method: "post",
  operationId: "moveDeal",
  path: "/v1/deals/{deal_id}/move",
  tags,
  security,
  summary: "Move a deal to another stage; into the final stage it closes",
  description:
    "Closing a deal can create a customer of its partner and group (pipeline setting `final_stage`). " +
    "A closed deal does not move (409 `deal-closed`).",
  request: { params: DealIdParam, body: jsonBody(MoveDealBody) },
  responses: { 200: jsonResponse(DealSchema, "The deal, with its history"), ...errorResponses, ...conflictResponse },
});
