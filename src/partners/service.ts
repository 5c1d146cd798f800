// Partners and their slugs. A partner gets one slug per link text of the group they are in
// (`jane-doe`, `jane-doe--pricing`), created when they join the group or when the group gains a
// default link, and never rewritten. Keys and link texts never contain `--`, so a slug names its
// key; a key that another partner's slugs were made from (an old key of theirs) is refused, so
// slugs of different partners cannot collide.
import { and, asc, eq, gt, gte, inArray, isNull, lt, or } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Stores } from "../companies/service";
import { getCompany } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { defaultLinks, partnerLinks, partners } from "../db/schema";
import { getGroup, isOwnGroup } from "../groups/service";
import { ApiError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { firstFree, slugify } from "../lib/slugs";
import { enqueuePublishStatement, publishNow, publishTargets } from "../redirect/publish";
import { batchWritingSlugs, publishSlugFilter, type SlugChange } from "../redirect/slug-filter-publish";

export const PARTNER_STATUSES = ["active", "archived"] as const;

/** A new partner, as validated by the API's CreatePartner schema (partners.routes.ts). */
export interface NewPartner {
  email: string;
  firstName: string;
  lastName: string;
  /** Generated from the name when absent. */
  partnerKey?: string;
  /** The company's default group when absent. */
  groupId?: string;
}

/** Changes to a partner, as validated by the API's UpdatePartner schema; absent fields stay. */
export interface PartnerChanges {
  email?: string;
  firstName?: string;
  lastName?: string;
  partnerKey?: string;
  groupId?: string;
  status?: (typeof PARTNER_STATUSES)[number];
}

export async function createPartner(env: Stores, companyId: string, data: NewPartner) {
  const groupId = data.groupId ?? (await getCompany(env, companyId)).defaultGroupId;
  if (!groupId) throw new ApiError(PROBLEMS.noGroup, "Create a group before adding partners.");
  await liveGroupOf(env, companyId, groupId);
  for (let attempt = 0; ; attempt++) {
    try {
      return await insertPartner(env, companyId, groupId, data);
    } catch (error) {
      // Two partners with the same name created at once: the generated key is picked again.
      const keyTaken = error instanceof ApiError && error.problem === PROBLEMS.partnerKeyTaken;
      if (!data.partnerKey && attempt < 3 && keyTaken) continue;
      throw error;
    }
  }
}

async function insertPartner(env: Stores, companyId: string, groupId: string, data: NewPartner) {
  const key = data.partnerKey ?? (await freePartnerKey(env, companyId, `${data.firstName} ${data.lastName}`));
  if (data.partnerKey) await assertKeyAvailable(env, companyId, key);

  const now = Date.now();
  const partnerId = newId("partner", now);
  const texts = await liveLinkTexts(env, groupId);
  const insert = database(env.DB)
    .insert(partners)
    .values({
      id: partnerId,
      companyId,
      groupId,
      partnerKey: key,
      email: data.email,
      firstName: data.firstName,
      lastName: data.lastName,
      createdAt: now,
      updatedAt: now,
    })
    .toSQL();
  let created: SlugChange;
  try {
    // The partner and their slugs for the group's links together, or nothing.
    const writes = [
      env.DB.prepare(insert.sql).bind(...insert.params),
      ...texts.map((text) => partnerLinksForPartner(env, partnerId, text)),
      enqueuePublishStatement(env.DB, publishTargets.partnerSlugs(companyId, partnerId), now),
    ];
    ({ change: created } = await batchWritingSlugs(env, companyId, writes, slugsOfPartner(env, partnerId)));
  } catch (error) {
    // A concurrent create took the key (or its slug) between the check and the write.
    if (isUniqueViolation(error)) throw keyTaken(key);
    throw error;
  }
  const late = await addSlugsForLiveLinks(env, companyId, partnerId, groupId, texts);
  await publishNow(env, [publishTargets.partnerSlugs(companyId, partnerId)]);
  await publishSlugFilter(env, companyId, [created, late]);
  return getPartner(env, companyId, partnerId);
}

export async function getPartner(env: Stores, companyId: string, partnerId: string) {
  const partner = await database(env.DB).query.partners.findFirst({
    where: and(eq(partners.id, partnerId), eq(partners.companyId, companyId)),
  });
  if (!partner) throw problems.notFound("partner", partnerId);
  return partner;
}

/** The partner keys of these partners of the company (for exports). */
export async function partnerKeysOf(env: Stores, companyId: string, partnerIds: string[]) {
  const unique = [...new Set(partnerIds)];
  const keys = new Map<string, string>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await database(env.DB)
      .select({ id: partners.id, partnerKey: partners.partnerKey })
      .from(partners)
      .where(and(eq(partners.companyId, companyId), inArray(partners.id, unique.slice(i, i + 90))));
    for (const row of rows) keys.set(row.id, row.partnerKey);
  }
  return keys;
}

/** These partners of the company, by id (archived ones included): names for lists of leads and deals. */
export async function partnersByIds(env: Stores, companyId: string, partnerIds: string[]) {
  const unique = [...new Set(partnerIds)];
  const found = new Map<string, typeof partners.$inferSelect>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await database(env.DB)
      .select()
      .from(partners)
      .where(and(eq(partners.companyId, companyId), inArray(partners.id, unique.slice(i, i + 90))));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

/** Whether the id is a partner of this company (archived ones included). */
export async function isOwnPartner(env: Stores, companyId: string, partnerId: string): Promise<boolean> {
  const row = await database(env.DB).query.partners.findFirst({
    columns: { id: true },
    where: and(eq(partners.id, partnerId), eq(partners.companyId, companyId)),
  });
  return row !== undefined;
}

/** The company's active partner with this (lower-case) email, if any. */
export async function findActivePartnerByEmail(env: Stores, companyId: string, email: string) {
  return database(env.DB).query.partners.findFirst({
    where: and(eq(partners.companyId, companyId), eq(partners.email, email), eq(partners.status, "active")),
  });
}

/** Moves a partner; their existing slugs then resolve through the new group. */
export async function movePartner(env: Stores, companyId: string, partnerId: string, groupId: string) {
  return updatePartner(env, companyId, partnerId, { groupId });
}

/**
 * Updates a partner. A new key is used by links created from now on and in the tracking params;
 * existing slugs stay as they are. A move gives the partner slugs for the new group's link texts.
 */
export async function updatePartner(env: Stores, companyId: string, partnerId: string, data: PartnerChanges) {
  const partner = await getPartner(env, companyId, partnerId);
  if (data.groupId && data.groupId !== partner.groupId) await liveGroupOf(env, companyId, data.groupId);
  if (data.partnerKey && data.partnerKey !== partner.partnerKey)
    await assertKeyAvailable(env, companyId, data.partnerKey, partnerId);
  const moving = data.groupId !== undefined && data.groupId !== partner.groupId;
  // A move writes the partner and their slugs for the new group's links together, or nothing.
  const texts = moving ? await liveLinkTexts(env, data.groupId!) : [];
  const update = database(env.DB)
    .update(partners)
    .set({ ...data, updatedAt: Date.now() })
    .where(eq(partners.id, partnerId))
    .toSQL();
  const edgeChanged = Boolean(data.groupId || data.partnerKey || data.status);
  const target = publishTargets.partnerSlugs(companyId, partnerId);
  const writes = [
    env.DB.prepare(update.sql).bind(...update.params),
    ...texts.map((text) => partnerLinksForPartner(env, partnerId, text)),
    ...(edgeChanged ? [enqueuePublishStatement(env.DB, target)] : []),
  ];
  let moved: SlugChange | undefined;
  try {
    if (moving) ({ change: moved } = await batchWritingSlugs(env, companyId, writes, slugsOfPartner(env, partnerId)));
    else await env.DB.batch(writes);
  } catch (error) {
    if (isUniqueViolation(error, "partner_links.slug")) throw slugConflict();
    if (isUniqueViolation(error)) throw keyTaken(data.partnerKey!);
    throw error;
  }
  const late = moving ? await addSlugsForLiveLinks(env, companyId, partnerId, data.groupId!, texts) : undefined;
  if (edgeChanged) await publishNow(env, [target]);
  // Only a move writes slugs; a new key is used by links made from now on (README, "Partner links").
  if (moving) await publishSlugFilter(env, companyId, [moved, late]);
  return getPartner(env, companyId, partnerId);
}

export async function listPartners(
  env: Stores,
  companyId: string,
  options: { limit: number; startingAfter?: string; groupId?: string },
) {
  // Ids in the query are the company's own, as everywhere (partners are never deleted).
  if (options.groupId && !(await isOwnGroup(env, companyId, options.groupId))) {
    throw problems.validation([{ field: "groupId", message: "no group with this id in your company" }]);
  }
  if (options.startingAfter !== undefined) {
    const after = await database(env.DB).query.partners.findFirst({
      columns: { id: true },
      where: and(eq(partners.id, options.startingAfter), eq(partners.companyId, companyId)),
    });
    if (!after)
      throw problems.validation([{ field: "startingAfter", message: "no partner with this id in your company" }]);
  }
  const rows = await database(env.DB)
    .select()
    .from(partners)
    .where(
      and(
        eq(partners.companyId, companyId),
        options.groupId ? eq(partners.groupId, options.groupId) : undefined,
        options.startingAfter ? gt(partners.id, options.startingAfter) : undefined,
      ),
    )
    .orderBy(asc(partners.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

/** The partner's link for each live default link of their current group. */
export async function listPartnerLinks(env: Stores, companyId: string, partnerId: string) {
  const partner = await getPartner(env, companyId, partnerId);
  return database(env.DB)
    .select({ defaultLink: defaultLinks, slug: partnerLinks.slug })
    .from(defaultLinks)
    .innerJoin(
      partnerLinks,
      and(eq(partnerLinks.partnerId, partner.id), eq(partnerLinks.linkText, defaultLinks.linkText)),
    )
    .where(and(eq(defaultLinks.groupId, partner.groupId), isNull(defaultLinks.deletedAt)))
    .orderBy(asc(defaultLinks.position));
}

/** A group a partner can join: this company's, not archived. Named as a field error. */
async function liveGroupOf(env: Stores, companyId: string, groupId: string) {
  const group = await getGroup(env, companyId, groupId).catch(() => null);
  if (!group) throw problems.validation([{ field: "group_id", message: `no group with id '${groupId}'` }]);
  if (group.archivedAt) throw problems.validation([{ field: "group_id", message: "the group is archived" }]);
  return group;
}

/**
 * The statement that gives every partner of a group a slug for a new link text (one statement, any
 * group size), if the default link `linkId` exists: batched with that link's insert, both or neither.
 */
export function partnerLinksForNewLinkText(
  env: Stores,
  companyId: string,
  groupId: string,
  text: string,
  linkId: string,
) {
  return insertPartnerLinks(
    env,
    text,
    "company_id = ?4 AND group_id = ?5 AND EXISTS (SELECT 1 FROM default_links WHERE id = ?6)",
    [companyId, groupId, linkId],
  );
}

/**
 * Gives a partner a slug for each live link text of their group, once they are written there. A
 * default link created meanwhile either sees this partner or is seen here, so none is missed.
 */
async function addSlugsForLiveLinks(
  env: Stores,
  companyId: string,
  partnerId: string,
  groupId: string,
  alreadyGiven: string[] = [],
) {
  const texts = (await liveLinkTexts(env, groupId)).filter((text) => !alreadyGiven.includes(text));
  if (!texts.length) return undefined;
  const writes = texts.map((text) => partnerLinksForPartner(env, partnerId, text));
  return (await batchWritingSlugs(env, companyId, writes, slugsOfPartner(env, partnerId))).change;
}

/** Every slug of a partner: read in the batch that may add some, for the company's slug filter. */
function slugsOfPartner(env: Stores, partnerId: string) {
  return env.DB.prepare("SELECT slug FROM partner_links WHERE partner_id = ?").bind(partnerId);
}

/** The slugs for `text` of every partner in the group: read in the batch of a new default link. */
export function slugsOfGroupLinkText(env: Stores, groupId: string, text: string) {
  return env.DB.prepare(
    `SELECT pl.slug FROM partners p
     JOIN partner_links pl ON pl.partner_id = p.id AND pl.link_text = ?2 WHERE p.group_id = ?1`,
  ).bind(groupId, text);
}

function partnerLinksForPartner(env: Stores, partnerId: string, text: string) {
  return insertPartnerLinks(env, text, "id = ?4", [partnerId]);
}

/**
 * Slugs for `text` for the partners matching `where` (parameters from ?4): `<key>` for the original
 * link (empty text), `<key>--<text>` for the others. Only "already has it" is skipped: a slug owned
 * by another partner fails the statement (and its batch), never silently.
 */
function insertPartnerLinks(env: Stores, text: string, where: string, params: string[]) {
  const now = Date.now();
  // Ids keep the `plk_<time><random>` shape: the time part is computed here, the random part by SQLite.
  const idPrefix = newId("partnerLink", now).slice(0, "plk_".length + 10);
  return env.DB.prepare(
    `INSERT INTO partner_links (id, company_id, partner_id, slug, link_text, created_at)
     SELECT ?1 || substr(lower(hex(randomblob(8))), 1, 16), company_id, id,
            CASE WHEN ?2 = '' THEN partner_key ELSE partner_key || '--' || ?2 END, ?2, ?3
     FROM partners WHERE ${where}
     ON CONFLICT (partner_id, link_text) DO NOTHING`,
  ).bind(idPrefix, text, now, ...params);
}

/** A slug another partner owns: only possible with data written before the key rule above. */
export function slugConflict() {
  return new ApiError(
    PROBLEMS.slugConflict,
    "A partner link this change needs already belongs to another partner; nothing was changed.",
  );
}

async function liveLinkTexts(env: Stores, groupId: string): Promise<string[]> {
  const rows = await database(env.DB)
    .select({ linkText: defaultLinks.linkText })
    .from(defaultLinks)
    .where(and(eq(defaultLinks.groupId, groupId), isNull(defaultLinks.deletedAt)));
  return rows.map((row) => row.linkText);
}

/**
 * A key is free when no other partner has it and no other partner's slug was ever made from it
 * (`key` or `key--<text>`: keys and link texts never contain `--`, so a slug names its key).
 */
async function assertKeyAvailable(env: Stores, companyId: string, key: string, forPartnerId?: string): Promise<void> {
  const db = database(env.DB);
  const [partner] = await db
    .select({ id: partners.id })
    .from(partners)
    .where(and(eq(partners.companyId, companyId), eq(partners.partnerKey, key)));
  const links = await db
    .select({ partnerId: partnerLinks.partnerId })
    .from(partnerLinks)
    .where(
      and(
        eq(partnerLinks.companyId, companyId),
        or(eq(partnerLinks.slug, key), startsWith(partnerLinks.slug, `${key}--`)),
      ),
    );
  const owners = [partner?.id, ...links.map((link) => link.partnerId)].filter((id) => id !== undefined);
  if (owners.some((owner) => owner !== forPartnerId)) throw keyTaken(key);
}

/** `jane-doe`, else `jane-doe-2`, … */
async function freePartnerKey(env: Stores, companyId: string, name: string): Promise<string> {
  const base = slugify(name, 34) || "partner";
  const db = database(env.DB);
  const usedKeys = await db
    .select({ key: partners.partnerKey })
    .from(partners)
    .where(
      and(
        eq(partners.companyId, companyId),
        or(eq(partners.partnerKey, base), startsWith(partners.partnerKey, `${base}-`)),
      ),
    );
  const usedSlugs = await db
    .select({ key: partnerLinks.slug })
    .from(partnerLinks)
    .where(
      and(
        eq(partnerLinks.companyId, companyId),
        or(eq(partnerLinks.slug, base), startsWith(partnerLinks.slug, `${base}-`)),
      ),
    );
  // A slug `k--text` uses the key `k` as much as the slug `k` does.
  return firstFree(
    base,
    [...usedKeys, ...usedSlugs].map((row) => row.key.split("--")[0]!),
  );
}

/** `column` starts with `prefix`, as an index range (SQLite's LIKE ignores case, so it cannot use the index). */
function startsWith(column: SQLiteColumn, prefix: string) {
  const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return and(gte(column, prefix), lt(column, next));
}

function keyTaken(key: string) {
  return new ApiError(
    PROBLEMS.partnerKeyTaken,
    `The partner key '${key}' is taken, or was used before and its links still exist.`,
  );
}
