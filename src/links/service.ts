// Default links: up to three live per group (position 1 = the original). Creating one gives every
// partner of the group a slug for its link text; editing one is a single write plus a re-publish of
// the group's edge record. Link text never changes once created.
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Stores } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { defaultLinks } from "../db/schema";
import { getGroup } from "../groups/service";
import { ApiError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { httpUrl, linkText, parseInput, utmParams } from "../lib/validation";
import { partnerLinksForNewLinkText, slugConflict, slugsOfGroupLinkText } from "../partners/service";
import { enqueuePublish, enqueuePublishStatement, publishNow, publishTargets } from "../redirect/publish";
import { batchWritingSlugs, publishSlugFilter, type SlugChange } from "../redirect/slug-filter-publish";

export const MAX_DEFAULT_LINKS = 3;

export const createDefaultLinkInput = z.object({
  title: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500).default(""),
  destinationUrl: httpUrl,
  utmParams: utmParams.default([]),
  lockUtms: z.boolean().default(false),
  linkText,
});

export const updateDefaultLinkInput = z
  .object({
    title: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500),
    destinationUrl: httpUrl,
    utmParams,
    lockUtms: z.boolean(),
  })
  .partial()
  .strict();

export async function listDefaultLinks(env: Stores, companyId: string, groupId: string) {
  await getGroup(env, companyId, groupId);
  return database(env.DB).query.defaultLinks.findMany({
    where: and(eq(defaultLinks.groupId, groupId), isNull(defaultLinks.deletedAt)),
    orderBy: defaultLinks.position,
  });
}

export async function createDefaultLink(
  env: Stores,
  companyId: string,
  groupId: string,
  input: z.input<typeof createDefaultLinkInput>,
) {
  const data = parseInput(createDefaultLinkInput, input);
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

export async function updateDefaultLink(
  env: Stores,
  companyId: string,
  linkId: string,
  input: z.input<typeof updateDefaultLinkInput>,
) {
  if (input && typeof input === "object" && "linkText" in input) {
    throw problems.validation(
      [{ field: "linkText", message: "cannot be changed: partners' existing links would break" }],
      "Link text is fixed once a link is created.",
    );
  }
  const data = parseInput(updateDefaultLinkInput, input);
  const link = await getDefaultLink(env, companyId, linkId);
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
