// The APIs' Bearer secrets (API keys `sk_live_…`, partner credentials `pc_live_…`): a prefix that
// says what the secret is, then a page token's 256 random bits (./tokens), so a plain SHA-256 is what
// is stored and looked up. Both APIs read the Authorization header the same way.
import { ApiError } from "./errors";
import { PROBLEMS } from "./problems";
import { randomToken, tokenHash } from "./tokens";

/** A new secret with what is stored of it: its start shown in lists (prefix and 6 more) and its SHA-256. */
export async function newPrefixedSecret(prefix: string) {
  const secret = prefix + randomToken();
  return { secret, prefix: secret.slice(0, prefix.length + 6), secretHash: await tokenHash(secret) };
}

/**
 * The secret of `Authorization: Bearer <secret>`, or the 401 that says what is missing or wrong;
 * `what` ("your secret key") and `prefix` ("sk_live_") word the messages.
 */
export function bearerSecret(authorization: string | undefined, what: string, prefix: string): string {
  if (!authorization) {
    throw new ApiError(PROBLEMS.apiKeyMissing, `Send ${what} as \`Authorization: Bearer ${prefix}…\`.`);
  }
  const [scheme, secret, ...rest] = authorization.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== "bearer" || !secret || rest.length > 0) {
    const detail = `Use the Bearer scheme (got '${scheme ?? ""}'): \`Authorization: Bearer ${prefix}…\`.`;
    throw new ApiError(PROBLEMS.authSchemeUnsupported, detail);
  }
  return secret;
}
