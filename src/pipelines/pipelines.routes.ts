import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  deletedSchema,
  errorResponses,
  idParam,
  jsonBody,
  jsonResponse,
  security,
} from "../admin/schemas";
import { FINAL_STAGE_MOVERS, PIPELINE_KINDS } from "../lib/constants";
import { isWellFormed } from "../lib/unicode";
import { objectId } from "../lib/validation";
import { PipelineSchema, StageSchema } from "./schemas";
import { MAX_STAGES } from "./service";

const tags = ["Pipelines"];
const GroupIdParam = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz");
const PipelineParams = GroupIdParam.extend({
  pipeline: z.enum(PIPELINE_KINDS).openapi({ param: { name: "pipeline", in: "path" }, example: "lead" }),
});
const StageParams = PipelineParams.extend({
  stage_id: objectId.openapi({ param: { name: "stage_id", in: "path" }, example: "stg_01jd3k5qv0r8t2x7m9c4b6n1pz" }),
});

const stageName = z.string().trim().min(1).max(100).refine(isWellFormed, "must be valid Unicode text");
const position = z.number().int().min(1).max(MAX_STAGES).openapi({ description: "1 is the first stage" });

export const AddStageBody = z
  .object({
    name: stageName.openapi({ example: "Demo booked" }),
    position: position
      .optional()
      .openapi({ description: "The end when absent (before a deal pipeline's final stage)" }),
  })
  .strict()
  .openapi("AddStage", { example: { name: "Demo booked", position: 2 } });

export const UpdateStageBody = z
  .object({ name: stageName, position })
  .partial()
  .strict()
  .openapi("UpdateStage", { example: { name: "Qualified by sales", position: 2 } });

export const UpdateFinalStageBody = z
  .object({
    movers: z.enum(FINAL_STAGE_MOVERS).openapi({ description: "Who may move a deal into the final stage" }),
    creates_customer: z.boolean().openapi({
      description: "Whether closing a deal creates a customer of its partner and group (a signup in the stats)",
    }),
  })
  .partial()
  .strict()
  .openapi("UpdateFinalStage", { example: { movers: "partners", creates_customer: true } })
  .transform((body) => ({ movers: body.movers, createsCustomer: body.creates_customer }));

export const get = createRoute({
  method: "get",
  operationId: "getPipeline",
  path: "/v1/groups/{group_id}/pipelines/{pipeline}",
  tags,
  security,
  summary: "A group's lead or deal pipeline: its stages in order",
  request: { params: PipelineParams },
  responses: { 200: jsonResponse(PipelineSchema, "The pipeline"), ...errorResponses },
});

export const updateFinalStage = createRoute({
  method: "patch",
  operationId: "updateDealFinalStage",
  path: "/v1/groups/{group_id}/pipelines/deal/final-stage",
  tags,
  security,
  summary: "How the deal pipeline's final stage works: who may close deals, and what closing creates",
  request: { params: GroupIdParam, body: jsonBody(UpdateFinalStageBody) },
  responses: { 200: jsonResponse(PipelineSchema, "The deal pipeline"), ...errorResponses },
});

export const addStage = createRoute({
  method: "post",
  operationId: "addStage",
  path: "/v1/groups/{group_id}/pipelines/{pipeline}/stages",
  tags,
  security,
  summary: "Add a stage",
  request: { params: PipelineParams, body: jsonBody(AddStageBody) },
  responses: { 201: jsonResponse(StageSchema, "The new stage"), ...errorResponses, ...conflictResponse },
});

export const updateStage = createRoute({
  method: "patch",
  operationId: "updateStage",
  path: "/v1/groups/{group_id}/pipelines/{pipeline}/stages/{stage_id}",
  tags,
  security,
  summary: "Rename or move a stage (the deal pipeline's final stage stays last)",
  request: { params: StageParams, body: jsonBody(UpdateStageBody) },
  responses: { 200: jsonResponse(StageSchema, "The stage"), ...errorResponses },
});

export const removeStage = createRoute({
  method: "delete",
  operationId: "removeStage",
  path: "/v1/groups/{group_id}/pipelines/{pipeline}/stages/{stage_id}",
  tags,
  security,
  summary: "Remove an empty stage",
  description: "A stage holding leads or deals is a 409 `stage-not-empty`; the final deal stage stays.",
  request: { params: StageParams },
  responses: {
    200: jsonResponse(deletedSchema("stage", "stg_01jd3k5qv0r8t2x7m9c4b6n1pz"), "The stage is removed"),
    ...errorResponses,
    ...conflictResponse,
  },
});
