// Test fixtures built through the real services. Storage is isolated per test *file*, so every
// fixture uses fresh ids and its own hostname (`<random>.test`).
import { env, exports } from "cloudflare:workers";
import { createCompany, updateCompanySettings } from "../../src/companies/service";
import type { UtmParams } from "../../src/db/schema";
import { createGroup } from "../../src/groups/service";
import { claimLinkDomain, verifyLinkDomain } from "../../src/link-domains/service";
import { createDefaultLink } from "../../src/links/service";
import { createPartner } from "../../src/partners/service";

export interface CompanyFixtureOptions {
  hostname?: string;
  cookieDomain?: string | null;
  fallbackUrl?: string | null;
  clickIdParam?: string;
  partnerKeyParam?: string;
  attributionWindowDays?: number;
  destinationUrl?: string;
  utmParams?: UtmParams;
}

export async function createCompanyFixture(options: CompanyFixtureOptions = {}) {
  const hostname = options.hostname ?? `${crypto.randomUUID().slice(0, 8)}.test`;
  const company = await createCompany(env, {
    name: "Fixture Co",
    plan: "enterprise",
    fallbackUrl: options.fallbackUrl ?? null,
  });
  await addVerifiedLinkDomain(company.id, { hostname, cookieDomain: options.cookieDomain ?? null });
  const settings = {
    ...(options.clickIdParam ? { clickIdParam: options.clickIdParam } : {}),
    ...(options.partnerKeyParam ? { partnerKeyParam: options.partnerKeyParam } : {}),
    ...(options.attributionWindowDays ? { attributionWindowDays: options.attributionWindowDays } : {}),
  };
  if (Object.keys(settings).length) await updateCompanySettings(env, company.id, settings);
  const group = await createGroup(env, company.id, {
    name: "Affiliates",
    destinationUrl: options.destinationUrl ?? "https://dest.example/landing",
    utmParams: options.utmParams ?? [],
  });
  return { company, group, hostname, companyId: company.id, groupId: group.id };
}

/**
 * A link domain that serves links: claimed, then verified through the real service with a resolver
 * that finds the claim's token (the TXT record its owner would have created). Tests are local
 * development, so a `localhost` name verifies itself.
 */
export async function addVerifiedLinkDomain(
  companyId: string,
  input: { hostname: string; cookieDomain?: string | null },
) {
  const claim = await claimLinkDomain(env, companyId, input, { allowLocalHosts: true });
  const { domain } = await verifyLinkDomain(env, companyId, claim.id, {
    resolveTxt: async () => [claim.verificationToken],
  });
  return domain;
}

export async function addPartner(companyId: string, groupId: string, partnerKey?: string) {
  const n = crypto.randomUUID().slice(0, 6);
  return createPartner(env, companyId, {
    email: `p${n}@example.com`,
    firstName: "Pat",
    lastName: `Partner ${n}`,
    groupId,
    ...(partnerKey ? { partnerKey } : {}),
  });
}

export { createDefaultLink };

export const BROWSER_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/** A request to the edge worker as a browser would send it; redirects are not followed. */
export function edgeFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("user-agent")) headers.set("user-agent", BROWSER_UA);
  return exports.default.fetch(url, { redirect: "manual", ...init, headers });
}

/** Polls `read` until it returns `expected` (the local queue delivers in batches, about once a second). */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
