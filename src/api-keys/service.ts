import { z } from "zod";
import type { Stores } from "../companies/service";
import { database } from "../db/client";
import { apiKeys } from "../db/schema";
import { sha256Hex } from "../lib/hash";
import { newId } from "../lib/ids";
import { parseInput } from "../lib/validation";

const SECRET_PREFIX = "sk_live_";
const SHOWN_PREFIX_LENGTH = SECRET_PREFIX.length + 6;

export const createApiKeyInput = z.object({ name: z.string().trim().min(1).max(100).default("Default key") });

/** Creates a key; the secret is returned this once and only its SHA-256 is stored. */
export async function createApiKey(env: Stores, companyId: string, input: z.input<typeof createApiKeyInput> = {}) {
  const { name } = parseInput(createApiKeyInput, input);
  const secret = SECRET_PREFIX + randomSecret();
  const [key] = await database(env.DB)
    .insert(apiKeys)
    .values({
      id: newId("apiKey"),
      companyId,
      name,
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      secretHash: await sha256Hex(secret),
      createdAt: Date.now(),
    })
    .returning();
  return { ...key!, secret };
}

function randomSecret(): string {
  // 32 random bytes, base64url: 256 bits, so a plain SHA-256 (no salt, no stretching) is enough.
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
