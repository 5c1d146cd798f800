// Leads and deals as the APIs answer them: with their stage and the form version they were made with.
import { iso } from "../admin/schemas";
import type { StorageEnv as Stores } from "../env";
import { serializeFormVersion } from "../forms/forms.handlers";
import { formVersionsByIds } from "../forms/service";
import { entryHistory, type PipelineEntry, type Stage, type StageMove, stagesByIds } from "./service";

export function serializeMove(move: StageMove) {
  return {
    id: move.id,
    from_stage: move.fromStageId ? { id: move.fromStageId, name: move.fromStageName ?? "" } : null,
    to_stage: { id: move.toStageId, name: move.toStageName },
    moved_by: { kind: move.actorKind, id: move.actorId },
    moved_at: iso(move.movedAt)!,
  };
}

const stageRef = (stage: Stage) => ({ id: stage.id, name: stage.name, is_final: stage.isFinal });

/** Entries with their stage and form version, loaded for the whole page at once. */
async function withContext(env: Stores, companyId: string, entries: PipelineEntry[]) {
  const [stages, versions] = await Promise.all([
    stagesByIds(
      env,
      companyId,
      entries.map((e) => e.stageId),
    ),
    formVersionsByIds(
      env,
      companyId,
      entries.map((e) => e.formVersionId),
    ),
  ]);
  return entries.map((entry) => ({
    entry,
    stage: stageRef(stages.get(entry.stageId)!),
    form: serializeFormVersion(versions.get(entry.formVersionId)!),
  }));
}

/** Leads or deals for the admin API; `history` only for a single one. */
async function adminViews(env: Stores, companyId: string, entries: PipelineEntry[], history: boolean) {
  const rows = await withContext(env, companyId, entries);
  return Promise.all(
    rows.map(async ({ entry, stage, form }) => ({
      entry,
      view: {
        id: entry.id,
        group_id: entry.groupId,
        partner_id: entry.partnerId,
        stage,
        values: entry.values,
        form,
        submitted_by: entry.submittedBy,
        ...(history ? { history: (await entryHistory(env, companyId, entry.id)).map(serializeMove) } : {}),
        created_at: iso(entry.createdAt)!,
        updated_at: iso(entry.updatedAt)!,
      },
    })),
  );
}

export async function serializeLeads(env: Stores, companyId: string, leads: PipelineEntry[], history = false) {
  return (await adminViews(env, companyId, leads, history)).map(({ view }) => ({ ...view, object: "lead" as const }));
}

export async function serializeDeals(env: Stores, companyId: string, deals: PipelineEntry[], history = false) {
  return (await adminViews(env, companyId, deals, history)).map(({ entry, view }) => ({
    ...view,
    object: "deal" as const,
    closed_at: iso(entry.closedAt),
    customer_id: entry.customerId,
  }));
}

/** A partner's own leads or deals, for the partner API. */
async function partnerViews(env: Stores, companyId: string, entries: PipelineEntry[]) {
  return (await withContext(env, companyId, entries)).map(({ entry, stage, form }) => ({
    entry,
    view: {
      id: entry.id,
      stage,
      values: entry.values,
      form,
      created_at: iso(entry.createdAt)!,
      updated_at: iso(entry.updatedAt)!,
    },
  }));
}

export async function serializePartnerLeads(env: Stores, companyId: string, leads: PipelineEntry[]) {
  return (await partnerViews(env, companyId, leads)).map(({ view }) => ({ ...view, object: "lead" as const }));
}

export async function serializePartnerDeals(env: Stores, companyId: string, deals: PipelineEntry[]) {
  return (await partnerViews(env, companyId, deals)).map(({ entry, view }) => ({
    ...view,
    object: "deal" as const,
    closed_at: iso(entry.closedAt),
  }));
}
