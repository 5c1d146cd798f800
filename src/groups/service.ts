// Groups: created with their original default link, renamed (the public page slug follows, old
// slugs keep redirecting), gated by the company's plan, archived. Edge-visible changes are
// published before returning.
import { and, asc, eq, gt, like, or } from "drizzle-orm";
import { getCompany, type Stores } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { groupSlugHistory, groupStats, groups, type UtmParams } from "../db/schema";
import { defaultFormStatements } from "../forms/defaults";
import type { FormKind } from "../lib/constants";
import { ApiError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { firstFree, slugify } from "../lib/slugs";
import { assertFeature, type GatedFeature, groupLimitReached, PLAN_LIMITS } from "../plans/plans";
import { enqueuePublish, enqueuePublishStatement, publishNow, publishTargets } from "../redirect/publish";

/** A new group, as validated by the API's CreateGroup schema (groups.routes.ts). */
export interface NewGroup {
  name: string;
  destinationUrl: string;
  utmParams?: UtmParams;
}

/** Changes to a group, as validated by the API's UpdateGroup schema; absent fields stay as they are. */
export interface GroupChanges {
  name?: string;
  termsUrl?: string | null;
  referralLinksEnabled?: boolean;
  leadSubmissionEnabled?: boolean;
  dealRegistrationEnabled?: boolean;
  applicationFormEnabled?: boolean;
}

/** Creates a group with its original default link; the company's first group becomes its default. */
export async function createGroup(env: Stores, companyId: string, input: NewGroup) {
  const data = { ...input, utmParams: input.utmParams ?? [] };
  const company = await getCompany(env, companyId);
  const maxGroups = PLAN_LIMITS[company.plan].maxGroups ?? Number.MAX_SAFE_INTEGER;
  const _db = database(env.DB);

  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    const groupId = newId("group", now);
    const slug = await freeGroupSlug(env, companyId, slugify(data.name) || "group");
    try {
      // The plan limit is checked inside the insert itself, so concurrent creates cannot overshoot;
      // the other statements only act if the group row was written.
      const groupWritten = `EXISTS (SELECT 1 FROM groups WHERE id = ?1)`;
      const [insertGroup] = await env.DB.batch([
        env.DB.prepare(
          `INSERT INTO groups (id, company_id, name, slug, created_at, updated_at)
           SELECT ?1, ?2, ?3, ?4, ?5, ?5
           WHERE (SELECT count(*) FROM groups WHERE company_id = ?2 AND archived_at IS NULL) < ?6`,
        ).bind(groupId, companyId, data.name, slug, now, maxGroups),
        env.DB.prepare(
          `INSERT INTO default_links (id, company_id, group_id, position, title, description, destination_url,
             utm_params, lock_utms, link_text, created_at, updated_at)
           SELECT ?2, ?3, ?1, 1, 'Original link', '', ?4, ?5, 0, '', ?6, ?6 WHERE ${groupWritten}`,
        ).bind(groupId, newId("defaultLink", now), companyId, data.destinationUrl, JSON.stringify(data.utmParams), now),
        env.DB.prepare(
          `UPDATE companies SET default_group_id = ?1, updated_at = ?3
           WHERE id = ?2 AND default_group_id IS NULL AND ${groupWritten}`,
        ).bind(groupId, companyId, now),
        // Harmless when the plan limit stopped the insert: publishing a missing group publishes nothing.
        enqueuePublishStatement(env.DB, publishTargets.group(companyId, groupId), now),
        // Its application, lead and deal forms and its pipelines, with their defaults (issue 11).
        ...defaultFormStatements(env, companyId, groupId, now),
      ]);
      if (insertGroup!.meta.changes === 0) throw groupLimitReached(company.plan);
      await publishNow(env, [publishTargets.group(companyId, groupId)]);
      return getGroup(env, companyId, groupId);
    } catch (error) {
      if (attempt < 3 && isUniqueViolation(error, "slug")) continue; // a concurrent create took the slug
      throw error;
    }
  }
}

export async function getGroup(env: Stores, companyId: string, groupId: string) {
  const group = await database(env.DB).query.groups.findFirst({
    where: and(eq(groups.id, groupId), eq(groups.companyId, companyId)),
  });
  if (!group) throw problems.notFound("group", groupId);
  return group;
}

/** Whether the id is a group of this company (archived ones included). */
export async function isOwnGroup(env: Stores, companyId: string, groupId: string): Promise<boolean> {
  const row = await database(env.DB).query.groups.findFirst({
    columns: { id: true },
    where: and(eq(groups.id, groupId), eq(groups.companyId, companyId)),
  });
  return row !== undefined;
}

/** Every group of the company (archived ones too), in creation order: for pickers in the console. */
export async function listAllGroups(env: Stores, companyId: string) {
  return database(env.DB).query.groups.findMany({ where: eq(groups.companyId, companyId), orderBy: asc(groups.id) });
}

export interface ListOptions {
  limit: number;
  startingAfter?: string;
}

/** Groups in creation order, each with its latest stats snapshot (null before the first rollup). */
export async function listGroupsWithStats(env: Stores, companyId: string, options: ListOptions) {
  // A cursor is one of the company's own ids (groups are archived, never deleted).
  if (options.startingAfter !== undefined && !(await isOwnGroup(env, companyId, options.startingAfter))) {
    throw problems.validation([{ field: "startingAfter", message: "no group with this id in your company" }]);
  }
  const rows = await database(env.DB)
    .select({ group: groups, stats: groupStats })
    .from(groups)
    .leftJoin(groupStats, eq(groupStats.groupId, groups.id))
    .where(
      and(eq(groups.companyId, companyId), options.startingAfter ? gt(groups.id, options.startingAfter) : undefined),
    )
    .orderBy(asc(groups.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export async function updateGroup(env: Stores, companyId: string, groupId: string, data: GroupChanges) {
  const group = await getGroup(env, companyId, groupId);
  const company = await getCompany(env, companyId);
  if (data.leadSubmissionEnabled) assertFeature(company.plan, "leadSubmission");
  if (data.dealRegistrationEnabled) assertFeature(company.plan, "dealRegistration");
  if (data.applicationFormEnabled) assertFeature(company.plan, "applicationForms");

  const db = database(env.DB);
  const now = Date.now();
  const renamed = data.name !== undefined && data.name !== group.name;
  const slug = renamed ? await freeGroupSlug(env, companyId, slugify(data.name!) || "group", groupId) : group.slug;
  const slugChanged = slug !== group.slug;
  // Only the referral-links switch is part of the edge's group record.
  const edgeChanged =
    data.referralLinksEnabled !== undefined && data.referralLinksEnabled !== group.referralLinksEnabled;
  try {
    await db.batch([
      db
        .update(groups)
        .set({ ...data, slug, updatedAt: now })
        .where(eq(groups.id, groupId)),
      ...(edgeChanged ? [enqueuePublish(db, publishTargets.group(companyId, groupId), now)] : []),
      // The old page slug keeps redirecting; a slug this group had before becomes current again.
      ...(slugChanged
        ? [
            db
              .delete(groupSlugHistory)
              .where(and(eq(groupSlugHistory.companyId, companyId), eq(groupSlugHistory.slug, slug))),
            db.insert(groupSlugHistory).values({ companyId, slug: group.slug, groupId, createdAt: now }),
          ]
        : []),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "slug")) {
      throw new ApiError(PROBLEMS.groupSlugTaken, "Another group was just given that name; try again.");
    }
    throw error;
  }
  if (edgeChanged) await publishNow(env, [publishTargets.group(companyId, groupId)]);
  return getGroup(env, companyId, groupId);
}

/** The group flags that turn a form on (issue 11): the form of each kind and its plan feature. */
export const FORM_FEATURES = {
  application: { column: "application_form_enabled", feature: "applicationForms" },
  lead: { column: "lead_submission_enabled", feature: "leadSubmission" },
  deal: { column: "deal_registration_enabled", feature: "dealRegistration" },
} as const satisfies Record<FormKind, { column: string; feature: GatedFeature }>;

/** Whether the group's form of this kind is on. */
export function formEnabled(group: typeof groups.$inferSelect, kind: FormKind): boolean {
  if (kind === "application") return group.applicationFormEnabled;
  return kind === "lead" ? group.leadSubmissionEnabled : group.dealRegistrationEnabled;
}

/**
 * The statement that turns a group's form of `kind` on or off, for a caller's batch, acting only
 * when `onlyIf` (SQL, no parameters) holds. The plan is checked here: a 403 before any write.
 */
export async function setFormEnabledStatement(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  enabled: boolean,
  onlyIf = "1",
) {
  const { column, feature } = FORM_FEATURES[kind];
  if (enabled) assertFeature((await getCompany(env, companyId)).plan, feature);
  return env.DB.prepare(
    `UPDATE groups SET ${column} = ?1, updated_at = ?2 WHERE id = ?3 AND company_id = ?4 AND ${onlyIf}`,
  ).bind(enabled ? 1 : 0, Date.now(), groupId, companyId);
}

export async function setReferralLinksEnabled(env: Stores, companyId: string, groupId: string, enabled: boolean) {
  return updateGroup(env, companyId, groupId, { referralLinksEnabled: enabled });
}

/** Archived groups stop redirecting (fallback) and free a plan slot. The default group cannot be archived. */
export async function archiveGroup(env: Stores, companyId: string, groupId: string) {
  const group = await getGroup(env, companyId, groupId);
  const company = await getCompany(env, companyId);
  if (company.defaultGroupId === groupId) {
    throw new ApiError(
      PROBLEMS.defaultGroup,
      "The default group cannot be archived; make another group the default first.",
    );
  }
  if (!group.archivedAt) {
    const db = database(env.DB);
    await db.batch([
      db.update(groups).set({ archivedAt: Date.now(), updatedAt: Date.now() }).where(eq(groups.id, groupId)),
      enqueuePublish(db, publishTargets.group(companyId, groupId)),
    ]);
    await publishNow(env, [publishTargets.group(companyId, groupId)]);
  }
  return getGroup(env, companyId, groupId);
}

/** Finds a group by a current or former public-page slug. */
export async function findGroupByPageSlug(env: Stores, companyId: string, slug: string) {
  const db = database(env.DB);
  const current = await db.query.groups.findFirst({
    where: and(eq(groups.companyId, companyId), eq(groups.slug, slug)),
  });
  if (current) return { group: current, moved: false };
  const former = await db.query.groupSlugHistory.findFirst({
    where: and(eq(groupSlugHistory.companyId, companyId), eq(groupSlugHistory.slug, slug)),
  });
  if (!former) return null;
  return { group: await getGroup(env, companyId, former.groupId), moved: true };
}

/** A page slug no other group of the company uses now or used before. */
async function freeGroupSlug(env: Stores, companyId: string, base: string, forGroupId?: string): Promise<string> {
  const db = database(env.DB);
  const matches = (column: typeof groups.slug | typeof groupSlugHistory.slug) =>
    or(eq(column, base), like(column, `${base}-%`));
  const current = await db
    .select({ slug: groups.slug, groupId: groups.id })
    .from(groups)
    .where(and(eq(groups.companyId, companyId), matches(groups.slug)));
  const former = await db
    .select({ slug: groupSlugHistory.slug, groupId: groupSlugHistory.groupId })
    .from(groupSlugHistory)
    .where(and(eq(groupSlugHistory.companyId, companyId), matches(groupSlugHistory.slug)));
  const takenByOthers = [...current, ...former].filter((row) => row.groupId !== forGroupId).map((row) => row.slug);
  return firstFree(base, takenByOthers);
}
