// Lead and deal pipelines: a group's stages of each kind, and the entries (leads, deals) that move
// through them with a history of moves. The leads and deals services add their own rules (who may
// move what, what closing a deal does) on top of these. Every stage an entry enters (its first one
// included) is evaluated against the group's offers in the move's own batch (rewards/ingest.ts).
import { and, asc, desc, eq, gt, inArray, isNull, lt } from "drizzle-orm";
import { database } from "../db/client";
import { deals, leads, pipelineStages, stageMoves } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { parseSubmission } from "../forms/fields";
import { currentVersion, finalStageSettingsStatement, formSettings, formVersionById } from "../forms/service";
import { formEnabled, getGroup, isOwnGroup } from "../groups/service";
import type { FinalStageMovers, PipelineKind } from "../lib/constants";
import { ApiError, problems } from "../lib/errors";
import { newId, sqlId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { isOwnPartner } from "../partners/service";
import { type RulesInEffect, rulesInEffect, stageRewardStatements } from "../rewards/ingest";

export type Stage = typeof pipelineStages.$inferSelect;
export type StageMove = typeof stageMoves.$inferSelect;
/** A lead or a deal (a lead has no `closedAt` and `customerId`). */
export type PipelineEntry = typeof deals.$inferSelect;

/** Who acts: a partner through the partner API, or the company (its API key). */
export interface Actor {
  kind: "partner" | "company";
  /** The partner id, or the API key id. */
  id: string;
}

const TABLES = { lead: leads, deal: deals } as const;
const TABLE_NAMES = { lead: "leads", deal: "deals" } as const;
const ENTRY_NAMES = { lead: "lead", deal: "deal" } as const;
/** Stages a pipeline may hold (live ones). */
export const MAX_STAGES = 20;

// ---- Stages -----------------------------------------------------------------------------------

/** A group's live stages of a kind, in order (the deal pipeline's final stage last). */
export async function listStages(env: Stores, companyId: string, groupId: string, kind: PipelineKind) {
  return database(env.DB)
    .select()
    .from(pipelineStages)
    .where(
      and(
        eq(pipelineStages.companyId, companyId),
        eq(pipelineStages.groupId, groupId),
        eq(pipelineStages.kind, kind),
        isNull(pipelineStages.removedAt),
      ),
    )
    .orderBy(asc(pipelineStages.position), asc(pipelineStages.id));
}

/** Stages by id, removed ones included (for histories and entries). */
export async function stagesByIds(env: Stores, companyId: string, ids: string[]) {
  const unique = [...new Set(ids)];
  const found = new Map<string, Stage>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await database(env.DB)
      .select()
      .from(pipelineStages)
      .where(and(eq(pipelineStages.companyId, companyId), inArray(pipelineStages.id, unique.slice(i, i + 90))));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

/** A live stage of this group's pipeline; `field` names it in the 422 otherwise. */
export async function liveStage(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: PipelineKind,
  stageId: string,
  field = "stage_id",
) {
  const stage = (await listStages(env, companyId, groupId, kind)).find((s) => s.id === stageId);
  if (!stage) throw problems.validation([{ field, message: `no stage with this id in the ${kind} pipeline` }]);
  return stage;
}

/** A pipeline as the admin API shows it: its live stages, each with how many entries it holds. */
export async function getPipeline(env: Stores, companyId: string, groupId: string, kind: PipelineKind) {
  await getGroup(env, companyId, groupId);
  const [stages, counts, settings] = await Promise.all([
    listStages(env, companyId, groupId, kind),
    env.DB.prepare(`SELECT stage_id, count(*) AS n FROM ${TABLE_NAMES[kind]} WHERE group_id = ?1 GROUP BY stage_id`)
      .bind(groupId)
      .all<{ stage_id: string; n: number }>(),
    kind === "deal" ? formSettings(env, companyId, groupId, "deal") : Promise.resolve(null),
  ]);
  const entries = new Map(counts.results.map((row) => [row.stage_id, row.n]));
  return {
    groupId,
    kind,
    stages: stages.map((stage, index) => ({ stage, position: index + 1, entries: entries.get(stage.id) ?? 0 })),
    finalStage: settings && {
      movers: settings.finalStageMovers,
      createsCustomer: settings.closingCreatesCustomer,
    },
  };
}

export interface FinalStageSettings {
  movers?: FinalStageMovers;
  createsCustomer?: boolean;
}

/** The deal pipeline's final-stage rules: who may move a deal there, and whether closing creates a customer. */
export async function updateFinalStage(env: Stores, companyId: string, groupId: string, input: FinalStageSettings) {
  await getGroup(env, companyId, groupId);
  await finalStageSettingsStatement(env, companyId, groupId, {
    finalStageMovers: input.movers,
    closingCreatesCustomer: input.createsCustomer,
  }).run();
  return getPipeline(env, companyId, groupId, "deal");
}

/**
 * Adds a stage at `position` (1-based; the end when absent). A deal pipeline's final stage stays
 * last: a new stage goes before it at the latest.
 */
export async function addStage(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: PipelineKind,
  input: { name: string; position?: number },
) {
  await getGroup(env, companyId, groupId);
  const stages = await listStages(env, companyId, groupId, kind);
  if (stages.length >= MAX_STAGES)
    throw problems.validation([{ field: "name", message: `a pipeline holds at most ${MAX_STAGES} stages` }]);
  assertNameFree(stages, input.name);
  const movable = stages.filter((s) => !s.isFinal);
  const at = Math.min((input.position ?? movable.length + 1) - 1, movable.length);
  const now = Date.now();
  const stage: Stage = {
    id: newId("stage", now),
    companyId,
    groupId,
    kind,
    name: input.name,
    position: 0,
    isFinal: false,
    removedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const ordered = [...movable.slice(0, at), stage, ...movable.slice(at), ...stages.filter((s) => s.isFinal)];
  const insert = database(env.DB).insert(pipelineStages).values(stage).toSQL();
  await env.DB.batch([env.DB.prepare(insert.sql).bind(...insert.params), ...positionStatements(env, ordered, now)]);
  return stageView(env, companyId, groupId, kind, stage.id);
}

/** Renames or moves a stage; the deal pipeline's final stage stays last. */
export async function updateStage(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: PipelineKind,
  stageId: string,
  input: { name?: string; position?: number },
) {
  await getGroup(env, companyId, groupId);
  const stages = await listStages(env, companyId, groupId, kind);
  const stage = stages.find((s) => s.id === stageId);
  if (!stage) throw problems.notFound("stage", stageId);
  if (input.name !== undefined && input.name !== stage.name) assertNameFree(stages, input.name, stageId);
  const now = Date.now();
  const writes: D1PreparedStatement[] = [];
  if (input.name !== undefined) {
    writes.push(
      env.DB.prepare("UPDATE pipeline_stages SET name = ?1, updated_at = ?2 WHERE id = ?3").bind(
        input.name,
        now,
        stageId,
      ),
    );
  }
  if (input.position !== undefined) {
    if (stage.isFinal && input.position !== stages.length)
      throw problems.validation([{ field: "position", message: "the final stage stays the last one" }]);
    const movable = stages.filter((s) => !s.isFinal && s.id !== stageId);
    const at = Math.min(input.position - 1, movable.length);
    const ordered = stage.isFinal
      ? stages
      : [...movable.slice(0, at), stage, ...movable.slice(at), ...stages.filter((s) => s.isFinal)];
    writes.push(...positionStatements(env, ordered, now));
  }
  if (writes.length) await env.DB.batch(writes);
  return stageView(env, companyId, groupId, kind, stageId);
}

/**
 * Removes an empty stage (kept for the history of moves). A stage still holding leads or deals is a
 * 409, checked inside the write so a move into it meanwhile cannot be lost; the deal pipeline's
 * final stage, and a pipeline's only stage, stay.
 */
export async function removeStage(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: PipelineKind,
  stageId: string,
) {
  await getGroup(env, companyId, groupId);
  const stages = await listStages(env, companyId, groupId, kind);
  const stage = stages.find((s) => s.id === stageId);
  if (!stage) throw problems.notFound("stage", stageId);
  if (stage.isFinal)
    throw new ApiError(PROBLEMS.stageRequired, "The deal pipeline's final stage cannot be removed; rename it instead.");
  if (stages.filter((s) => !s.isFinal).length === 1)
    throw new ApiError(PROBLEMS.stageRequired, "New leads and deals start in the first stage: keep at least one.");
  const removed = await env.DB.prepare(
    `UPDATE pipeline_stages SET removed_at = ?1, updated_at = ?1
     WHERE id = ?2 AND removed_at IS NULL AND NOT EXISTS (SELECT 1 FROM ${TABLE_NAMES[kind]} WHERE stage_id = ?2)`,
  )
    .bind(Date.now(), stageId)
    .run();
  if (removed.meta.changes === 0) {
    throw new ApiError(
      PROBLEMS.stageNotEmpty,
      `The stage '${stage.name}' still holds ${kind}s; move them to another stage first.`,
    );
  }
  return stage;
}

/** A stage with its place in the pipeline and how many entries it holds (for the API). */
async function stageView(env: Stores, companyId: string, groupId: string, kind: PipelineKind, stageId: string) {
  const pipeline = await getPipeline(env, companyId, groupId, kind);
  return pipeline.stages.find((s) => s.stage.id === stageId)!;
}

function assertNameFree(stages: Stage[], name: string, exceptId?: string) {
  if (stages.some((s) => s.id !== exceptId && s.name.toLowerCase() === name.toLowerCase()))
    throw problems.validation([{ field: "name", message: `the pipeline already has a stage '${name}'` }]);
}

function positionStatements(env: Stores, ordered: Stage[], now: number) {
  return ordered.map((stage, index) =>
    env.DB.prepare("UPDATE pipeline_stages SET position = ?1, updated_at = ?2 WHERE id = ?3").bind(
      index + 1,
      now,
      stage.id,
    ),
  );
}

// ---- Entries ----------------------------------------------------------------------------------

export interface NewEntry {
  groupId: string;
  partnerId: string;
  values: unknown;
}

/**
 * Submits a lead or deal for a partner: the group's form of the kind must be on; the values are
 * validated by its current version; the entry starts in the pipeline's first stage, with that
 * first move in its history and the rewards of entering it.
 */
export async function createEntry(env: Stores, kind: PipelineKind, companyId: string, input: NewEntry, actor: Actor) {
  const group = await getGroup(env, companyId, input.groupId);
  if (group.archivedAt || !formEnabled(group, kind)) {
    const what = kind === "lead" ? "Lead submission" : "Deal registration";
    throw new ApiError(PROBLEMS.formDisabled, `${what} is off in the group '${group.name}'.`);
  }
  const version = await currentVersion(env, companyId, group.id, kind);
  const values = parseSubmission(version.fields, input.values);
  const [first] = await listStages(env, companyId, group.id, kind);
  if (!first) throw new Error(`group ${group.id} has no ${kind} stage`);
  const now = Date.now();
  const id = newId(kind, now);
  const moveId = newId("stageMove", now);
  const insert = database(env.DB)
    .insert(TABLES[kind])
    .values({
      id,
      companyId,
      groupId: group.id,
      partnerId: input.partnerId,
      formVersionId: version.id,
      values,
      stageId: first.id,
      submittedBy: actor.kind,
      lastMoveId: moveId,
      createdAt: now,
      updatedAt: now,
    })
    .toSQL();
  const rules = await rulesInEffect(env, companyId, group.id, now);
  // The entry, its first move and their rewards together.
  const [inserted] = await env.DB.batch([
    env.DB.prepare(insert.sql).bind(...insert.params),
    moveStatement(env, kind, companyId, id, moveId, null, first, actor, now),
    ...enteredStatements(env, rules, { kind, companyId, entryId: id, moveId, stage: first, at: now }),
  ]);
  if (inserted!.meta.changes !== 1) throw new Error(`${kind} ${id} was not written`);
  return getEntry(env, kind, companyId, id);
}

/** SQL that holds when the entry's latest move is `moveId`: statements batched with a move act only then. */
function moveWritten(kind: PipelineKind, entryId: string, moveId: string) {
  return `EXISTS (SELECT 1 FROM ${TABLE_NAMES[kind]} WHERE id = ${sqlId(entryId)} AND last_move_id = ${sqlId(moveId)})`;
}

/** The rewards of an entry entering `stage` (a deal pipeline's final one closes it), if the move was written. */
function enteredStatements(
  env: Stores,
  rules: RulesInEffect,
  move: { kind: PipelineKind; companyId: string; entryId: string; moveId: string; stage: Stage; at: number },
) {
  return stageRewardStatements(env.DB, rules, {
    at: move.at,
    kind: move.kind,
    stageId: move.stage.id,
    closesDeal: move.kind === "deal" && move.stage.isFinal,
    companyId: move.companyId,
    entryId: move.entryId,
    written: moveWritten(move.kind, move.entryId, move.moveId),
  });
}

/** A lead or deal of the company; with `partnerId`, only if it is that partner's (else a 404). */
export async function getEntry(
  env: Stores,
  kind: PipelineKind,
  companyId: string,
  id: string,
  partnerId?: string,
): Promise<PipelineEntry> {
  const table = TABLES[kind];
  const [row] = await database(env.DB)
    .select()
    .from(table)
    .where(
      and(
        eq(table.id, id),
        eq(table.companyId, companyId),
        partnerId === undefined ? undefined : eq(table.partnerId, partnerId),
      ),
    );
  if (!row) throw problems.notFound(ENTRY_NAMES[kind], id);
  return { closedAt: null, customerId: null, ...row };
}

export interface EntryFilter {
  limit: number;
  startingAfter?: string;
  groupId?: string;
  partnerId?: string;
  stageId?: string;
  /** Newest first (the portal's lists); `startingAfter` then pages towards older ones. */
  newestFirst?: boolean;
}

/**
 * A page of leads or deals, oldest first. Every id in the filter must be the company's own (a 422
 * on that field otherwise); `scopePartnerId` restricts to one partner's (the partner API).
 */
export async function listEntries(
  env: Stores,
  kind: PipelineKind,
  companyId: string,
  filter: EntryFilter,
  scopePartnerId?: string,
) {
  if (filter.groupId && !(await isOwnGroup(env, companyId, filter.groupId)))
    throw problems.validation([{ field: "groupId", message: "no group with this id in your company" }]);
  if (filter.partnerId && !(await isOwnPartner(env, companyId, filter.partnerId)))
    throw problems.validation([{ field: "partnerId", message: "no partner with this id in your company" }]);
  if (filter.stageId && !(await stagesByIds(env, companyId, [filter.stageId])).get(filter.stageId))
    throw problems.validation([{ field: "stageId", message: "no stage with this id in your company" }]);
  if (filter.startingAfter !== undefined) {
    const after = await getEntry(env, kind, companyId, filter.startingAfter, scopePartnerId).catch(() => null);
    if (!after)
      throw problems.validation([{ field: "startingAfter", message: `no ${kind} with this id in your company` }]);
  }
  const table = TABLES[kind];
  const rows = await database(env.DB)
    .select()
    .from(table)
    .where(
      and(
        eq(table.companyId, companyId),
        scopePartnerId === undefined ? undefined : eq(table.partnerId, scopePartnerId),
        filter.partnerId ? eq(table.partnerId, filter.partnerId) : undefined,
        filter.groupId ? eq(table.groupId, filter.groupId) : undefined,
        filter.stageId ? eq(table.stageId, filter.stageId) : undefined,
        filter.startingAfter ? (filter.newestFirst ? lt : gt)(table.id, filter.startingAfter) : undefined,
      ),
    )
    .orderBy(filter.newestFirst ? desc(table.id) : asc(table.id))
    .limit(filter.limit + 1);
  const entries: PipelineEntry[] = rows.map((row) => ({ closedAt: null, customerId: null, ...row }));
  return { rows: entries.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

/** An entry's moves, oldest first: who moved it, when, from which stage to which. */
export async function entryHistory(env: Stores, companyId: string, entryId: string) {
  return database(env.DB)
    .select()
    .from(stageMoves)
    .where(and(eq(stageMoves.entryId, entryId), eq(stageMoves.companyId, companyId)))
    .orderBy(asc(stageMoves.movedAt), asc(stageMoves.id));
}

/** The latest move of an entry. */
export async function lastMove(env: Stores, companyId: string, entryId: string) {
  const [move] = await database(env.DB)
    .select()
    .from(stageMoves)
    .where(and(eq(stageMoves.entryId, entryId), eq(stageMoves.companyId, companyId)))
    .orderBy(desc(stageMoves.movedAt), desc(stageMoves.id))
    .limit(1);
  return move;
}

/**
 * What a move adds to its batch, given the SQL that holds when the move was written, the move's time
 * and the group's offer rules in effect then (before the stage's own rewards, which come last).
 */
export type MoveExtras = (written: string, moveId: string, now: number, rules: RulesInEffect) => D1PreparedStatement[];

/**
 * Moves an entry to another live stage of its pipeline, recording who did it: one batch that acts
 * only if the entry is still where it was read (and, for a deal, still open) and the stage still
 * there; a concurrent move makes it start again. Moving to the stage it is in changes nothing.
 * `check` runs each time on the fresh entry and target (the callers' rules); `extras` adds
 * statements that act only if the move was written. The rewards of entering the stage are in the
 * same batch: a committed move never lacks them, and entering a stage again rewards nothing more.
 */
export async function moveEntry(
  env: Stores,
  kind: PipelineKind,
  companyId: string,
  entryId: string,
  toStageId: string,
  actor: Actor,
  options: {
    partnerId?: string;
    check?: (entry: PipelineEntry, target: Stage) => void | Promise<void>;
    extras?: (entry: PipelineEntry, target: Stage) => MoveExtras;
  } = {},
) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getEntry(env, kind, companyId, entryId, options.partnerId);
    const target = await liveStage(env, companyId, entry.groupId, kind, toStageId);
    await options.check?.(entry, target);
    if (target.id === entry.stageId) return { entry, moved: false as const };
    const [from] = (await stagesByIds(env, companyId, [entry.stageId])).values();
    const now = Date.now();
    const moveId = newId("stageMove", now);
    const table = TABLE_NAMES[kind];
    const closes = kind === "deal" && target.isFinal;
    const written = moveWritten(kind, entry.id, moveId);
    const rules = await rulesInEffect(env, companyId, entry.groupId, now);
    const [updated] = await env.DB.batch([
      env.DB.prepare(
        `UPDATE ${table} SET stage_id = ?1, last_move_id = ?2, updated_at = ?3
           ${closes ? ", closed_at = ?3" : ""}
         WHERE id = ?4 AND company_id = ?5 AND stage_id = ?6 ${kind === "deal" ? "AND closed_at IS NULL" : ""}
           AND EXISTS (SELECT 1 FROM pipeline_stages WHERE id = ?1 AND removed_at IS NULL)`,
      ).bind(target.id, moveId, now, entryId, companyId, entry.stageId),
      moveStatement(env, kind, companyId, entryId, moveId, from ?? null, target, actor, now),
      ...(options.extras?.(entry, target)(written, moveId, now, rules) ?? []),
      ...enteredStatements(env, rules, { kind, companyId, entryId, moveId, stage: target, at: now }),
    ]);
    if (updated!.meta.changes === 1) {
      const moved = await getEntry(env, kind, companyId, entryId);
      return { entry: moved, moved: true as const, moveId };
    }
  }
  throw new Error(`${kind} ${entryId}: too many concurrent moves`);
}

/** The history row of a move, written only if the entry now carries this move's id. */
function moveStatement(
  env: Stores,
  kind: PipelineKind,
  companyId: string,
  entryId: string,
  moveId: string,
  from: Stage | null,
  to: Stage,
  actor: Actor,
  now: number,
) {
  return env.DB.prepare(
    `INSERT INTO stage_moves (id, company_id, entry_kind, entry_id, from_stage_id, to_stage_id, from_stage_name,
       to_stage_name, actor_kind, actor_id, moved_at)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
     WHERE EXISTS (SELECT 1 FROM ${TABLE_NAMES[kind]} WHERE id = ?4 AND last_move_id = ?1)`,
  ).bind(
    moveId,
    companyId,
    kind,
    entryId,
    from?.id ?? null,
    to.id,
    from?.name ?? null,
    to.name,
    actor.kind,
    actor.id,
    now,
  );
}

/**
 * Replaces some of an entry's values (others stay; `null` clears an optional one), validated as a
 * whole by the form version the entry was made with.
 */
export async function updateEntryValues(
  env: Stores,
  kind: PipelineKind,
  companyId: string,
  entry: PipelineEntry,
  changes: Record<string, unknown>,
  onlyIf = "1",
) {
  const version = await formVersionById(env, companyId, entry.formVersionId);
  const values = parseSubmission(version.fields, { ...entry.values, ...changes });
  const updated = await env.DB.prepare(
    `UPDATE ${TABLE_NAMES[kind]} SET "values" = ?1, updated_at = ?2 WHERE id = ?3 AND company_id = ?4 AND ${onlyIf}`,
  )
    .bind(JSON.stringify(values), Date.now(), entry.id, companyId)
    .run();
  return updated.meta.changes === 1;
}
