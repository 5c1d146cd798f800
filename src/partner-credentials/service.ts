// Partner credentials: secrets for the partner API (`/partner/v1`), issued by the company through the
// admin API, one partner each. Like API keys, a secret is shown once and only its SHA-256 is
// stored; a revoked credential, or one whose partner is archived, is refused.
import { and, asc, eq } from "drizzle-orm";
import { database } from "../db/client";
import { partnerCredentials } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { bearerSecret, newPrefixedSecret } from "../lib/bearer";
import { ApiError, problems } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { getPartner } from "../partners/service";

const SECRET_PREFIX = "pc_live_";
/** Every secret this module makes: anything else is refused without hashing or a D1 lookup. */
const SECRET_SHAPE = /^pc_live_[A-Za-z0-9_-]{43}$/;

export type PartnerCredential = typeof partnerCredentials.$inferSelect;

/** Who calls the partner API: the partner of the credential, in its company. */
export interface PartnerCaller {
  companyId: string;
  partnerId: string;
  credentialId: string;
}

/** A partner acting for itself: through the partner API (a credential) or the portal (a session). */
export type PartnerActor = Pick<PartnerCaller, "companyId" | "partnerId">;

/** A partner's live credentials at most (one per tool it connects is plenty; revoke old ones). */
export const MAX_ACTIVE_PARTNER_CREDENTIALS = 10;

/**
 * Issues a credential for an active partner; the secret is returned this once. The limit on live
 * credentials is checked inside the insert, so concurrent issues cannot overshoot it.
 */
export async function createPartnerCredential(env: Stores, companyId: string, partnerId: string, name: string) {
  const partner = await getPartner(env, companyId, partnerId);
  if (partner.status !== "active")
    throw problems.validation([{ field: "partner_id", message: "the partner is archived" }]);
  const { secret, prefix, secretHash } = await newPrefixedSecret(SECRET_PREFIX);
  const now = Date.now();
  const id = newId("partnerCredential", now);
  const inserted = await env.DB.prepare(
    `INSERT INTO partner_credentials (id, company_id, partner_id, name, prefix, secret_hash, created_at)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
     WHERE (SELECT count(*) FROM partner_credentials WHERE partner_id = ?3 AND revoked_at IS NULL) < ?8`,
  )
    .bind(id, companyId, partnerId, name, prefix, secretHash, now, MAX_ACTIVE_PARTNER_CREDENTIALS)
    .run();
  if (inserted.meta.changes === 0) {
    throw new ApiError(
      PROBLEMS.partnerCredentialLimit,
      `A partner has at most ${MAX_ACTIVE_PARTNER_CREDENTIALS} active credentials; revoke one before issuing another.`,
    );
  }
  const credential = await database(env.DB).query.partnerCredentials.findFirst({
    where: eq(partnerCredentials.id, id),
  });
  return { ...credential!, secret };
}

export async function listPartnerCredentials(env: Stores, companyId: string, partnerId: string) {
  await getPartner(env, companyId, partnerId);
  return database(env.DB).query.partnerCredentials.findMany({
    where: and(eq(partnerCredentials.companyId, companyId), eq(partnerCredentials.partnerId, partnerId)),
    orderBy: asc(partnerCredentials.id),
  });
}

/** Revokes a credential (idempotent): it is refused from the next request on. */
export async function revokePartnerCredential(env: Stores, companyId: string, partnerId: string, id: string) {
  await getPartner(env, companyId, partnerId);
  const where = and(
    eq(partnerCredentials.id, id),
    eq(partnerCredentials.companyId, companyId),
    eq(partnerCredentials.partnerId, partnerId),
  );
  const credential = await database(env.DB).query.partnerCredentials.findFirst({ where });
  if (!credential) throw problems.notFound("partner credential", id);
  if (credential.revokedAt) return credential;
  const [revoked] = await database(env.DB)
    .update(partnerCredentials)
    .set({ revokedAt: Date.now() })
    .where(where)
    .returning();
  return revoked!;
}

/** Resolves `Authorization: Bearer pc_live_…` to its partner, or says precisely what is wrong. */
export async function authenticatePartner(env: Stores, authorization: string | undefined): Promise<PartnerCaller> {
  const secret = bearerSecret(authorization, "your partner credential", SECRET_PREFIX);
  const invalid = new ApiError(PROBLEMS.partnerCredentialInvalid, "This partner credential does not exist.");
  // An API key (sk_live_…) is no partner credential: the partner API never acts for the company.
  if (!SECRET_SHAPE.test(secret)) throw invalid;
  const found = await env.DB.prepare(
    `SELECT c.id, c.company_id, c.partner_id, c.prefix, c.revoked_at, p.status
     FROM partner_credentials c JOIN partners p ON p.id = c.partner_id WHERE c.secret_hash = ?1`,
  )
    .bind(await sha256Hex(secret))
    .first<{
      id: string;
      company_id: string;
      partner_id: string;
      prefix: string;
      revoked_at: number | null;
      status: string;
    }>();
  if (!found) throw invalid;
  if (found.revoked_at !== null) {
    throw new ApiError(PROBLEMS.partnerCredentialRevoked, `This partner credential (${found.prefix}…) was revoked.`);
  }
  if (found.status !== "active") {
    throw new ApiError(PROBLEMS.partnerCredentialRevoked, "This partner credential's partner is archived.");
  }
  return { companyId: found.company_id, partnerId: found.partner_id, credentialId: found.id };
}
