import { and, asc, eq } from "drizzle-orm";
import { database } from "../db/client";
import { apiKeys } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { bearerSecret, newPrefixedSecret } from "../lib/bearer";
import { ApiError, problems } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";

const SECRET_PREFIX = "sk_live_";
/** Every secret createApiKey makes: anything else is refused without hashing or a D1 lookup. */
const SECRET_SHAPE = /^sk_live_[A-Za-z0-9_-]{43}$/;
/** Active (unrevoked) keys a company may hold at once (README, "Limits"). */
export const MAX_ACTIVE_API_KEYS = 25;

/** A new key, as validated by the API's CreateApiKey schema (api-keys.routes.ts). */
export interface NewApiKey {
  name?: string;
}

/**
 * Creates a key; the secret is returned this once and only its SHA-256 is stored. The active-key
 * limit is checked inside the insert, so concurrent creates cannot overshoot it.
 */
export async function createApiKey(env: Stores, companyId: string, input: NewApiKey = {}) {
  const name = input.name ?? "Default key";
  const { secret, prefix, secretHash } = await newPrefixedSecret(SECRET_PREFIX);
  const id = newId("apiKey");
  const inserted = await env.DB.prepare(
    `INSERT INTO api_keys (id, company_id, name, prefix, secret_hash, created_at)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6
     WHERE (SELECT count(*) FROM api_keys WHERE company_id = ?2 AND revoked_at IS NULL) < ?7`,
  )
    .bind(id, companyId, name, prefix, secretHash, Date.now(), MAX_ACTIVE_API_KEYS)
    .run();
  if (inserted.meta.changes === 0) {
    throw new ApiError(
      PROBLEMS.apiKeyLimit,
      `A company has at most ${MAX_ACTIVE_API_KEYS} active API keys; revoke one before creating another.`,
    );
  }
  const key = await database(env.DB).query.apiKeys.findFirst({ where: eq(apiKeys.id, id) });
  return { ...key!, secret };
}

export async function listApiKeys(env: Stores, companyId: string) {
  return database(env.DB).query.apiKeys.findMany({ where: eq(apiKeys.companyId, companyId), orderBy: asc(apiKeys.id) });
}

/**
 * Revokes a key (idempotent); a revoked key is answered with 401 `api-key-revoked`. The company's
 * last active key cannot be revoked (409): checked inside the update, so two concurrent
 * revocations of its last two keys cannot both succeed.
 */
export async function revokeApiKey(env: Stores, companyId: string, keyId: string) {
  const db = database(env.DB);
  const key = await db.query.apiKeys.findFirst({ where: and(eq(apiKeys.id, keyId), eq(apiKeys.companyId, companyId)) });
  if (!key) throw problems.notFound("API key", keyId);
  if (!key.revokedAt) {
    const revoked = await env.DB.prepare(
      `UPDATE api_keys SET revoked_at = ?1
       WHERE id = ?2 AND revoked_at IS NULL
         AND EXISTS (SELECT 1 FROM api_keys WHERE company_id = ?3 AND revoked_at IS NULL AND id != ?2)`,
    )
      .bind(Date.now(), keyId, companyId)
      .run();
    const now = (await db.query.apiKeys.findFirst({ where: eq(apiKeys.id, keyId) }))!;
    // Not revoked by this update and not by a concurrent one either: it is the last active key.
    if (revoked.meta.changes === 0 && !now.revokedAt) {
      throw new ApiError(
        PROBLEMS.lastApiKey,
        "This is the company's last active API key; create another before revoking it.",
      );
    }
    return now;
  }
  return key;
}

export interface Caller {
  companyId: string;
  apiKeyId: string;
}

/** Resolves `Authorization: Bearer <secret>` to its company, or says precisely what is wrong. */
export async function authenticate(env: Stores, authorization: string | undefined): Promise<Caller> {
  const secret = bearerSecret(authorization, "your secret key", SECRET_PREFIX);
  if (!SECRET_SHAPE.test(secret)) throw new ApiError(PROBLEMS.apiKeyInvalid, "This API key does not exist.");
  const key = await database(env.DB).query.apiKeys.findFirst({
    where: eq(apiKeys.secretHash, await sha256Hex(secret)),
  });
  if (!key) throw new ApiError(PROBLEMS.apiKeyInvalid, "This API key does not exist.");
  if (key.revokedAt) throw new ApiError(PROBLEMS.apiKeyRevoked, `This API key (${key.prefix}…) was revoked.`);
  return { companyId: key.companyId, apiKeyId: key.id };
}
