// Default links: up to three live per group (position 1 = the original). Creating one gives every
// partner of the group a slug for its link text; editing one is a single write plus a re-publish of
// the group's edge record. Link text never changes once created.
import { z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import type { Stores } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { defaultLinks, type UtmParams } from "../db/schema";
import { getGroup } from "../groups/service";
import { ApiError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { parseInput, utmParams } from "../lib/validation";
import { partnerLinksForNewLinkText, slugConflict, slugsOfGroupLinkText } from "../partners/service";
import { enqueuePublish, enqueuePublishStatement, publishNow, publishTargets } from "../redirect/publish";
import { batchWritingSlugs, publishSlugFilter, type SlugChange } from "../redirect/slug-filter-publish";
import { fromUtmParams, toUtmParams } from "./utm";

export const MAX_DEFAULT_LINKS = 3;

/** A new default link, as validated by the API's CreateDefaultLink schema (links.routes.ts). */
export interface NewDefaultLink {
  title: string;
  description?: string;
  destinationUrl: string;
  utmParams?: UtmParams;
  lockUtms?: boolean;
  linkText: string;
}

/** Changes to a default link, as validated by the API's UpdateDefaultLink schema; absent fields stay. */
export interface DefaultLinkChanges {
  title?: string;
  description?: string;
  destinationUrl?: string;
  lockUtms?: boolean;
  /** Replaces all parameters. */
  utmParams?: UtmParams;
  /** Replace the UTM part or the custom part of the parameters; the part not given is kept (the API's way). */
  utm?: Record<string, string>;
  customParams?: Record<string, string>;
}

export async function listDefaultLinks(env: Stores, companyId: string, groupId: string) {
  await getGroup(env, companyId, groupId);
  return database(env.DB).query.defaultLinks.findMany({
    where: and(eq(defaultLinks.groupId, groupId), isNull(defaultLinks.deletedAt)),
    orderBy: defaultLinks.position,
  });
}

export async function createDefaultLink(env: Stores, companyId: string, groupId: string, input: NewDefaultLink) {
  const data = {
    ...input,
    description: input.description ?? "",
    utmParams: input.utmParams ?? [],
    lockUtms: input.lockUtms ?? false,
  };
  const live = await listDefaultLinks(env, companyId, groupId);
  if (live.some((link) => link.linkText === data.linkText)) {
    throw new ApiError(PROBLEMS.linkTextTaken, `The group already has a link with link text '${data.linkText}'.`);
  }
  if (live.length >= MAX_DEFAULT_LINKS) throw tooManyLinks();
  const now = Date.now();
  const id = newId("defaultLink", now);
  let inserted: D1Result;
  let slugs: SlugChange;
  try {
    // The free position is chosen inside the insert, so concurrent creates each get their own
    // (D1 runs statements one at a time); none is left once three links are live. Partners' slugs
    // for it are written in the same batch: both or neither.
    const insertLink = env.DB.prepare(
      `INSERT INTO default_links (id, company_id, group_id, position, title, description, destination_url,
         utm_params, lock_utms, link_text, created_at, updated_at)
       SELECT ?1, ?2, ?3, free.position, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10
       FROM (SELECT min(p) AS position FROM (SELECT 2 AS p UNION ALL SELECT 3)
             WHERE p NOT IN (SELECT position FROM default_links WHERE group_id = ?3 AND deleted_at IS NULL)) AS free
       WHERE free.position IS NOT NULL`,
    ).bind(
      id,
      companyId,
      groupId,
      data.title,
      data.description,
      data.destinationUrl,
      JSON.stringify(data.utmParams),
      data.lockUtms ? 1 : 0,
      data.linkText,
      now,
    );
    const writes = [
      insertLink,
      partnerLinksForNewLinkText(env, companyId, groupId, data.linkText, id),
      enqueuePublishStatement(env.DB, publishTargets.group(companyId, groupId), now),
    ];
    const batch = await batchWritingSlugs(env, companyId, writes, slugsOfGroupLinkText(env, groupId, data.linkText));
    [inserted] = batch.results as [D1Result];
    slugs = batch.change;
  } catch (error) {
    if (isUniqueViolation(error, "partner_links.slug")) throw slugConflict();
    // A concurrent create took the same link text: the partial unique index decides.
    if (isUniqueViolation(error)) {
      throw new ApiError(PROBLEMS.linkTextTaken, `The group already has a link with link text '${data.linkText}'.`);
    }
    throw error;
  }
  if (inserted.meta.changes === 0) throw tooManyLinks();
  await publishNow(env, [publishTargets.group(companyId, groupId)]);
  // The group's partners' new slugs are not put into KV one by one (there may be thousands): the
  // filter learns them, and the edge reads them from D1 on first use (README, "Freshness").
  await publishSlugFilter(env, companyId, [slugs]);
  return getDefaultLink(env, companyId, id);
}

export async function getDefaultLink(env: Stores, companyId: string, linkId: string) {
  const link = await database(env.DB).query.defaultLinks.findFirst({
    where: and(eq(defaultLinks.id, linkId), eq(defaultLinks.companyId, companyId), isNull(defaultLinks.deletedAt)),
  });
  if (!link) throw problems.notFound("default link", linkId);
  return link;
}

export async function updateDefaultLink(env: Stores, companyId: string, linkId: string, changes: DefaultLinkChanges) {
  // A whole parameter list comes only from callers other than the API (scripts, tests): checked here.
  if (changes.utmParams !== undefined) parseInput(z.object({ utmParams }), { utmParams: changes.utmParams });
  const link = await getDefaultLink(env, companyId, linkId);
  const { utm, customParams, ...data } = changes;
  if (data.utmParams === undefined && (utm !== undefined || customParams !== undefined)) {
    const current = fromUtmParams(link.utmParams);
    data.utmParams = toUtmParams(utm ?? current.utm, customParams ?? current.custom_params);
  }
  const db = database(env.DB);
  await db.batch([
    db
      .update(defaultLinks)
      .set({ ...data, updatedAt: Date.now() })
      .where(eq(defaultLinks.id, linkId)),
    enqueuePublish(db, publishTargets.group(companyId, link.groupId)),
  ]);
  await publishNow(env, [publishTargets.group(companyId, link.groupId)]);
  return getDefaultLink(env, companyId, linkId);
}

/** Soft delete. Partners' slugs for it then lead to the group's original link. */
export async function deleteDefaultLink(env: Stores, companyId: string, linkId: string): Promise<void> {
  const link = await getDefaultLink(env, companyId, linkId);
  if (link.position === 1) {
    throw new ApiError(PROBLEMS.originalLinkUndeletable, "The original link of a group cannot be deleted.");
  }
  const db = database(env.DB);
  await db.batch([
    db.update(defaultLinks).set({ deletedAt: Date.now() }).where(eq(defaultLinks.id, linkId)),
    enqueuePublish(db, publishTargets.group(companyId, link.groupId)),
  ]);
  await publishNow(env, [publishTargets.group(companyId, link.groupId)]);
}

function tooManyLinks() {
  return new ApiError(PROBLEMS.defaultLinkLimit, `A group has at most ${MAX_DEFAULT_LINKS} default links.`);
}
