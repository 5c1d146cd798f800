import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "../lib/errors";

/** Every error leaves the admin API as `application/problem+json`. */
export function problemResponse(error: unknown, c: Context): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500)
    console.error(
      JSON.stringify({ msg: "admin error", url: c.req.url, error: String(error), stack: (error as Error)?.stack }),
    );
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (apiError.status === 429) headers["retry-after"] = String(RATE_LIMIT_PERIOD_SECONDS);
  return new Response(JSON.stringify(apiError.toProblem(new URL(c.req.url).pathname)), {
    status: apiError.status,
    headers,
  });
}

export const RATE_LIMIT_PERIOD_SECONDS = 60;

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError(413, "body-too-large", "Request body too large", error.message);
    // Hono's JSON validator: a body that is not JSON.
    return new ApiError(error.status, "bad-request", "Bad request", error.message || "The request could not be read.");
  }
  return new ApiError(
    500,
    "internal",
    "Internal error",
    "Something went wrong on our side; nothing you sent was the cause.",
  );
}
