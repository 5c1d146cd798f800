import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import type * as routes from "./pipelines.routes";
import { addStage, getPipeline, removeStage, type Stage, updateFinalStage, updateStage } from "./service";

type StageView = { stage: Stage; position: number; entries: number };
type PipelineView = Awaited<ReturnType<typeof getPipeline>>;

export function serializeStage({ stage, position, entries }: StageView) {
  return {
    id: stage.id,
    object: "stage" as const,
    kind: stage.kind,
    name: stage.name,
    position,
    is_final: stage.isFinal,
    entries,
    created_at: iso(stage.createdAt)!,
    updated_at: iso(stage.updatedAt)!,
  };
}

export function serializePipeline(pipeline: PipelineView) {
  return {
    object: "pipeline" as const,
    group_id: pipeline.groupId,
    kind: pipeline.kind,
    stages: pipeline.stages.map(serializeStage),
    final_stage: pipeline.finalStage && {
      movers: pipeline.finalStage.movers,
      creates_customer: pipeline.finalStage.createsCustomer,
    },
  };
}

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { group_id, pipeline } = c.req.valid("param");
  return c.json(serializePipeline(await getPipeline(c.env, c.get("caller").companyId, group_id, pipeline)), 200);
};

export const finalStage: AdminHandler<typeof routes.updateFinalStage> = async (c) => {
  const { group_id } = c.req.valid("param");
  const pipeline = await updateFinalStage(c.env, c.get("caller").companyId, group_id, c.req.valid("json"));
  return c.json(serializePipeline(pipeline), 200);
};

export const add: AdminHandler<typeof routes.addStage> = async (c) => {
  const { group_id, pipeline } = c.req.valid("param");
  const stage = await addStage(c.env, c.get("caller").companyId, group_id, pipeline, c.req.valid("json"));
  return c.json(serializeStage(stage), 201);
};

export const update: AdminHandler<typeof routes.updateStage> = async (c) => {
  const { group_id, pipeline, stage_id } = c.req.valid("param");
  const stage = await updateStage(c.env, c.get("caller").companyId, group_id, pipeline, stage_id, c.req.valid("json"));
  return c.json(serializeStage(stage), 200);
};

export const remove: AdminHandler<typeof routes.removeStage> = async (c) => {
  const { group_id, pipeline, stage_id } = c.req.valid("param");
  const stage = await removeStage(c.env, c.get("caller").companyId, group_id, pipeline, stage_id);
  return c.json({ id: stage.id, object: "stage" as const, deleted: true as const }, 200);
};
