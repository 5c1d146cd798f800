// `Idempotency-Key` on POST: the first final response (2xx, or a 4xx other than the retryable
// ones) is stored and replayed for retries of the same request for 24 hours; the key is reserved
// before the handler runs, so two concurrent retries cannot both create. A retryable answer
// (5xx, 429, `409 click-pending`: `retryable` in lib/problems.ts) releases the key, so the retry the
// README asks for runs again. Reusing a key for a different request is refused.
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { AdminContext } from "../admin/context";
import { database } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { ApiError, isRetryable } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { PROBLEMS } from "../lib/problems";
import { DAY_MS } from "../lib/time";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const ABANDONED_AFTER_MS = 60_000;

export const idempotentPosts: MiddlewareHandler<AdminContext> = async (c, next) => {
  const sentKey = c.req.header("idempotency-key");
  if (c.req.method !== "POST" || sentKey === undefined) return next();
  if (!KEY_PATTERN.test(sentKey)) {
    throw new ApiError(PROBLEMS.idempotencyKeyInvalid, "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  }
  // The partner API's keys are the partner's own: another partner's same key never replays to it. A
  // space cannot be part of a key, so a scoped key never equals a company's.
  const partner = c.get("partner") as AdminContext["Variables"]["partner"] | undefined;
  const companyId = partner?.companyId ?? c.get("caller").companyId;
  const key = partner ? `${partner.partnerId} ${sentKey}` : sentKey;
  const requestHash = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`);
  const db = database(c.env.DB);
  const now = Date.now();
  const where = and(eq(idempotencyKeys.companyId, companyId), eq(idempotencyKeys.key, key));

  // Expired keys, and reservations whose request died before finishing, can be taken again.
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        where,
        or(
          lt(idempotencyKeys.createdAt, now - DAY_MS),
          and(isNull(idempotencyKeys.status), lt(idempotencyKeys.createdAt, now - ABANDONED_AFTER_MS)),
        ),
      ),
    );
  const reserved = await db
    .insert(idempotencyKeys)
    .values({ companyId, key, requestHash, createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (reserved.length === 0) {
    const first = (await db.query.idempotencyKeys.findFirst({ where }))!;
    if (first.requestHash !== requestHash) {
      throw new ApiError(PROBLEMS.idempotencyKeyReused, "This Idempotency-Key was used for a different request.");
    }
    if (first.status === null) {
      throw new ApiError(
        PROBLEMS.idempotencyKeyInProgress,
        "A request with this Idempotency-Key is still being processed; retry shortly.",
      );
    }
    return new Response(first.body, {
      status: first.status,
      headers: {
        "content-type": first.status < 400 ? "application/json" : "application/problem+json",
        "idempotent-replayed": "true",
      },
    });
  }

  await next();
  // Errors reach here already rendered by app.onError; hono keeps the thrown error in c.error.
  if (isRetryable(c.res.status, c.error)) {
    await db.delete(idempotencyKeys).where(where); // nothing was done: let the retry run again
  } else {
    const replayBody = c.get("replayBody");
    const body = replayBody === undefined ? await c.res.clone().text() : JSON.stringify(replayBody);
    await db.update(idempotencyKeys).set({ status: c.res.status, body }).where(where);
  }
};
