import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authenticate } from "../api-keys/service";
import { ApiError } from "../lib/errors";
import { drainOutbox } from "../redirect/publish";
import type { AdminContext } from "./context";

/** Larger bodies are refused with 413 before they are read (documented in the README). */
export const MAX_BODY_BYTES = 64 * 1024;

export const limitBodySize = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "body-too-large", "Request body too large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  },
});

export const requireApiKey: MiddlewareHandler<AdminContext> = async (c, next) => {
  c.set("caller", await authenticate(c.env, c.req.header("authorization")));
  await next();
};

/** Per API key, through the Workers Rate Limiting binding (limit and period in wrangler.toml). */
export const rateLimitPerKey: MiddlewareHandler<AdminContext> = async (c, next) => {
  const { success } = await c.env.ADMIN_RATE_LIMITER.limit({ key: c.get("caller").apiKeyId });
  if (!success) throw new ApiError(429, "rate-limited", "Too many requests", "This API key sent too many requests; retry after the time in Retry-After.");
  await next();
};

/** Retries after a write's own attempt: short, so a KV hiccup heals within seconds; the cron does the rest. */
const OUTBOX_RETRY_DELAYS_MS = [100, 400, 1600];

/**
 * After a write, whatever the company's KV outbox still holds (a publish that failed) is retried
 * after the response, in `waitUntil`: the client already has its committed answer.
 */
export const publishLeftoversAfterResponse: MiddlewareHandler<AdminContext> = async (c, next) => {
  await next();
  if (c.req.method === "GET" || c.req.method === "HEAD") return;
  const caller = c.get("caller");
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
