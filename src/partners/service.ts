// Partners and their slugs. A partner gets one slug per link text of the group they are in
// (`jane-doe`, `jane-doe--pricing`), created when they join the group or when the group gains a
// default link, and never rewritten. Keys never contain `--`, so slugs of different partners
// cannot collide; a key whose slug still exists (an old key of another partner) is refused.
import { and, eq, isNull, like, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Stores } from "../companies/service";
import { getCompany } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { defaultLinks, partnerLinks, partners } from "../db/schema";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { parseInput, partnerKey, slugify } from "../lib/validation";
import { getGroup } from "../groups/service";
import { publishPartnerSlugs } from "../redirect/publish";
import { partnerSlug } from "../redirect/slug";

export const createPartnerInput = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()),
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  partnerKey: partnerKey.optional(),
  groupId: z.string().optional(),
});

export async function createPartner(env: Stores, companyId: string, input: z.input<typeof createPartnerInput>) {
  const data = parseInput(createPartnerInput, input);
  const groupId = data.groupId ?? (await getCompany(env, companyId)).defaultGroupId;
  if (!groupId) throw problems.conflict("Create a group before adding partners.", "no-group");
  const group = await getGroup(env, companyId, groupId);
  if (group.archivedAt) throw problems.conflict("Partners cannot join an archived group.", "group-archived");

  const key = data.partnerKey ?? (await freePartnerKey(env, companyId, `${data.firstName} ${data.lastName}`));
  if (data.partnerKey) await assertKeyAvailable(env, companyId, key);

  const db = database(env.DB);
  const now = Date.now();
  const partnerId = newId("partner", now);
  const texts = await liveLinkTexts(env, groupId);
  try {
    await db.batch([
      db.insert(partners).values({
        id: partnerId,
        companyId,
        groupId,
        partnerKey: key,
        email: data.email,
        firstName: data.firstName,
        lastName: data.lastName,
        createdAt: now,
        updatedAt: now,
      }),
      db.insert(partnerLinks).values(
        texts.map((text) => ({
          id: newId("partnerLink", now),
          companyId,
          partnerId,
          slug: partnerSlug(key, text),
          linkText: text,
          createdAt: now,
        })),
      ),
    ]);
  } catch (error) {
    // A concurrent create took the key (or its slug) between the check and the write.
    if (isUniqueViolation(error)) throw keyTaken(key);
    throw error;
  }
  await publishPartnerSlugs(env, partnerId);
  return getPartner(env, companyId, partnerId);
}

export async function getPartner(env: Stores, companyId: string, partnerId: string) {
  const partner = await database(env.DB).query.partners.findFirst({
    where: and(eq(partners.id, partnerId), eq(partners.companyId, companyId)),
  });
  if (!partner) throw problems.notFound("partner", partnerId);
  return partner;
}

/** Moves a partner; their existing slugs then resolve through the new group. */
export async function movePartner(env: Stores, companyId: string, partnerId: string, groupId: string) {
  const partner = await getPartner(env, companyId, partnerId);
  const group = await getGroup(env, companyId, groupId);
  if (group.archivedAt) throw problems.conflict("Partners cannot join an archived group.", "group-archived");
  await database(env.DB).update(partners).set({ groupId, updatedAt: Date.now() }).where(eq(partners.id, partnerId));
  for (const text of await liveLinkTexts(env, groupId)) await insertMissingPartnerLinks(env, text, eq(partners.id, partner.id));
  await publishPartnerSlugs(env, partnerId);
  return getPartner(env, companyId, partnerId);
}

/** Gives every partner of a group a slug for a new link text (one statement, any group size). */
export async function createPartnerLinksForLinkText(env: Stores, companyId: string, groupId: string, text: string) {
  await insertMissingPartnerLinks(env, text, and(eq(partners.companyId, companyId), eq(partners.groupId, groupId))!);
}

async function insertMissingPartnerLinks(env: Stores, text: string, which: ReturnType<typeof eq>) {
  const db = database(env.DB);
  const now = Date.now();
  // Ids keep the `plk_<time><random>` shape: the time part is computed here, the random part by SQLite.
  const idPrefix = newId("partnerLink", now).slice(0, "plk_".length + 10);
  const slugExpr = text === "" ? sql`${partners.partnerKey}` : sql`${partners.partnerKey} || '--' || ${text}`;
  await db.run(sql`
    INSERT INTO partner_links (id, company_id, partner_id, slug, link_text, created_at)
    SELECT ${idPrefix} || substr(lower(hex(randomblob(8))), 1, 16), ${partners.companyId}, ${partners.id}, ${slugExpr}, ${text}, ${now}
    FROM ${partners} WHERE ${which}
    ON CONFLICT DO NOTHING`);
}

async function liveLinkTexts(env: Stores, groupId: string): Promise<string[]> {
  const rows = await database(env.DB)
    .select({ linkText: defaultLinks.linkText })
    .from(defaultLinks)
    .where(and(eq(defaultLinks.groupId, groupId), isNull(defaultLinks.deletedAt)));
  return rows.map((row) => row.linkText);
}

/** A key is free when no partner has it and no slug was ever made from it. */
async function assertKeyAvailable(env: Stores, companyId: string, key: string): Promise<void> {
  const db = database(env.DB);
  const [partner] = await db
    .select({ id: partners.id })
    .from(partners)
    .where(and(eq(partners.companyId, companyId), eq(partners.partnerKey, key)));
  const [link] = await db
    .select({ id: partnerLinks.id })
    .from(partnerLinks)
    .where(and(eq(partnerLinks.companyId, companyId), eq(partnerLinks.slug, key)));
  if (partner || link) throw keyTaken(key);
}

/** `jane-doe`, else `jane-doe-2`, … */
async function freePartnerKey(env: Stores, companyId: string, name: string): Promise<string> {
  const base = slugify(name, 34) || "partner";
  const db = database(env.DB);
  const pattern = `${base}-%`;
  const usedKeys = await db
    .select({ key: partners.partnerKey })
    .from(partners)
    .where(and(eq(partners.companyId, companyId), or(eq(partners.partnerKey, base), like(partners.partnerKey, pattern))));
  const usedSlugs = await db
    .select({ key: partnerLinks.slug })
    .from(partnerLinks)
    .where(and(eq(partnerLinks.companyId, companyId), or(eq(partnerLinks.slug, base), like(partnerLinks.slug, pattern))));
  const used = new Set([...usedKeys, ...usedSlugs].map((row) => row.key));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

function keyTaken(key: string) {
  return problems.conflict(
    `The partner key '${key}' is taken, or was used before and its links still exist.`,
    "partner-key-taken",
  );
}
