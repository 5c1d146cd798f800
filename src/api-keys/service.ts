import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { StorageEnv as Stores } from "../env";
import { database } from "../db/client";
import { apiKeys } from "../db/schema";
import { sha256Hex } from "../lib/hash";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { parseInput } from "../lib/validation";

const SECRET_PREFIX = "sk_live_";
const SHOWN_PREFIX_LENGTH = SECRET_PREFIX.length + 6;

export const createApiKeyInput = z.object({ name: z.string().trim().min(1).max(100).default("Default key") }).strict();

/** Creates a key; the secret is returned this once and only its SHA-256 is stored. */
export async function createApiKey(env: Stores, companyId: string, input: z.input<typeof createApiKeyInput> = {}) {
  const { name } = parseInput(createApiKeyInput, input);
  const { secret, prefix, secretHash } = await newKeySecret();
  const [key] = await database(env.DB)
    .insert(apiKeys)
    .values({ id: newId("apiKey"), companyId, name, prefix, secretHash, createdAt: Date.now() })
    .returning();
  return { ...key!, secret };
}

/** A new secret with what is stored of it: the prefix shown in lists and its SHA-256. */
export async function newKeySecret() {
  // 32 random bytes, base64url: 256 bits, so a plain SHA-256 (no salt, no stretching) is enough.
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = SECRET_PREFIX + btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return { secret, prefix: secret.slice(0, SHOWN_PREFIX_LENGTH), secretHash: await sha256Hex(secret) };
}

export async function listApiKeys(env: Stores, companyId: string) {
  return database(env.DB).query.apiKeys.findMany({ where: eq(apiKeys.companyId, companyId), orderBy: asc(apiKeys.id) });
}

/** Revokes a key (idempotent); a revoked key is answered with 401 `api-key-revoked`. */
export async function revokeApiKey(env: Stores, companyId: string, keyId: string) {
  const db = database(env.DB);
  const key = await db.query.apiKeys.findFirst({ where: and(eq(apiKeys.id, keyId), eq(apiKeys.companyId, companyId)) });
  if (!key) throw problems.notFound("API key", keyId);
  if (!key.revokedAt) await db.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, keyId));
  return (await db.query.apiKeys.findFirst({ where: eq(apiKeys.id, keyId) }))!;
}

export interface Caller {
  companyId: string;
  apiKeyId: string;
}

/** Resolves `Authorization: Bearer <secret>` to its company, or says precisely what is wrong. */
export async function authenticate(env: Stores, authorization: string | undefined): Promise<Caller> {
  if (!authorization) {
    throw problems.unauthorized("api-key-missing", "Send your secret key as `Authorization: Bearer sk_live_…`.");
  }
  const [scheme, secret, ...rest] = authorization.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== "bearer" || !secret || rest.length > 0) {
    throw problems.unauthorized("auth-scheme-unsupported", `Use the Bearer scheme (got '${scheme ?? ""}'): \`Authorization: Bearer sk_live_…\`.`);
  }
  const key = await database(env.DB).query.apiKeys.findFirst({ where: eq(apiKeys.secretHash, await sha256Hex(secret)) });
  if (!key) throw problems.unauthorized("api-key-invalid", "This API key does not exist.");
  if (key.revokedAt) throw problems.unauthorized("api-key-revoked", `This API key (${key.prefix}…) was revoked.`);
  return { companyId: key.companyId, apiKeyId: key.id };
}
