import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authenticate, type Caller } from "../api-keys/service";
import { ApiError } from "../lib/errors";
import { LimitedClients } from "../lib/limited-clients";
import type { AdminContext } from "./context";

/** Larger bodies are refused with 413 before they are read (documented in the README). */
export const MAX_BODY_BYTES = 64 * 1024;

export const limitBodySize = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "body-too-large", "Request body too large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  },
});

/** Client IPs that failed authentication too often, remembered in this isolate. */
const failedAuthClients = new LimitedClients();

/**
 * Resolves the Bearer key. A client IP whose keys failed more than AUTH_FAILURE_LIMITER allows is
 * refused with 429 before the key is looked up in D1: the limiter is consulted only on a failure
 * (so valid traffic never counts), and its refusal is remembered in this isolate for the window.
 * Another isolate learns it on that client's next failure: at most one D1 lookup per isolate and
 * minute once an IP is over the limit.
 */
export const requireApiKey: MiddlewareHandler<AdminContext> = async (c, next) => {
  const clientIp = c.req.header("cf-connecting-ip");
  if (clientIp && failedAuthClients.isLimited(clientIp)) throw tooManyFailedAuths();
  let caller: Caller;
  try {
    caller = await authenticate(c.env, c.req.header("authorization"));
  } catch (error) {
    if (clientIp && isWrongKey(error) && (await failedAuthClients.count(c.env.AUTH_FAILURE_LIMITER, clientIp))) {
      throw tooManyFailedAuths();
    }
    throw error;
  }
  c.set("caller", caller);
  await next();
};

/** A key that was sent but is not a live one (a missing header or scheme costs no lookup). */
function isWrongKey(error: unknown): boolean {
  return error instanceof ApiError && (error.type === "api-key-invalid" || error.type === "api-key-revoked");
}

function tooManyFailedAuths() {
  return new ApiError(
    429,
    "auth-rate-limited",
    "Too many failed authentications",
    "Requests from your address sent too many invalid or revoked API keys; retry after the time in Retry-After.",
  );
}

/**
 * Per API key and per company (all its keys together), through Workers Rate Limiting bindings
 * (limits and period in wrangler.toml).
 */
export const rateLimitPerKeyAndCompany: MiddlewareHandler<AdminContext> = async (c, next) => {
  const { apiKeyId, companyId } = c.get("caller");
  const [perKey, perCompany] = await Promise.all([
    c.env.ADMIN_RATE_LIMITER.limit({ key: apiKeyId }),
    c.env.ADMIN_COMPANY_RATE_LIMITER.limit({ key: companyId }),
  ]);
  if (!perKey.success) {
    throw new ApiError(429, "rate-limited", "Too many requests", "This API key sent too many requests; retry after the time in Retry-After.");
  }
  if (!perCompany.success) {
    throw new ApiError(
      429,
      "rate-limited",
      "Too many requests",
      "Your company's API keys together sent too many requests; retry after the time in Retry-After.",
    );
  }
  await next();
};
