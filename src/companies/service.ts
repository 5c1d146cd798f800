// Companies (tenants), their settings and their link domains. Every change the edge depends on is
// recorded in the KV outbox with the change and published to it at once (src/redirect/publish.ts).
import { and, asc, eq, isNull, like, or } from "drizzle-orm";
import { getPublicSuffix } from "tldts";
import { z } from "zod";
import { database, isUniqueViolation } from "../db/client";
import { ATTRIBUTION_MODELS, companies, groups, linkDomains, PLANS } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { firstFree, slugify } from "../lib/slugs";
import { httpUrl, parseInput, publicHttpsUrl } from "../lib/validation";
import { enqueuePublish, publishNow, publishTargets } from "../redirect/publish";

export type { StorageEnv as Stores } from "../env";

const hostnameField = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be a hostname such as try.acme.com");

export const createCompanyInput = z.object({
  name: z.string().trim().min(1).max(200),
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
        db.insert(companies).values({ id, slug, ...data, createdAt: now, updatedAt: now }).returning(),
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

const queryParamName = z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9_.-]+$/, "use letters, digits, _ . -");

export const companySettingsInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    fallbackUrl: httpUrl.nullable(),
    termsUrl: publicHttpsUrl.nullable(),
    clickIdParam: queryParamName,
    partnerKeyParam: queryParamName,
    attributionModel: z.enum(ATTRIBUTION_MODELS),
    attributionWindowDays: z.number().int().min(1).max(365),
    defaultGroupId: z.string().min(1).max(64),
  })
  .partial()
  .strict();

export async function updateCompanySettings(env: Stores, companyId: string, input: z.input<typeof companySettingsInput>) {
  const data = parseInput(companySettingsInput, input);
  const current = await getCompany(env, companyId);
  const clickIdParam = data.clickIdParam ?? current.clickIdParam;
  const partnerKeyParam = data.partnerKeyParam ?? current.partnerKeyParam;
  if (clickIdParam.toLowerCase() === partnerKeyParam.toLowerCase()) {
    throw problems.validation([{ field: "partnerKeyParam", message: "must differ from the click id parameter" }]);
  }
  if (data.defaultGroupId) {
    const group = await database(env.DB).query.groups.findFirst({
      where: and(eq(groups.id, data.defaultGroupId), eq(groups.companyId, companyId), isNull(groups.archivedAt)),
    });
    if (!group) throw problems.validation([{ field: "defaultGroupId", message: "must be a live group of this company" }]);
  }
  const db = database(env.DB);
  const [[company]] = await db.batch([
    db.update(companies).set({ ...data, updatedAt: Date.now() }).where(eq(companies.id, companyId)).returning(),
    enqueuePublish(db, publishTargets.company(companyId)),
  ]);
  await publishNow(env, [publishTargets.company(companyId)]);
  return company!;
}

export const linkDomainInput = z
  .object({ hostname: hostnameField, cookieDomain: hostnameField.nullable().default(null) })
  .strict()
  .refine(
    ({ hostname, cookieDomain }) => !cookieDomain || hostname === cookieDomain || hostname.endsWith(`.${cookieDomain}`),
    { path: ["cookieDomain"], message: "must be the hostname or a parent domain of it" },
  )
  // Browsers drop a cookie whose Domain is a public suffix (`com`, `co.uk`, `github.io`), so
  // tracking would fail silently: judged by the Public Suffix List, private section included.
  .refine(({ cookieDomain }) => !cookieDomain || getPublicSuffix(cookieDomain, { allowPrivateDomains: true }) !== cookieDomain, {
    path: ["cookieDomain"],
    message: "must be a domain you own such as acme.com, not a public suffix such as com or co.uk",
  });

export async function listLinkDomains(env: Stores, companyId: string) {
  return database(env.DB).query.linkDomains.findMany({
    where: eq(linkDomains.companyId, companyId),
    orderBy: asc(linkDomains.id),
  });
}

export async function addLinkDomain(env: Stores, companyId: string, input: z.input<typeof linkDomainInput>) {
  const data = parseInput(linkDomainInput, input);
  try {
    const db = database(env.DB);
    const [[domain]] = await db.batch([
      db.insert(linkDomains).values({ id: newId("linkDomain"), companyId, ...data, createdAt: Date.now() }).returning(),
      enqueuePublish(db, publishTargets.host(companyId, data.hostname)),
    ]);
    await publishNow(env, [publishTargets.host(companyId, data.hostname)]);
    return domain!;
  } catch (error) {
    if (isUniqueViolation(error)) throw problems.conflict(`The hostname '${data.hostname}' is already in use.`, "hostname-taken");
    throw error;
  }
}

export async function removeLinkDomain(env: Stores, companyId: string, domainId: string) {
  const domain = await database(env.DB).query.linkDomains.findFirst({
    where: and(eq(linkDomains.id, domainId), eq(linkDomains.companyId, companyId)),
  });
  if (!domain) throw problems.notFound("link domain", domainId);
  const db = database(env.DB);
  await db.batch([
    db.delete(linkDomains).where(eq(linkDomains.id, domainId)),
    enqueuePublish(db, publishTargets.host(companyId, domain.hostname)),
  ]);
  await publishNow(env, [publishTargets.host(companyId, domain.hostname)]);
  return domain;
}

async function freeCompanySlug(env: Stores, base: string): Promise<string> {
  const taken = await database(env.DB)
    .select({ slug: companies.slug })
    .from(companies)
    .where(or(eq(companies.slug, base), like(companies.slug, `${base}-%`)));
  return firstFree(base, taken.map((row) => row.slug));
}
