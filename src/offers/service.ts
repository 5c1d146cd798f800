// Offers of a group: triggers that earn partners rewards. An offer is a chain of versions; an edit
// closes the current version and opens the next one from now, so an event is always evaluated
// against the version in effect at its own time (README, "Offers and rewards").
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { database, isUniqueViolation } from "../db/client";
import { offers, offerVersions, pipelineStages } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { listRates, toUsdCents } from "../fx/service";
import { isOwnGroup } from "../groups/service";
import { dollars, MAX_TRANSACTION_USD_CENTS } from "../ingest/limits";
import { type FieldError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  DEFAULT_HOLD_DAYS,
  MAX_ACTIVE_TRIGGERS_PER_GROUP,
  type OfferChanges,
  type OfferInput,
  type OfferTrigger,
  type TriggerInput,
} from "./model";
import type { StageNames } from "./summary";

export type Offer = typeof offers.$inferSelect;
export type OfferVersion = typeof offerVersions.$inferSelect;
/** An offer with one of its versions (the current one unless said otherwise). */
export interface OfferView {
  offer: Offer;
  version: OfferVersion;
}

export async function createOffer(
  env: Stores,
  companyId: string,
  groupId: string,
  input: OfferInput,
  actor: string,
): Promise<OfferView> {
  if (!(await isOwnGroup(env, companyId, groupId))) throw problems.notFound("group", groupId);
  const triggers = await prepareTriggers(env, companyId, groupId, input.triggers, null);
  const now = Date.now();
  const offerId = newId("offer", now);
  const active = input.active ?? true;
  // The group's bound on active triggers is checked inside the insert, so concurrent creates
  // cannot overshoot it; the version follows the offer row.
  const [inserted] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO offers (id, company_id, group_id, latest_version, created_at, updated_at)
       SELECT ?1, ?2, ?3, 1, ?4, ?4 WHERE ${withinTriggerBound}`,
    ).bind(offerId, companyId, groupId, now, active ? 1 : 0, triggers.length, MAX_ACTIVE_TRIGGERS_PER_GROUP),
    insertVersion(env.DB, {
      offerId,
      version: 1,
      companyId,
      groupId,
      name: input.name,
      description: input.description ?? "",
      active,
      holdDays: input.holdDays ?? DEFAULT_HOLD_DAYS,
      triggers,
      now,
      actor,
    }),
  ]);
  if (inserted!.meta.changes === 0) throw tooManyTriggers();
  return getOffer(env, companyId, offerId);
}

/** ?1 offer, ?3 group, ?5 active (0/1), ?6 its trigger count, ?7 the bound. */
const withinTriggerBound = `(?5 = 0 OR ?6 + (SELECT coalesce(sum(v.trigger_count), 0) FROM offer_versions v
    WHERE v.group_id = ?3 AND v.effective_to IS NULL AND v.active = 1 AND v.offer_id <> ?1) <= ?7)`;

function tooManyTriggers() {
  return problems.validation(
    [
      {
        field: "triggers",
        message: `the group's active offers would have more than ${MAX_ACTIVE_TRIGGERS_PER_GROUP} triggers together`,
      },
    ],
    "Deactivate another offer of the group, or use fewer triggers; nothing was changed.",
  );
}

interface VersionRow {
  offerId: string;
  version: number;
  companyId: string;
  groupId: string;
  name: string;
  description: string;
  active: boolean;
  holdDays: number;
  triggers: OfferTrigger[];
  now: number;
  actor: string;
}

/** Inserts a version when its offer row exists (the create's guarded insert, or the edit's close). */
function insertVersion(db: D1Database, v: VersionRow, guard = "EXISTS (SELECT 1 FROM offers WHERE id = ?1)") {
  return db
    .prepare(
      `INSERT INTO offer_versions (offer_id, version, company_id, group_id, name, description, active, hold_days,
         triggers, trigger_count, effective_from, created_by, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?11 WHERE ${guard}`,
    )
    .bind(
      v.offerId,
      v.version,
      v.companyId,
      v.groupId,
      v.name,
      v.description,
      v.active ? 1 : 0,
      v.holdDays,
      JSON.stringify(v.triggers),
      v.triggers.length,
      v.now,
      v.actor,
    );
}

/**
 * An edit: the current version ends now and the next one starts now. Nothing changes when the
 * edit would leave the offer as it is. Two edits at once: one wins, the other is applied on top.
 */
export async function updateOffer(
  env: Stores,
  companyId: string,
  offerId: string,
  changes: OfferChanges,
  actor: string,
): Promise<OfferView> {
  for (let attempt = 1; ; attempt++) {
    const { offer, version: current } = await getOffer(env, companyId, offerId);
    const triggers = changes.triggers
      ? await prepareTriggers(env, companyId, offer.groupId, changes.triggers, current.triggers)
      : current.triggers;
    const next = {
      name: changes.name ?? current.name,
      description: changes.description ?? current.description,
      active: changes.active ?? current.active,
      holdDays: changes.holdDays ?? current.holdDays,
      triggers,
    };
    const same =
      next.name === current.name &&
      next.description === current.description &&
      next.active === current.active &&
      next.holdDays === current.holdDays &&
      JSON.stringify(next.triggers) === JSON.stringify(current.triggers);
    if (same) return { offer, version: current };

    const now = Math.max(Date.now(), current.effectiveFrom);
    const version = current.version + 1;
    const closed = `EXISTS (SELECT 1 FROM offer_versions WHERE offer_id = ?1 AND version = ${current.version}
      AND effective_to = ${now})`;
    try {
      const [close] = await env.DB.batch([
        env.DB.prepare(
          `UPDATE offer_versions SET effective_to = ?4
           WHERE offer_id = ?1 AND version = ?2 AND effective_to IS NULL AND ${withinTriggerBound}`,
        ).bind(
          offerId,
          current.version,
          offer.groupId,
          now,
          next.active ? 1 : 0,
          triggers.length,
          MAX_ACTIVE_TRIGGERS_PER_GROUP,
        ),
        insertVersion(env.DB, { offerId, version, companyId, groupId: offer.groupId, ...next, now, actor }, closed),
        env.DB.prepare(
          `UPDATE offers SET latest_version = ?2, updated_at = ?3 WHERE id = ?1 AND latest_version = ?4 AND ${closed}`,
        ).bind(offerId, version, now, current.version),
      ]);
      if (close!.meta.changes > 0) return getOffer(env, companyId, offerId);
    } catch (error) {
      // Another edit took the same version number in the same millisecond.
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
      continue;
    }
    // Nothing closed: another edit came first (try again on top of it), or the bound refused it.
    const latest = await getOffer(env, companyId, offerId);
    if (latest.version.version === current.version || attempt >= 3) throw tooManyTriggers();
  }
}

export async function getOffer(env: Stores, companyId: string, offerId: string): Promise<OfferView> {
  const [row] = await database(env.DB)
    .select({ offer: offers, version: offerVersions })
    .from(offers)
    .innerJoin(
      offerVersions,
      and(eq(offerVersions.offerId, offers.id), eq(offerVersions.version, offers.latestVersion)),
    )
    .where(and(eq(offers.id, offerId), eq(offers.companyId, companyId)));
  if (!row) throw problems.notFound("offer", offerId);
  return row;
}

/** A group's offers (current versions) in creation order. */
export async function listOffers(
  env: Stores,
  companyId: string,
  groupId: string,
  options: { limit: number; startingAfter?: string },
) {
  if (!(await isOwnGroup(env, companyId, groupId))) throw problems.notFound("group", groupId);
  const db = database(env.DB);
  if (options.startingAfter !== undefined) {
    const after = await db.query.offers.findFirst({
      columns: { id: true },
      where: and(eq(offers.id, options.startingAfter), eq(offers.companyId, companyId), eq(offers.groupId, groupId)),
    });
    if (!after) throw problems.validation([{ field: "startingAfter", message: "no offer with this id in this group" }]);
  }
  const rows = await db
    .select({ offer: offers, version: offerVersions })
    .from(offers)
    .innerJoin(
      offerVersions,
      and(eq(offerVersions.offerId, offers.id), eq(offerVersions.version, offers.latestVersion)),
    )
    .where(
      and(
        eq(offers.companyId, companyId),
        eq(offers.groupId, groupId),
        options.startingAfter ? gt(offers.id, options.startingAfter) : undefined,
      ),
    )
    .orderBy(asc(offers.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export async function listVersions(env: Stores, companyId: string, offerId: string): Promise<OfferView[]> {
  const { offer } = await getOffer(env, companyId, offerId);
  const versions = await database(env.DB)
    .select()
    .from(offerVersions)
    .where(eq(offerVersions.offerId, offer.id))
    .orderBy(asc(offerVersions.version));
  return versions.map((version) => ({ offer, version }));
}

/** A group's active offers as they stand now (current versions), oldest first: what its program page lists. */
export async function activeOffers(env: Stores, companyId: string, groupId: string): Promise<OfferVersion[]> {
  return database(env.DB)
    .select()
    .from(offerVersions)
    .where(
      and(
        eq(offerVersions.companyId, companyId),
        eq(offerVersions.groupId, groupId),
        sql`${offerVersions.effectiveTo} IS NULL`,
        eq(offerVersions.active, true),
      ),
    )
    .orderBy(asc(offerVersions.offerId));
}

/** Per group: how many of its offers are active now (a console shows "Create offer" at 0). */
export async function activeOfferCounts(env: Stores, companyId: string, groupIds: string[]) {
  const counts = new Map<string, number>(groupIds.map((id) => [id, 0]));
  if (groupIds.length === 0) return counts;
  const rows = await database(env.DB)
    .select({ groupId: offerVersions.groupId, count: sql<number>`count(*)` })
    .from(offerVersions)
    .where(
      and(
        eq(offerVersions.companyId, companyId),
        inArray(offerVersions.groupId, groupIds),
        sql`${offerVersions.effectiveTo} IS NULL`,
        eq(offerVersions.active, true),
      ),
    )
    .groupBy(offerVersions.groupId);
  for (const row of rows) counts.set(row.groupId, row.count);
  return counts;
}

/** The active versions of a group's offers in effect at `at`: what an event at that time is evaluated against. */
export async function versionsInEffect(env: Stores, companyId: string, groupId: string, at: number) {
  return versionsFromRows(
    (await versionsInEffectStatement(env.DB, companyId, groupId, at).all<VersionRowOut>()).results,
  );
}

/** The query of `versionsInEffect`, for a caller that batches it with other reads (one round trip). */
export function versionsInEffectStatement(db: D1Database, companyId: string, groupId: string, at: number) {
  return db
    .prepare(
      `SELECT offer_id, version, hold_days, triggers FROM offer_versions
       WHERE group_id = ?1 AND company_id = ?2 AND active = 1 AND effective_from <= ?3
         AND (effective_to IS NULL OR effective_to > ?3)`,
    )
    .bind(groupId, companyId, at);
}

type VersionRowOut = { offer_id: string; version: number; hold_days: number; triggers: string };

export function versionsFromRows(rows: VersionRowOut[]) {
  return rows.map((row) => ({
    offerId: row.offer_id,
    version: row.version,
    holdDays: row.hold_days,
    triggers: JSON.parse(row.triggers) as OfferTrigger[],
  }));
}
export type VersionInEffect = ReturnType<typeof versionsFromRows>[number];

/**
 * Gives each trigger its id (kept from `kept` when the edit names one, else new), checks what only
 * the database knows (a currency needs a rate; a stage must be a live stage of the group's pipeline)
 * and stores the currency's minor-unit digits. Every bad field is reported at once.
 */
export async function prepareTriggers(
  env: Stores,
  companyId: string,
  groupId: string,
  inputs: TriggerInput[],
  kept: OfferTrigger[] | null,
  fieldPrefix = "",
): Promise<OfferTrigger[]> {
  const errors: FieldError[] = [];
  const [rateList, stages] = await Promise.all([
    listRates(env, companyId),
    stagesOf(
      env,
      companyId,
      inputs.flatMap((input) => input.conditions.stageId ?? []),
    ),
  ]);
  const rates = new Map(rateList.map((rate) => [rate.currency, rate]));
  const seen = new Set<string>();
  const triggers = inputs.map((input, i): OfferTrigger => {
    const at = `${fieldPrefix}triggers.${i}`;
    let id = input.id;
    if (id !== undefined) {
      if (kept === null) errors.push({ field: `${at}.id`, message: "a new offer's triggers have no id yet" });
      else if (!kept.some((t) => t.id === id))
        errors.push({ field: `${at}.id`, message: "not a trigger of this offer" });
      else if (seen.has(id)) errors.push({ field: `${at}.id`, message: "names the same trigger twice" });
      seen.add(id);
    }
    const { stageId, pipeline } = input.conditions;
    if (stageId !== undefined) {
      const stage = stages.get(stageId);
      // A stage removed since the trigger was saved is kept when the edit keeps the trigger as it was: it is
      // harmless (nothing enters a removed stage), and an offer can be sent back as read.
      const keptAsIs = kept?.some((t) => t.id === id && t.conditions.stageId === stageId) ?? false;
      if (!stage || stage.groupId !== groupId || stage.kind !== pipeline || (stage.removedAt !== null && !keptAsIs)) {
        errors.push({
          field: `${at}.conditions.stage_id`,
          message: `no stage with this id in the group's ${pipeline} pipeline`,
        });
      }
    }
    id ??= newId("trigger");
    const conditions = withoutUndefined(input.conditions);
    if (input.reward.type === "percent")
      return { id, event: input.event, conditions, reward: withoutUndefined(input.reward) };
    const { currency } = input.reward;
    const rate = rates.get(currency);
    if (!rate) {
      errors.push({
        field: `${at}.reward.currency`,
        message: `no exchange rate for '${currency}'; add one with PUT /v1/fx-rates/${currency}`,
      });
    } else if (toUsdCents(input.reward.amount, rate) > MAX_TRANSACTION_USD_CENTS) {
      errors.push({
        field: `${at}.reward.amount`,
        message: `a reward is worth at most ${dollars(MAX_TRANSACTION_USD_CENTS)}`,
      });
    }
    const reward = withoutUndefined({ ...input.reward, minorUnitDigits: rate?.minorUnitDigits ?? 2 });
    return { id, event: input.event, conditions, reward };
  });
  if (errors.length) throw problems.validation(errors);
  return triggers;
}

/**
 * The current names of the live stages these triggers name, for their summaries (a stage may be
 * renamed after the offer is saved; a removed one has no name any more).
 */
export async function stageNamesFor(env: Stores, companyId: string, triggers: OfferTrigger[]): Promise<StageNames> {
  const stages = await stagesOf(
    env,
    companyId,
    triggers.flatMap((t) => t.conditions.stageId ?? []),
  );
  return (id) => {
    const stage = stages.get(id);
    return stage && stage.removedAt === null ? stage.name : undefined;
  };
}

/** The company's stages with these ids, removed ones included (≤ 100 bound parameters a query). */
export async function stagesOf(env: Stores, companyId: string, ids: string[]) {
  const stages = new Map<string, typeof pipelineStages.$inferSelect>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await database(env.DB)
      .select()
      .from(pipelineStages)
      .where(and(eq(pipelineStages.companyId, companyId), inArray(pipelineStages.id, unique.slice(i, i + 90))));
    for (const stage of rows) stages.set(stage.id, stage);
  }
  return stages;
}

/** Stored JSON without absent fields, so that equal triggers compare equal. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
