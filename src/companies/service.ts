import { eq } from "drizzle-orm";
import { z } from "zod";
import { database, isUniqueViolation } from "../db/client";
import { companies, linkDomains, PLANS } from "../db/schema";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { httpUrl, parseInput } from "../lib/validation";
import { publishCompany, publishHost } from "../redirect/publish";

export interface Stores {
  DB: D1Database;
  LINKS_KV: KVNamespace;
}

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be a hostname");

export const createCompanyInput = z.object({
  name: z.string().trim().min(1).max(200),
  plan: z.enum(PLANS).default("starter"),
  fallbackUrl: httpUrl.nullable().default(null),
});

export async function createCompany(env: Stores, input: z.input<typeof createCompanyInput>) {
  const data = parseInput(createCompanyInput, input);
  const now = Date.now();
  const [company] = await database(env.DB)
    .insert(companies)
    .values({ id: newId("company", now), ...data, createdAt: now, updatedAt: now })
    .returning();
  return company!;
}

export const linkDomainInput = z
  .object({ hostname, cookieDomain: hostname.nullable().default(null) })
  .refine(
    ({ hostname, cookieDomain }) => !cookieDomain || hostname === cookieDomain || hostname.endsWith(`.${cookieDomain}`),
    { path: ["cookieDomain"], message: "must be the hostname or a parent domain of it" },
  );

export async function addLinkDomain(env: Stores, companyId: string, input: z.input<typeof linkDomainInput>) {
  const data = parseInput(linkDomainInput, input);
  try {
    const [domain] = await database(env.DB)
      .insert(linkDomains)
      .values({ id: newId("linkDomain"), companyId, ...data, createdAt: Date.now() })
      .returning();
    await publishHost(env, data.hostname);
    return domain!;
  } catch (error) {
    if (isUniqueViolation(error)) throw problems.conflict(`The hostname '${data.hostname}' is already in use.`, "hostname-taken");
    throw error;
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
    fallbackUrl: httpUrl.nullable(),
    clickIdParam: queryParamName,
    partnerKeyParam: queryParamName,
    attributionWindowDays: z.number().int().min(1).max(365),
  })
  .partial();

export async function updateCompanySettings(env: Stores, companyId: string, input: z.input<typeof companySettingsInput>) {
  const data = parseInput(companySettingsInput, input);
  const current = await getCompany(env, companyId);
  const clickIdParam = data.clickIdParam ?? current.clickIdParam;
  const partnerKeyParam = data.partnerKeyParam ?? current.partnerKeyParam;
  if (clickIdParam.toLowerCase() === partnerKeyParam.toLowerCase()) {
    throw problems.validation([{ field: "partnerKeyParam", message: "must differ from the click id parameter" }]);
  }
  const [company] = await database(env.DB)
    .update(companies)
    .set({ ...data, updatedAt: Date.now() })
    .where(eq(companies.id, companyId))
    .returning();
  await publishCompany(env, companyId);
  return company!;
}
