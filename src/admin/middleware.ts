import type { Context, MiddlewareHandler } from "hono";
import { authenticate } from "../api-keys/service";
import { ApiError } from "../lib/errors";
import { LimitedClients } from "../lib/limited-clients";
import { PROBLEMS } from "../lib/problems";
import { authenticatePartner } from "../partner-credentials/service";
import { drainOutbox, hasLeftovers } from "../redirect/publish";
import type { AdminContext } from "./context";

/** Larger bodies are refused with 413 (documented in the README). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * How much of an oversized streamed body is read and thrown away so that the 413 reaches the client.
 * Cloudflare itself refuses request bodies over 100 MB (the smallest plan's limit) before the worker.
 */
export const MAX_DRAIN_BYTES = 100 * 1024 * 1024;

const bodyTooLarge = () =>
  new ApiError(PROBLEMS.bodyTooLarge, `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);

/**
 * Refuses bodies over MAX_BODY_BYTES with 413. A declared Content-Length is refused before reading.
 * A streamed (`Transfer-Encoding: chunked`) body is counted as it is read; once it is too large the
 * rest is read and dropped before answering: a response sent while the client is still sending made
 * the runtime reset the connection, which the client (or `wrangler dev`'s proxy, as a 503) saw
 * instead of the 413. hono's bodyLimit answers early, hence this middleware.
 */
export const limitBodySize: MiddlewareHandler<AdminContext> = async (c, next) => {
  const request = c.req.raw;
  if (!request.body) return next();
  const declared = request.headers.get("content-length");
  if (declared !== null && !request.headers.has("transfer-encoding")) {
    if (Number.parseInt(declared, 10) > MAX_BODY_BYTES) throw bodyTooLarge();
    return next();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await drain(reader, size);
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  c.req.raw = new Request(request, { body });
  return next();
};

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let size = alreadyRead;
  try {
    while (size <= MAX_DRAIN_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nobody is left to answer.
  }
}

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
  c.set("caller", await authenticateLimited(c, authenticate));
  await next();
};

/** The partner API's: a partner credential (`pc_live_…`), with the same limit on failures per IP. */
export const requirePartnerCredential: MiddlewareHandler<AdminContext> = async (c, next) => {
  c.set("partner", await authenticateLimited(c, authenticatePartner));
  await next();
};

async function authenticateLimited<T>(
  c: Context<AdminContext>,
  check: (env: AdminContext["Bindings"], authorization: string | undefined) => Promise<T>,
): Promise<T> {
  const clientIp = c.req.header("cf-connecting-ip");
  if (clientIp && failedAuthClients.isLimited(clientIp)) throw tooManyFailedAuths();
  try {
    return await check(c.env, c.req.header("authorization"));
  } catch (error) {
    if (clientIp && isWrongKey(error) && (await failedAuthClients.count(c.env.AUTH_FAILURE_LIMITER, clientIp))) {
      throw tooManyFailedAuths();
    }
    throw error;
  }
}

/** A key that was sent but is not a live one (a missing header or scheme costs no lookup). */
function isWrongKey(error: unknown): boolean {
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    problem === PROBLEMS.apiKeyInvalid ||
    problem === PROBLEMS.apiKeyRevoked ||
    problem === PROBLEMS.partnerCredentialInvalid ||
    problem === PROBLEMS.partnerCredentialRevoked
  );
}

function tooManyFailedAuths() {
  return new ApiError(
    PROBLEMS.authRateLimited,
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
    throw new ApiError(
      PROBLEMS.rateLimited,
      "This API key sent too many requests; retry after the time in Retry-After.",
    );
  }
  if (!perCompany.success) {
    throw new ApiError(
      PROBLEMS.rateLimited,
      "Your company's API keys together sent too many requests; retry after the time in Retry-After.",
    );
  }
  await next();
};

/** The partner API's limits: the API key limiter per credential, and the company's, shared with its keys. */
export const rateLimitPartner: MiddlewareHandler<AdminContext> = async (c, next) => {
  const { credentialId, companyId } = c.get("partner");
  const [perCredential, perCompany] = await Promise.all([
    c.env.ADMIN_RATE_LIMITER.limit({ key: credentialId }),
    c.env.ADMIN_COMPANY_RATE_LIMITER.limit({ key: companyId }),
  ]);
  if (!perCredential.success || !perCompany.success) {
    throw new ApiError(PROBLEMS.rateLimited, "Too many requests this minute; retry after the time in Retry-After.");
  }
  await next();
};

/** Retries after a write's own attempt: short, so a KV hiccup heals within seconds; the cron does the rest. */
const OUTBOX_RETRY_DELAYS_MS = [100, 400, 1600];

/**
 * After a write that left something in the company's KV outbox (a publish that failed, in this
 * request or in an earlier one of this isolate), the outbox is retried after the response, in
 * `waitUntil`: the client already has its committed answer. A write whose publishes went through
 * reads nothing more.
 */
export const publishLeftoversAfterResponse: MiddlewareHandler<AdminContext> = async (c, next) => {
  await next();
  if (c.req.method === "GET" || c.req.method === "HEAD") return;
  const caller = c.get("caller");
  if (!hasLeftovers(caller.companyId)) return;
  c.executionCtx.waitUntil(
    (async () => {
      for (const delay of OUTBOX_RETRY_DELAYS_MS) {
        const { failed } = await drainOutbox(c.env, { companyId: caller.companyId });
        if (failed === 0) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    })().catch((error) => console.error(JSON.stringify({ msg: "outbox retry failed", error: String(error) }))),
  );
};
