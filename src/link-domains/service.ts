// Link domains: the hostnames a company's partner links are served on. A hostname serves links only
// for the company that proved it owns it: a claim starts `pending` with a random token, and becomes
// `verified` when the TXT record `_edgeref-challenge.<hostname>` holds that token. The first company
// to verify wins the hostname (a partial unique index on verified rows decides a race); the other
// pending claims on it become `superseded`. Only verified domains are published to the edge.
import { and, asc, eq } from "drizzle-orm";
import { database, isUniqueViolation } from "../db/client";
import { linkDomains } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { ApiError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { randomToken } from "../lib/tokens";
import { enqueuePublish, enqueuePublishStatement, publishNow, publishTargets } from "../redirect/publish";
import { DnsLookupError, type TxtResolver } from "./dns";

export type LinkDomain = typeof linkDomains.$inferSelect;

export const CHALLENGE_PREFIX = "_edgeref-challenge.";

/** The name of the TXT record that proves ownership of `hostname`. */
export const challengeName = (hostname: string) => `${CHALLENGE_PREFIX}${hostname}`;

/**
 * Names that can only ever mean "this machine" (RFC 6761): nobody can prove owning them in DNS,
 * and nobody needs to — they verify themselves where local hosts are allowed (local development).
 */
export function isLocalHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost");
}

/** Whether local hostnames verify themselves: on only in local development (README, "Link domains"). */
export interface LocalHostPolicy {
  allowLocalHosts?: boolean;
}

export interface VerifyDeps extends LocalHostPolicy {
  resolveTxt: TxtResolver;
}

/** A hostname to claim, as validated by the API's CreateLinkDomain schema (link-domains.routes.ts). */
export interface NewLinkDomain {
  hostname: string;
  /** The hostname or a parent domain of it; null: cookies for the hostname itself. */
  cookieDomain?: string | null;
}

/** What one ownership check saw: the TXT values found against the one expected. */
export interface VerificationCheck {
  /** `dns`: looked up over DNS-over-HTTPS; `local`: a local hostname, no lookup. */
  method: "dns" | "local";
  name: string;
  expected: string;
  found: string[];
  matched: boolean;
  detail: string;
  checkedAt: number;
}

const hostnameTaken = (hostname: string) =>
  new ApiError(PROBLEMS.hostnameTaken, `The hostname '${hostname}' is verified by another company.`);

export async function listLinkDomains(env: Stores, companyId: string) {
  return database(env.DB).query.linkDomains.findMany({
    where: eq(linkDomains.companyId, companyId),
    orderBy: asc(linkDomains.id),
  });
}

export async function getLinkDomain(env: Stores, companyId: string, domainId: string) {
  const domain = await database(env.DB).query.linkDomains.findFirst({
    where: and(eq(linkDomains.id, domainId), eq(linkDomains.companyId, companyId)),
  });
  if (!domain) throw problems.notFound("link domain", domainId);
  return domain;
}

/**
 * Claims a hostname for the company: `pending`, serving nothing until verified. Refused when another
 * company has verified it, or when this company already claims it. A local hostname, where local
 * hosts are allowed, is verified at once (and published); elsewhere it is refused.
 */
export async function claimLinkDomain(
  env: Stores,
  companyId: string,
  input: NewLinkDomain,
  policy: LocalHostPolicy = {},
): Promise<LinkDomain> {
  const data = { ...input, cookieDomain: input.cookieDomain ?? null };
  const local = isLocalHostname(data.hostname);
  if (local && !policy.allowLocalHosts) {
    throw problems.validation([{ field: "hostname", message: "localhost names serve only in local development" }]);
  }
  const owner = await verifiedOwner(env, data.hostname);
  if (owner && owner.companyId !== companyId) throw hostnameTaken(data.hostname);
  const now = Date.now();
  const db = database(env.DB);
  const target = publishTargets.host(companyId, data.hostname);
  let domain: LinkDomain;
  try {
    const insert = db
      .insert(linkDomains)
      .values({
        id: newId("linkDomain", now),
        companyId,
        ...data,
        status: local ? "verified" : "pending",
        // 256 random bits, base64url: unguessable, and safe in a TXT record and a URL.
        verificationToken: randomToken(),
        verifiedAt: local ? now : null,
        lastCheckedAt: local ? now : null,
        createdAt: now,
      })
      .returning();
    // Only a verified (local) claim serves, so only then is there anything to publish.
    [[domain]] = (local ? await db.batch([insert, enqueuePublish(db, target, now)]) : [await insert]) as [[LinkDomain]];
  } catch (error) {
    if (isUniqueViolation(error, "link_domains.company_id")) {
      throw new ApiError(PROBLEMS.linkDomainExists, `Your company already has the link domain '${data.hostname}'.`);
    }
    // Another company verified the hostname between the check and the insert (a local hostname).
    if (isUniqueViolation(error)) throw hostnameTaken(data.hostname);
    throw error;
  }
  if (local) await publishNow(env, [target]);
  return domain;
}

/**
 * Checks the claim's TXT record and, when it holds the token, verifies the claim: in one batch the
 * claim becomes `verified` and every other pending claim on the hostname `superseded`. Two companies
 * verifying at once: the unique index on verified hostnames fails the second batch whole (409).
 * Answers the claim as it is now and what the check saw (`check` is null when already verified).
 */
export async function verifyLinkDomain(
  env: Stores,
  companyId: string,
  domainId: string,
  deps: VerifyDeps,
): Promise<{ domain: LinkDomain; check: VerificationCheck | null }> {
  const domain = await getLinkDomain(env, companyId, domainId);
  if (domain.status === "verified") return { domain, check: null };
  const owner = await verifiedOwner(env, domain.hostname);
  if (owner) throw hostnameTaken(domain.hostname);

  const check = await checkOwnership(domain, deps);
  if (!check.matched) {
    const touch = env.DB.prepare("UPDATE link_domains SET last_checked_at = ? WHERE id = ?");
    await touch.bind(check.checkedAt, domain.id).run();
    return { domain: { ...domain, lastCheckedAt: check.checkedAt }, check };
  }
  try {
    await env.DB.batch([
      env.DB.prepare(
        `UPDATE link_domains SET status = 'verified', verified_at = ?1, last_checked_at = ?1
         WHERE id = ?2 AND company_id = ?3 AND status <> 'verified'`,
      ).bind(check.checkedAt, domain.id, companyId),
      // Guarded by the claim itself being verified now: a claim deleted meanwhile supersedes nobody.
      env.DB.prepare(
        `UPDATE link_domains SET status = 'superseded'
         WHERE hostname = ?1 AND id <> ?2 AND status = 'pending'
           AND EXISTS (SELECT 1 FROM link_domains WHERE id = ?2 AND status = 'verified')`,
      ).bind(domain.hostname, domain.id),
      enqueuePublishStatement(env.DB, publishTargets.host(companyId, domain.hostname)),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw hostnameTaken(domain.hostname);
    throw error;
  }
  await publishNow(env, [publishTargets.host(companyId, domain.hostname)]);
  return { domain: await getLinkDomain(env, companyId, domainId), check };
}

/** Removes a claim. Only a verified domain was serving, so only its removal is published to the edge. */
export async function removeLinkDomain(env: Stores, companyId: string, domainId: string) {
  const domain = await getLinkDomain(env, companyId, domainId);
  const db = database(env.DB);
  const target = publishTargets.host(companyId, domain.hostname);
  if (domain.status !== "verified") {
    await db.delete(linkDomains).where(eq(linkDomains.id, domainId));
    return domain;
  }
  await db.batch([db.delete(linkDomains).where(eq(linkDomains.id, domainId)), enqueuePublish(db, target)]);
  await publishNow(env, [target]);
  return domain;
}

async function verifiedOwner(env: Stores, hostname: string) {
  return database(env.DB).query.linkDomains.findFirst({
    where: and(eq(linkDomains.hostname, hostname), eq(linkDomains.status, "verified")),
  });
}

async function checkOwnership(domain: LinkDomain, deps: VerifyDeps): Promise<VerificationCheck> {
  const name = challengeName(domain.hostname);
  const expected = domain.verificationToken;
  const checkedAt = Date.now();
  if (isLocalHostname(domain.hostname)) {
    const matched = Boolean(deps.allowLocalHosts);
    const detail = matched
      ? "A local hostname verifies itself in local development."
      : "Local hostnames verify only in local development, never over DNS.";
    return { method: "local", name, expected, found: [], matched, detail, checkedAt };
  }
  let found: string[];
  try {
    found = await deps.resolveTxt(name);
  } catch (error) {
    // Whatever went wrong, nothing is known about the record: a retryable 503, never a 500.
    const reason = error instanceof DnsLookupError ? error.message : "the DNS resolver failed";
    if (!(error instanceof DnsLookupError)) {
      console.error(JSON.stringify({ msg: "txt lookup failed", name, error: String(error) }));
    }
    const detail = `Could not look up the TXT record ${name}: ${reason}. Nothing changed; try again shortly.`;
    throw new ApiError(PROBLEMS.dnsLookupFailed, detail);
  }
  const matched = found.includes(expected);
  const detail = matched
    ? `The TXT record ${name} holds the expected token.`
    : found.length === 0
      ? `No TXT record at ${name} yet. Create it with the expected value; DNS changes can take a few minutes to appear.`
      : `The TXT record ${name} does not hold the expected value (found ${found.length} other value(s)).`;
  return { method: "dns", name, expected, found, matched, detail, checkedAt };
}
