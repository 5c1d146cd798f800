// Companies (tenants) and their settings; their link domains are in src/link-domains/. Every change
// the edge depends on is recorded in the KV outbox with the change and published at once
// (src/redirect/publish.ts).
import { and, eq, isNull, like, or } from "drizzle-orm";
import { z } from "zod";
import { database, isUniqueViolation } from "../db/client";
import { type ATTRIBUTION_MODELS, companies, groups, PLANS } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { firstFree, slugify } from "../lib/slugs";
import { companyName, httpUrl, parseInput } from "../lib/validation";
import { enqueuePublish, publishNow, publishTargets } from "../redirect/publish";

export type { StorageEnv as Stores } from "../env";

// Companies are created by scripts and tests, not through the API: their input is checked here.
export const createCompanyInput = z.object({
  name: companyName,
  plan: z.enum(PLANS).default("starter"),
  fallbackUrl: httpUrl.nullable().default(null),
});

export async function createCompany(env: Stores, input: z.input<typeof createCompanyInput>) {
  const data = parseInput(createCompanyInput, input);
  const now = Date.now();
  for (let attempt = 0; ; attempt++) {
    const slug = await freeCompanySlug(env, slugify(data.name) || "company");
    try {
      const db = database(env.DB);
      const id = newId("company", now);
      const [[company]] = await db.batch([
        db
          .insert(companies)
          .values({ id, slug, ...data, createdAt: now, updatedAt: now })
          .returning(),
        enqueuePublish(db, publishTargets.company(id), now),
      ]);
      // In KV from the start, so the edge can still send visitors to the fallback URL if D1 is down.
      await publishNow(env, [publishTargets.company(id)]);
      return company!;
    } catch (error) {
      // Another company took the slug between the check and the insert: pick again.
      if (attempt < 3 && isUniqueViolation(error, "slug")) continue;
      throw error;
    }
  }
}

export async function getCompany(env: Stores, companyId: string) {
  const company = await database(env.DB).query.companies.findFirst({ where: eq(companies.id, companyId) });
  if (!company) throw problems.notFound("company", companyId);
  return company;
}

/** Changes to a company's settings, as validated by the API's UpdateCompany schema (company.routes.ts). */
export interface CompanyChanges {
  name?: string;
  fallbackUrl?: string | null;
  termsUrl?: string | null;
  clickIdParam?: string;
  partnerKeyParam?: string;
  attributionModel?: (typeof ATTRIBUTION_MODELS)[number];
  attributionWindowDays?: number;
  defaultGroupId?: string;
}

export async function updateCompanySettings(env: Stores, companyId: string, data: CompanyChanges) {
  const current = await getCompany(env, companyId);
  const clickIdParam = data.clickIdParam ?? current.clickIdParam;
  const partnerKeyParam = data.partnerKeyParam ?? current.partnerKeyParam;
  if (clickIdParam.toLowerCase() === partnerKeyParam.toLowerCase()) {
    throw problems.validation([{ field: "partner_key_param", message: "must differ from the click id parameter" }]);
  }
  if (data.defaultGroupId) {
    const group = await database(env.DB).query.groups.findFirst({
      where: and(eq(groups.id, data.defaultGroupId), eq(groups.companyId, companyId), isNull(groups.archivedAt)),
    });
    if (!group)
      throw problems.validation([{ field: "default_group_id", message: "must be a live group of this company" }]);
  }
  const db = database(env.DB);
  const [[company]] = await db.batch([
    db
      .update(companies)
      .set({ ...data, updatedAt: Date.now() })
      .where(eq(companies.id, companyId))
      .returning(),
    enqueuePublish(db, publishTargets.company(companyId)),
  ]);
  await publishNow(env, [publishTargets.company(companyId)]);
  return company!;
}

async function freeCompanySlug(env: Stores, base: string): Promise<string> {
  const taken = await database(env.DB)
    .select({ slug: companies.slug })
    .from(companies)
    .where(or(eq(companies.slug, base), like(companies.slug, `${base}-%`)));
  return firstFree(
    base,
    taken.map((row) => row.slug),
  );
}
