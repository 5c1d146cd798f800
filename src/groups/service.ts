import { and, eq, isNull, like, or } from "drizzle-orm";
import { z } from "zod";
import type { Stores } from "../companies/service";
import { database } from "../db/client";
import { companies, defaultLinks, groups } from "../db/schema";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { httpUrl, parseInput, slugify, utmParams } from "../lib/validation";
import { publishGroup } from "../redirect/publish";

export const createGroupInput = z.object({
  name: z.string().trim().min(1).max(100),
  destinationUrl: httpUrl,
  utmParams: utmParams.default([]),
});

/** Creates a group with its original default link; the company's first group becomes its default. */
export async function createGroup(env: Stores, companyId: string, input: z.input<typeof createGroupInput>) {
  const data = parseInput(createGroupInput, input);
  const db = database(env.DB);
  const now = Date.now();
  const groupId = newId("group", now);
  const slug = await freeGroupSlug(env, companyId, slugify(data.name) || "group");
  await db.batch([
    db.insert(groups).values({ id: groupId, companyId, name: data.name, slug, createdAt: now, updatedAt: now }),
    db.insert(defaultLinks).values({
      id: newId("defaultLink", now),
      companyId,
      groupId,
      position: 1,
      title: "Original link",
      destinationUrl: data.destinationUrl,
      utmParams: data.utmParams,
      linkText: "",
      createdAt: now,
      updatedAt: now,
    }),
    db
      .update(companies)
      .set({ defaultGroupId: groupId, updatedAt: now })
      .where(and(eq(companies.id, companyId), isNull(companies.defaultGroupId))),
  ]);
  await publishGroup(env, groupId);
  return getGroup(env, companyId, groupId);
}

export async function getGroup(env: Stores, companyId: string, groupId: string) {
  const group = await database(env.DB).query.groups.findFirst({
    where: and(eq(groups.id, groupId), eq(groups.companyId, companyId)),
  });
  if (!group) throw problems.notFound("group", groupId);
  return group;
}

export async function setReferralLinksEnabled(env: Stores, companyId: string, groupId: string, enabled: boolean) {
  await getGroup(env, companyId, groupId);
  await database(env.DB)
    .update(groups)
    .set({ referralLinksEnabled: enabled, updatedAt: Date.now() })
    .where(eq(groups.id, groupId));
  await publishGroup(env, groupId);
  return getGroup(env, companyId, groupId);
}

/** `partners`, or `partners-2`, … when a group of the company already has that slug. */
async function freeGroupSlug(env: Stores, companyId: string, base: string): Promise<string> {
  const taken = await database(env.DB)
    .select({ slug: groups.slug })
    .from(groups)
    .where(and(eq(groups.companyId, companyId), or(eq(groups.slug, base), like(groups.slug, `${base}-%`))));
  const slugs = new Set(taken.map((row) => row.slug));
  if (!slugs.has(base)) return base;
  for (let n = 2; ; n++) if (!slugs.has(`${base}-${n}`)) return `${base}-${n}`;
}
